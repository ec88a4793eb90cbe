from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from haven.core import clock


class Clock:
    """The one clock, held still and moved by the test."""

    def __init__(self, monkeypatch) -> None:
        self.at = timezone.now().replace(microsecond=0)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **kwargs) -> dt.datetime:
        self.at += dt.timedelta(**kwargs)
        return self.at


@pytest.fixture
def frozen(monkeypatch):
    return Clock(monkeypatch)
