"""Browser tests against a real server: its own SQLite database, synthetic data, Debian's Chromium.

pytest-django's live_server is not used: it flushes tables between tests, and the audit table refuses
DELETE. The tests never touch the database from this process; facts about the data are read once
with `haven shell` against the e2e database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from e2e.browser import Haven
from haven.core.clock import TTL_SECONDS as CLOCK_TTL_SECONDS

ROOT = Path(__file__).resolve().parent.parent
HAVEN = str(Path(sys.executable).with_name("haven"))
CHROMIUM = Path(os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}

# Printed by `haven shell` as one JSON line: the people and the child the journeys need.
FACTS_SCRIPT = """
import json
from haven.accounts.models import User
from haven.accounts.synth import demo_world
from haven.people.models import Child

world = demo_world()
officer_b = User.objects.get(username="commune.officer.b")
hidden_from_b = Child.objects.exclude(pk__in=Child.objects.visible_to(officer_b).values("pk"))
names = [c.search_name for c in Child.objects.all()]
# A child of commune A with diacritics in the name, which no other child shares.
child = next(
    c for c in hidden_from_b.filter(current_commune=world.commune_a).order_by("search_name")
    if names.count(c.search_name) == 1 and c.full_name.lower() != c.search_name.strip()
)
print("E2E_FACTS=" + json.dumps({
    "child_id": str(child.pk),
    "child_name": child.full_name,
    "child_folded": child.search_name.strip(),
    "officer_name": User.objects.get(username="commune.officer").full_name,
    "commune_a": world.commune_a.name,
    "facility_b": world.organisations["facility_b"].name,
    "province_id": str(world.province.pk),
    "hospital_a": world.organisations["hospital_a"].name,
}))
"""


@dataclass(frozen=True)
class Facts:
    child_id: str
    child_name: str
    child_folded: str  # the name as typed on a keyboard without Vietnamese input: "nguyen thi lan"
    officer_name: str  # full name of commune.officer, as the access log shows it
    commune_a: str
    facility_b: str  # the social protection facility of commune B, where facility.director works
    province_id: str  # the province of communes A and B, as the report form's <select> values it
    hospital_a: str  # the hospital where hospital.sw works


@dataclass(frozen=True)
class Server:
    url: str
    facts: Facts
    env: dict[str, str]  # the server's environment: `haven` commands run with it act on its database

    def haven(self, *args: str) -> str:
        """Run ``haven <args>`` against the e2e database (the clock, a sweep); its output."""
        return run_haven(self.env, *args).stdout


def run_haven(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([HAVEN, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"haven {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the e2e server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the e2e server did not answer /healthz within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package")
    return CHROMIUM


@pytest.fixture(scope="session")
def server(chromium_path, tmp_path_factory) -> Iterator[Server]:
    """`haven runserver` on a free port over a fresh database with 120 synthetic children."""
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
        "HAVEN_AUDIT_CHECKPOINTS": str(tmp / "audit-checkpoints"),  # the sweep's, for this database only
        "HAVEN_ENV": "development",
        "DJANGO_DEBUG": "0",  # the pages users get, including the plain 404
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "HAVEN_FIELD_KEYS": Fernet.generate_key().decode(),
        "HAVEN_INDEX_KEY": secrets.token_urlsafe(48),
        "HAVEN_AUDIT_KEY": secrets.token_urlsafe(48),
        "HAVEN_LEDGER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PYTHONUNBUFFERED": "1",
        # The `haven` command is installed editable from one checkout; the server must run this one's
        # code (a worktree's), which the path puts first.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    run_haven(env, "migrate", "--noinput")
    run_haven(env, "synth", "--size", "120", "--seed", "7")
    printed = run_haven(env, "shell", "--no-imports", "-c", FACTS_SCRIPT).stdout
    facts = Facts(**json.loads(printed.split("E2E_FACTS=", 1)[1].splitlines()[0]))

    url = f"http://127.0.0.1:{_free_port()}"
    log = tmp / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [HAVEN, "runserver", url.removeprefix("http://"), "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(url, process, log)
        yield Server(url=url, facts=facts, env=env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def world(server) -> Facts:
    """The root conftest's `world` builds personas in the test database; here the data lives in the
    e2e server's database, and `world` is what the journeys need to know about it."""
    return server.facts


@pytest.fixture
def clock(server) -> Iterator[Callable[[str], None]]:
    """``clock("8d")`` moves the server's clock ahead (`haven clock advance`); the test's end puts it
    back, so no other test runs in the future."""

    def advance(amount: str) -> None:
        server.haven("clock", "advance", amount)
        time.sleep(CLOCK_TTL_SECONDS + 0.2)  # the server reads the offset at most once a second

    try:
        yield advance
    finally:
        server.haven("clock", "reset")
        time.sleep(CLOCK_TTL_SECONDS + 0.2)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_passed = report.passed
    return report


@pytest.fixture
def open_tab(browser, server, request):
    """Open a fresh browser (own cookies) as a phone in Vietnamese, the way most users come."""
    contexts = []
    tabs: list[Haven] = []

    def open_tab(*, locale: str = "vi-VN") -> Haven:
        context = browser.new_context(viewport=PHONE, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = Haven(context.new_page(), server.url)
        tabs.append(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    unchecked = [url for tab in tabs for url in tab.unchecked]
    # Only a test that got to its end is blamed: a failure midway leaves its page unchecked anyway.
    if getattr(request.node, "e2e_passed", False):
        assert not unchecked, f"pages shown without an accessibility check: {unchecked}"


@pytest.fixture
def haven(open_tab) -> Haven:
    return open_tab()
