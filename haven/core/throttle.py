"""A small per-address limit for the pages anyone can post to without an account."""

from __future__ import annotations

from django.core.cache import cache

# Ten reports an hour from one address is far beyond a real finder, and far below a flood.
LIMIT = 10
WINDOW_SECONDS = 60 * 60


def allow(request, scope: str, *, limit: int = LIMIT, window: int = WINDOW_SECONDS) -> bool:
    key = f"throttle:{scope}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def within(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one more use of ``key`` in the current ``window`` (seconds, counted on the machine's clock
    from the epoch, so every process agrees where a window starts): whether it is within ``limit``, and
    the seconds until the next window."""
    from haven.core import clock

    now = clock.real_now().timestamp()
    period = int(now // window)
    slot = f"throttle:{key}:{period}"
    cache.add(slot, 0, window)
    try:
        count = cache.incr(slot)
    except ValueError:  # expired between add and incr
        cache.set(slot, 1, window)
        count = 1
    return count <= limit, max(1, int((period + 1) * window - now))
