"""The register service started for real, in a thread on a free port, over its own SQLite file."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import socket
import threading

import pytest

from haven.population import service
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


@pytest.fixture(scope="session")
def filled_register(tmp_path_factory):
    path = tmp_path_factory.mktemp("popreg") / "filled.sqlite3"
    population_fill(database=path, size=400, seed=5, today=TODAY)
    return path


@pytest.fixture
def register_db(filled_register, tmp_path):
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
