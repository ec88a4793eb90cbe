"""The one clock. Deadlines, sweeps and services ask it for the time, so tests and demos can move it.

Nothing else in Haven reads the time (core/tests/test_one_clock.py fails on ``timezone.now``,
``date.today``, ``datetime.now`` or an argument-less ``localdate()`` anywhere else). Model fields take
``clock.stamp`` or ``clock.today`` as their default, and ``created_at``/``updated_at`` are stamped from
it (core/models.py).

Moving the clock (`haven clock advance 8d`) is refused in production: it exists so that a browser
journey can let a 7-day public notice expire without waiting a week.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import time
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

# (when it was read, the offset), or None until it is read.
_cache: tuple[float, dt.timedelta] | None = None
# A process reads the shared offset at most once a second.
TTL_SECONDS = 1.0


def offset() -> dt.timedelta:
    global _cache
    if not settings.HAVEN_TIME_TRAVEL:
        return dt.timedelta(0)
    if _cache is not None and time.monotonic() - _cache[0] <= TTL_SECONDS:
        return _cache[1]
    from haven.core.models import ClockOffset

    row = ClockOffset.objects.filter(pk=1).first()
    value = dt.timedelta(seconds=row.seconds) if row else dt.timedelta(0)
    _cache = (time.monotonic(), value)
    return value


# Synthetic history: demo data made step by step at past moments (``at``), in this context only.
_held: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("haven_clock_held", default=None)


def now() -> dt.datetime:
    held = _held.get()
    if held is not None:
        return held
    return timezone.now() + offset()


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Run a block as if it were ``moment``: the synthetic data builds a case's history one step at a
    time, each step recorded when it happened, so no step is backdated (the workflow engine refuses
    a time entered before the step it depends on)."""
    token = _held.set(moment)
    try:
        yield moment
    finally:
        _held.reset(token)


def stamp() -> dt.datetime:
    """``now()`` for a model field's default (``default=clock.stamp``). Django keeps the function it is
    given, so the default looks ``now`` up each time it is called: a test that holds the clock still
    (by replacing ``now``) holds the defaults still too. ``today`` does the same for dates."""
    return now()


def today() -> dt.date:
    return timezone.localdate(now())


def set_offset(delta: dt.timedelta) -> None:
    global _cache
    if not settings.HAVEN_TIME_TRAVEL:
        raise RuntimeError("the clock cannot be moved in production")
    from haven.core.models import ClockOffset

    ClockOffset.objects.update_or_create(pk=1, defaults={"seconds": int(delta.total_seconds())})
    _cache = (time.monotonic(), delta)


def forget() -> None:
    """Drop the cached offset: the next read asks the database (tests that move the clock between
    steps, as another process would)."""
    global _cache
    _cache = None


def localdate(value: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(value or now())


def real_now() -> dt.datetime:
    """The machine's time, never moved. Only for what must not jump with a demo's moved clock: the
    idle timer of a session (moving the clock must not sign everyone out) and an API token's last use,
    and the population-register simulator, which stands for another system with a clock of its own."""
    return dt.datetime.now(dt.UTC)


def real_today() -> dt.date:
    """The machine's day in Viet Nam, never moved (see ``real_now``)."""
    from haven.core.calendar import local_day

    return local_day(real_now())
