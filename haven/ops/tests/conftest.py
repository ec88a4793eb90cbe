from __future__ import annotations

import pytest

from haven.ops import health, metrics


@pytest.fixture(autouse=True)
def _nothing_remembered(monkeypatch):
    """Each test reads the database and the register afresh: no figure kept from another test."""
    monkeypatch.setattr(metrics, "BACKLOG_TTL", -1.0)
    health.forget_register_answer()
    yield
    health.forget_register_answer()


@pytest.fixture
def beating(db):
    """The task worker and the sweep have just beaten, as in a Haven that runs."""
    from haven.ops.heartbeats import SWEEP, beat

    beat("worker:haven-app-1:test")
    beat(SWEEP)
