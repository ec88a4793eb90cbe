"""The one clock. Deadlines, sweeps and services ask it for the time, so tests and demos can move it.

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

_cache: tuple[float, dt.timedelta] = (0.0, dt.timedelta(0))
# A process reads the shared offset at most once a second.
TTL_SECONDS = 1.0


def offset() -> dt.timedelta:
    global _cache
    if not settings.HAVEN_TIME_TRAVEL:
        return dt.timedelta(0)
    read_at, value = _cache
    if time.monotonic() - read_at > TTL_SECONDS:
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
    """Drop the cached offset (tests that move the clock between steps)."""
    global _cache
    _cache = (0.0, dt.timedelta(0))


def localdate(value: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(value or now())
