"""The register service started for real, in a thread on a free port, over its own SQLite file."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import socket
import threading

import pytest

from haven.population import clients, service
from haven.population.client import breakers_reset
from haven.population.synth import population_fill

TODAY = dt.date(2026, 11, 22)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(database, *, port: int = 0):
    """Serve the register over ``database`` until the block ends; yields its base URL."""
    httpd = service.server(database, port=port)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def tokens_for(database) -> dict[str, str]:
    """Haven's client (lookup, register) and the linkage job's (extract), made in ``database``."""
    return {
        "haven": clients.issue(database, "haven", scopes=("lookup", "register"), replace=True),
        "linkage": clients.issue(database, "linkage", scopes=("extract",), replace=True),
    }


@pytest.fixture(scope="session")
def filled_register(tmp_path_factory):
    path = tmp_path_factory.mktemp("popreg") / "filled.sqlite3"
    population_fill(database=path, size=400, seed=5, today=TODAY)
    return path


@pytest.fixture(scope="session")
def register_tokens(filled_register) -> dict[str, str]:
    """The filled register's clients, in every copy of it (register_db)."""
    return tokens_for(filled_register)


@pytest.fixture(autouse=True)
def _register_credentials(settings, register_tokens):
    """Haven holds the filled register's tokens, as `make demo` gives them to it."""
    settings.HAVEN_POPULATION_REGISTER_HTTP = {
        **settings.HAVEN_POPULATION_REGISTER_HTTP,
        "token": register_tokens["haven"],
        "extract_token": register_tokens["linkage"],
    }


@pytest.fixture
def register_db(filled_register, register_tokens, tmp_path):
    """A private copy of a small filled register, so a test's births stay its own."""
    path = tmp_path / "register.sqlite3"
    shutil.copy(filled_register, path)
    return path


@pytest.fixture
def register_url(register_db):
    with running(register_db) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_breakers():
    breakers_reset()
    yield
    breakers_reset()
