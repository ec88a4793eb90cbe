"""Shared fixtures: the persona world, the frozen clock, a checkpoint folder per test, CI's rule that
nothing may be skipped, and PostgreSQL-only tests deselected (not skipped) on SQLite."""

from __future__ import annotations

import os
import uuid

import pytest

from haven.core.testing import FrozenClock, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def frozen(monkeypatch):
    """The one clock, held still and moved by the test."""
    return FrozenClock(monkeypatch)


@pytest.fixture(autouse=True)
def _audit_checkpoints_of_this_test(settings, tmp_path_factory):
    """Each test's audit chain starts empty, so each test has a checkpoint folder of its own (made
    only if the test writes a checkpoint): another test's checkpoints would vouch for events this
    database never had."""
    settings.HAVEN_AUDIT_CHECKPOINTS = str(
        tmp_path_factory.getbasetemp() / "audit-checkpoints" / uuid.uuid4().hex
    )


@pytest.fixture(autouse=True)
def _clock_offset_read_once(request, monkeypatch):
    """Everything asks the one clock for the time (haven/core/clock.py), and outside production it reads
    the moved clock's offset from the database at most once a second. In a test it is read once — when
    the test first asks the time, or again after ``clock.forget()`` — so a query count does not depend
    on how fast the machine is. Browser journeys keep the server's real one-second reading."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    from haven.core import clock

    monkeypatch.setattr(clock, "TTL_SECONDS", float("inf"))
    clock.forget()
    yield
    clock.forget()


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(request, monkeypatch):
    """``client.force_login(user)`` signs a persona in completely: the password and, where their role
    requires one, the second factor (haven.core.testing.second_factor_given). Without it every page
    test of a national, provincial or exporting role would meet the enrolment page."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    from django.test import Client

    from haven.core.testing import second_factor_given

    signed_in = Client.force_login

    def force_login(self, user, backend=None):
        signed_in(self, user, backend)
        second_factor_given(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # In CI a skipped test is a failed test: the browser and PostgreSQL runs must really run.
    if os.environ.get("HAVEN_FORBID_SKIPS") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, which HAVEN_FORBID_SKIPS forbids: {report.longrepr}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    # Deselected rather than skipped, so that HAVEN_FORBID_SKIPS holds on the SQLite run.
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgresql_only") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
