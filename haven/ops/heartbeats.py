"""Heartbeats of the background processes: the sweep beats after each pass, each task worker from a
thread of its own every BEAT_SECONDS (haven/ops/management/commands/db_worker.py).

They are read against the wall clock, never the demo's movable clock: moving the clock eight days
forward must not make every process look dead."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.db import close_old_connections, connection

from haven.core import clock
from haven.ops.models import Heartbeat

log = logging.getLogger(__name__)

BEAT_SECONDS = 15
WORKER = "worker:"
SWEEP = "sweep"
# Rows of workers gone for this long are removed by the next beat (each start takes a new worker id).
FORGET_AFTER = dt.timedelta(days=1)


def wall_clock() -> dt.datetime:
    return clock.real_now()  # a process's liveness is real time, not the demo's moved clock


def beat(name: str) -> None:
    now = wall_clock()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})


def age(prefix: str, *, now: dt.datetime | None = None) -> float | None:
    """Seconds since the newest beat of a process whose name starts with ``prefix``; None if none ever
    beat."""
    newest = (
        Heartbeat.objects.filter(name__startswith=prefix).order_by("-at").values_list("at", flat=True).first()
    )
    if newest is None:
        return None
    return max(0.0, ((now or wall_clock()) - newest).total_seconds())


def forget_old(*, now: dt.datetime | None = None) -> int:
    deleted, _ = Heartbeat.objects.filter(
        name__startswith=WORKER, at__lt=(now or wall_clock()) - FORGET_AFTER
    ).delete()
    return deleted


def beat_in_background(name: str, *, every: float = BEAT_SECONDS) -> threading.Thread:
    """Beat for ``name`` every ``every`` seconds from a daemon thread, for the life of the process.

    A failed beat (the database restarting) is logged and tried again at the next tick: the thread
    never dies of it, and its broken connection is dropped so the next beat opens a new one."""

    def run() -> None:
        while True:
            try:
                close_old_connections()
                beat(name)
                forget_old()
            except Exception:
                log.warning("heartbeat %s not written; trying again in %s s", name, every, exc_info=True)
                connection.close()
            time.sleep(every)

    thread = threading.Thread(target=run, name=f"heartbeat {name}", daemon=True)
    thread.start()
    return thread
