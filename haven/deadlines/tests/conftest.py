from __future__ import annotations

import datetime as dt

import pytest

from haven.core import calendar, clock
from haven.deadlines.models import Obligation
from haven.deadlines.services import obligation_open

# Monday 2 March 2026, 09:00 in Hà Nội: no holiday within a fortnight.
MONDAY_MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=calendar.VIETNAM)


class Clock:
    """The one clock, held still and moved by the test."""

    def __init__(self, monkeypatch) -> None:
        self.at = MONDAY_MORNING.astimezone(dt.UTC)  # the clock speaks UTC, as timezone.now() does
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **kwargs) -> dt.datetime:
        self.at += dt.timedelta(**kwargs)
        return self.at


@pytest.fixture
def frozen(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def step(world, frozen):
    """Open ``rule`` for a new child of commune A, owed by ``responsible`` (a key of world.orgs)."""

    def open_(rule: str, responsible: str = "committee_a", start: dt.datetime | None = None) -> Obligation:
        child = world.child()
        return obligation_open(
            rule_code=rule, subject=child, child=child, responsible=world.orgs[responsible], start=start
        )

    return open_
