"""The one clock: demos and browser journeys may move it; production may not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from haven.core import clock


@pytest.fixture(autouse=True)
def _forget_the_cached_offset():
    clock.forget()
    yield
    clock.forget()


@pytest.mark.django_db
def test_moving_the_clock_moves_now_for_every_process(settings):
    settings.HAVEN_TIME_TRAVEL = True
    clock.set_offset(dt.timedelta(days=8))
    clock.forget()  # as another process would, reading the stored offset
    assert clock.offset() == dt.timedelta(days=8)
    assert clock.now() - timezone.now() > dt.timedelta(days=7, hours=23)


def test_production_refuses_to_move_the_clock_and_ignores_any_offset(settings):
    settings.HAVEN_TIME_TRAVEL = False
    with pytest.raises(RuntimeError, match="cannot be moved in production"):
        clock.set_offset(dt.timedelta(days=8))
    assert clock.offset() == dt.timedelta(0)


def test_a_block_run_at_a_past_moment_reads_that_moment_and_the_clock_comes_back(db):
    moment = timezone.now() - dt.timedelta(days=3)
    with clock.at(moment):
        assert clock.now() == moment
    assert clock.now() > moment + dt.timedelta(days=2)
