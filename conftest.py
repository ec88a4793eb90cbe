"""Shared fixtures: the persona world, and CI's rule that nothing may be skipped."""

from __future__ import annotations

import os

import pytest

from haven.core.testing import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # In CI a skipped test is a failed test: the browser and PostgreSQL runs must really run.
    if os.environ.get("HAVEN_FORBID_SKIPS") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, which HAVEN_FORBID_SKIPS forbids: {report.longrepr}"
