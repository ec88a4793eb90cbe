"""What /readyz and the metrics report: is this server able to serve, and are the processes behind it
(task worker, sweep, outbox, population register) keeping up.

Only the server's own faults — no database, migrations not applied — make /readyz answer 503 and take
the server out of the load balancer. A stopped worker or sweep, a deep outbox or an unreachable
register are shared by every server: taking them all out of rotation would turn a late e-mail into
an outage, so they make the answer "degraded" (200) and are alerted on from the metrics
(docs/decisions/0024-production-server.md). ``?strict=1`` makes any failed check a 503, for a
monitor that reads only the status code.

Nothing here names a person: counts and ages only."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Min
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core import clock
from haven.deadlines.models import Escalation, Obligation, Status
from haven.notifications.models import Delivery, OutboxMessage
from haven.ops import heartbeats


@dataclass
class Check:
    ok: bool
    detail: str = ""
    # A failure that takes this server out of the load balancer (its own fault), or not.
    critical: bool = False
    values: dict = field(default_factory=dict)


@dataclass
class Backlog:
    """The processes behind the web servers, as counts and ages in seconds (None: never seen)."""

    worker_heartbeat_age: float | None
    sweep_heartbeat_age: float | None
    sweep_lag: float  # how long the oldest step the sweep should have escalated has waited
    outbox_pending: int
    outbox_due: int
    outbox_oldest_due_age: float
    tasks_ready: int
    tasks_failed: int
    tasks_oldest_ready_age: float
    escalations: dict[int, int]


def _age(moment: dt.datetime | None, now: dt.datetime) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment else 0.0


def backlog() -> Backlog:
    # Obligations and the outbox are due by Haven's clock (the demo may move it); heartbeats and
    # tasks by the wall clock.
    now, wall = clock.now(), heartbeats.wall_clock()
    overdue = Obligation.objects.filter(status=Status.OPEN, next_escalation_at__lte=now).aggregate(
        oldest=Min("next_escalation_at")
    )["oldest"]
    pending = OutboxMessage.objects.filter(status=Delivery.PENDING)
    due = pending.filter(next_attempt_at__lte=now).aggregate(n=Count("pk"), oldest=Min("next_attempt_at"))
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        n=Count("pk"), oldest=Min("enqueued_at")
    )
    return Backlog(
        worker_heartbeat_age=heartbeats.age(heartbeats.WORKER, now=wall),
        sweep_heartbeat_age=heartbeats.age(heartbeats.SWEEP, now=wall),
        sweep_lag=_age(overdue, now),
        outbox_pending=pending.count(),
        outbox_due=due["n"],
        outbox_oldest_due_age=_age(due["oldest"], now),
        tasks_ready=ready["n"],
        tasks_failed=DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
        tasks_oldest_ready_age=_age(ready["oldest"], wall),
        escalations=dict(
            Escalation.objects.values_list("level")
            .annotate(n=Count("pk"))
            .order_by("level")
            .values_list("level", "n")
        ),
    )


@functools.cache
def _migrations_on_disk() -> tuple[frozenset, dict]:
    """The migrations of this code (read from disk once: they do not change while it runs)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes), dict(loader.replacements)


def unapplied_migrations() -> list[str]:
    nodes, replacements = _migrations_on_disk()
    applied = set(MigrationRecorder(connection).applied_migrations())
    for key, migration in replacements.items():
        if all(replaced in applied for replaced in migration.replaces):
            applied.add(key)
    return sorted(f"{app}.{name}" for app, name in nodes - applied)


# The register is asked at most once in this many seconds by each server process: load balancers
# probe every few seconds, and the register has a rate per client.
REGISTER_TTL = 30.0
_register_answer: tuple[float, Check] | None = None
_register_lock = threading.Lock()


def register_check() -> Check:
    global _register_answer
    with _register_lock:
        if _register_answer and time.monotonic() - _register_answer[0] < REGISTER_TTL:
            return _register_answer[1]
    from haven.population.register import register

    probe = getattr(register(), "health", None)
    if probe is None:
        found = Check(True, "in-process register")
    else:
        try:
            probe()
            found = Check(True, "answered")
        except Exception as error:  # any failure to answer: unreachable, refused, breaker open
            found = Check(False, f"{type(error).__name__}: {error}"[:300])
    with _register_lock:
        _register_answer = (time.monotonic(), found)
    return found


def forget_register_answer() -> None:
    global _register_answer
    with _register_lock:
        _register_answer = None


def readiness() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = Check(True, connection.vendor, critical=True)
    except DatabaseError as error:
        checks["database"] = Check(False, type(error).__name__, critical=True)
        # Without a database nothing else can be read.
        return checks
    pending = unapplied_migrations()
    checks["migrations"] = Check(
        not pending,
        f"{len(pending)} not applied: run `haven migrate`" if pending else "all applied",
        critical=True,
        values={"unapplied": len(pending)},
    )
    try:
        seen = backlog()
    except DatabaseError as error:  # tables missing before the migrations, a statement timeout
        for name in ("worker", "sweep", "outbox"):
            checks[name] = Check(False, f"cannot be read: {type(error).__name__}")
        checks["register"] = register_check()
        return checks
    limits = settings.HAVEN_READINESS
    worker = seen.worker_heartbeat_age
    checks["worker"] = Check(
        worker is not None and worker <= limits["worker_seconds"],
        "no task worker has ever beaten" if worker is None else f"last heartbeat {worker:.0f} s ago",
        values={"heartbeat_age_seconds": worker, "tasks_ready": seen.tasks_ready},
    )
    sweep = seen.sweep_heartbeat_age
    checks["sweep"] = Check(
        sweep is not None and sweep <= limits["sweep_seconds"] and seen.sweep_lag <= limits["sweep_seconds"],
        "no sweep has ever run"
        if sweep is None
        else f"last pass {sweep:.0f} s ago; oldest unescalated step waiting {seen.sweep_lag:.0f} s",
        values={"heartbeat_age_seconds": sweep, "lag_seconds": seen.sweep_lag},
    )
    checks["outbox"] = Check(
        seen.outbox_due <= limits["outbox_depth"],
        f"{seen.outbox_due} messages due, the oldest for {seen.outbox_oldest_due_age:.0f} s",
        values={"due": seen.outbox_due, "pending": seen.outbox_pending},
    )
    checks["register"] = register_check()
    return checks


def verdict(checks: dict[str, Check], *, strict: bool = False) -> tuple[int, dict]:
    failed_critical = any(not c.ok and c.critical for c in checks.values())
    failed = any(not c.ok for c in checks.values())
    status = "not_ready" if failed_critical else "degraded" if failed else "ready"
    code = 503 if failed_critical or (strict and failed) else 200
    body = {"status": status, "checks": {name: asdict(check) for name, check in checks.items()}}
    return code, body
