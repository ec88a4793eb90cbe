"""`haven sweep`: escalate what is overdue, fire what is due. Idempotent, safe every minute from cron
and from two processes at once.

Each batch locks its rows (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE transactions
admit one writer) and moves them up one level with a compare-and-swap on the level, and
Escalation(obligation, level) is unique in the database: an obligation cannot climb the same rung
twice, however many sweeps run.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import import_string

from haven.accounts.models import Organisation, OrganisationKind
from haven.audit.models import AuditEvent
from haven.audit.services import record_many
from haven.core import bulk, clock
from haven.deadlines.models import MAX_LEVEL, Escalation, Obligation, Status
from haven.deadlines.rules import RULES, timers
from haven.deadlines.services import open_next
from haven.deadlines.subjects import subject_page
from haven.notifications.services import escalation_notices

log = logging.getLogger(__name__)


class LostRace(Exception):
    """Another process moved rows this batch had locked: the batch is rolled back and retried."""


@dataclass(frozen=True, slots=True)
class Escalated:
    """One rung climbed in this pass, with what the notices need to say about it."""

    obligation_id: uuid.UUID
    child_id: uuid.UUID | None
    rule: str
    due_at: dt.datetime
    level: int
    to_organisation_id: int | None
    # The page the notice links to: the child's record, or the subject's own page when it is not a
    # child (a person followed by the prevention work).
    link: str = ""


@dataclass
class SweepResult:
    escalated: int = 0
    fired: int = 0


def sweep(*, now: dt.datetime | None = None, batch_size: int = 2000) -> SweepResult:
    # In UTC, as the database returns it: the audit chain hashes the time's ISO form.
    now = (now or clock.now()).astimezone(dt.UTC)
    result = SweepResult()
    result.fired = _fire_timers(now)
    while True:
        try:
            done = _escalate_batch(now, batch_size)
        except LostRace:
            log.warning("sweep lost a compare-and-swap; retrying the batch")
            continue
        result.escalated += done
        if done < batch_size:
            return result


def _due(now: dt.datetime):
    return Obligation.objects.filter(status=Status.OPEN, next_escalation_at__lte=now)


def _fire_timers(now: dt.datetime) -> int:
    fired = 0
    for obligation in _due(now).filter(rule__in=timers()).order_by("next_escalation_at"):
        try:
            with transaction.atomic():
                locked = _due(now).select_for_update(skip_locked=True).filter(pk=obligation.pk).first()
                if locked is None:
                    continue
                on_due = RULES[locked.rule].on_due
                (import_string(on_due) if isinstance(on_due, str) else on_due)(locked, now)
                # A timer fires once, even if its handler left it open.
                Obligation.objects.filter(
                    pk=locked.pk, status=Status.OPEN, next_escalation_at=locked.next_escalation_at
                ).update(status=Status.MET, closed_at=now, next_escalation_at=None)
                # A timer on a schedule sets its next occurrence (done when it fired).
                open_next(locked, done_at=now)
        except Exception:
            # One broken case must not stop the escalations of every other: log it, retry next pass.
            log.exception("timer %s on obligation %s failed", obligation.rule, obligation.pk)
            continue
        fired += 1
    return fired


@transaction.atomic
def _escalate_batch(now: dt.datetime, size: int) -> int:
    rows = list(
        _due(now)
        .exclude(rule__in=timers())
        .select_for_update(skip_locked=True)
        .order_by("next_escalation_at")
        .values(
            "id",
            "rule",
            "escalation_level",
            "responsible_id",
            "child_id",
            "due_at",
            "subject_type",
            "subject_id",
        )[:size]
    )
    if not rows:
        return 0
    groups: dict[tuple[int, str], list] = defaultdict(list)
    for row in rows:
        groups[(row["escalation_level"], row["rule"])].append(row["id"])
    for (level, rule_code), ids in groups.items():
        up = level + 1
        swapped = Obligation.objects.filter(pk__in=ids, escalation_level=level, status=Status.OPEN).update(
            escalation_level=up,
            next_escalation_at=now + RULES[rule_code].escalate_every
            if up < min(MAX_LEVEL, RULES[rule_code].top)
            else None,
        )
        if swapped != len(ids):
            # Someone else moved these rows: undo this batch rather than escalate twice.
            raise LostRace
    # An occurrence of a schedule kept by the calendar that falls due undone: it escalates, and the
    # next is owed all the same (next month's payroll opens though this month's is late). Once: on the
    # first rung, which the compare-and-swap above lets one sweep climb.
    missed = [r["id"] for r in rows if r["escalation_level"] == 0 and RULES[r["rule"]].every is not None]
    for occurrence in Obligation.objects.filter(pk__in=missed):
        open_next(occurrence, done_at=None)
    targets = _ladder({row["responsible_id"] for row in rows})
    escalated = []
    events = []
    for row in rows:
        level = row["escalation_level"] + 1
        to = targets(row["responsible_id"], level)
        link = subject_page(row["subject_type"], row["subject_id"], row["child_id"], row["rule"])
        escalated.append(Escalated(row["id"], row["child_id"], row["rule"], row["due_at"], level, to, link))
        events.append(
            AuditEvent(
                at=now,
                organisation_id=to,
                action="obligation.escalate",
                object_type="deadlines.obligation",
                object_id=str(row["id"]),
                child_id=row["child_id"],
                reason="",
                data={
                    "rule": row["rule"],
                    "level": level,
                    "late_seconds": int((now - row["due_at"]).total_seconds()),
                },
            )
        )
    bulk.insert(
        Escalation,
        (
            {
                "obligation_id": e.obligation_id,
                "level": e.level,
                "to_organisation_id": e.to_organisation_id,
                "at": now,
            }
            for e in escalated
        ),
    )
    escalation_notices(escalated, now=now)
    record_many(events)
    return len(rows)


def _ladder(responsible_ids: set[int]):
    """Who hears of an overdue step at each level: 1 the responsible organisation's head, 2 the
    provincial Department of Health, 3 the Ministry of Health. A missing rung passes it upwards."""
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=responsible_ids).select_related("area")}
    provinces = {o.area.parent_id or o.area_id for o in orgs.values()}
    health = {
        o.area_id: o
        for o in Organisation.objects.filter(
            kind=OrganisationKind.PROVINCIAL_HEALTH, area_id__in=provinces, is_active=True
        ).order_by("-pk")
    }
    ministry = (
        Organisation.objects.filter(kind=OrganisationKind.MINISTRY_OF_HEALTH, is_active=True)
        .order_by("pk")
        .first()
    )

    def target(responsible_id: int, level: int) -> int:
        org = orgs[responsible_id]
        rungs = [org, health.get(org.area.parent_id or org.area_id), ministry]
        for rung in rungs[level - 1 :]:
            if rung is not None:
                return rung.pk
        return org.pk

    return target
