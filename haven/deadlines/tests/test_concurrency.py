"""Two sweeps at once (two cron runs overlapping, or two servers) escalate each overdue step exactly
once: row locks with SKIP LOCKED, a compare-and-swap on the level, and Escalation(obligation, level)
unique in the database."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.db.models import Count

from haven.audit.services import verify
from haven.deadlines.models import Escalation, Obligation
from haven.deadlines.sweep import SweepResult, sweep

OVERDUE = 300


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_escalate_each_overdue_step_exactly_once(world):
    now = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    due = now - dt.timedelta(hours=1)
    child = world.child()
    Obligation.objects.bulk_create(
        Obligation(
            rule="foundling.handover_answer",
            child=child,
            subject_type="foundlings.handover",
            subject_id=uuid.uuid4(),
            responsible=world.orgs["committee_a"],
            opened_at=due - dt.timedelta(hours=12),
            due_at=due,
            next_escalation_at=due,
        )
        for _ in range(OVERDUE)
    )
    start = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            # Small batches, so that the two sweeps interleave rather than one taking everything.
            results.append(sweep(now=now, batch_size=25))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.escalated for r in results) == OVERDUE
    per_obligation = Escalation.objects.values("obligation").annotate(n=Count("id"))
    assert per_obligation.count() == OVERDUE and {row["n"] for row in per_obligation} == {1}
    assert set(Escalation.objects.values_list("level", flat=True)) == {1}
    assert set(Obligation.objects.values_list("escalation_level", flat=True)) == {1}
    assert verify().ok
