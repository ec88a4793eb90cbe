"""Opening and closing obligations. Entering a workflow state calls ``obligation_open`` with a rule
from the one rule table; the sweep (sweep.py) escalates what is overdue."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models, transaction
from django.utils.translation import gettext as _

from haven.accounts.models import Organisation, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import calendar, clock
from haven.core.errors import Refused
from haven.deadlines.models import DeadlineOverride, Obligation, Status
from haven.deadlines.rules import RULES, Rule, Unit


def due(start: dt.datetime, amount: int, unit: Unit | str) -> dt.datetime:
    unit = Unit(unit)  # a stored override's unit is a plain string
    if unit is Unit.HOURS:
        return calendar.add_hours(start, amount)
    if unit is Unit.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, amount)
    return calendar.add_working_days(start, amount)


def due_for(rule: Rule, start: dt.datetime, province: Area | None) -> dt.datetime:
    """The rule's deadline, or the province's stricter one (never a later one)."""
    legal = due(start, rule.amount, rule.unit)
    if province is None:
        return legal
    override = DeadlineOverride.objects.filter(rule=rule.code, province=province).first()
    if override is None:
        return legal
    return min(legal, due(start, override.amount, Unit(override.unit)))


def _subject(subject: models.Model) -> tuple[str, uuid.UUID]:
    return subject._meta.label_lower, subject.pk


@transaction.atomic
def obligation_open(
    *,
    rule_code: str,
    subject: models.Model,
    child,
    responsible: Organisation,
    start: dt.datetime | None = None,
) -> Obligation:
    """Start a clock. One open obligation per rule and subject: opening it again returns the open one."""
    rule = RULES[rule_code]
    subject_type, subject_id = _subject(subject)
    existing = Obligation.objects.filter(
        rule=rule_code, subject_type=subject_type, subject_id=subject_id, status=Status.OPEN
    ).first()
    if existing is not None:
        return existing
    start = start or clock.now()
    due_at = due_for(rule, start, responsible.area.province)
    return Obligation.objects.create(
        rule=rule_code,
        child=child,
        subject_type=subject_type,
        subject_id=subject_id,
        responsible=responsible,
        opened_at=start,
        due_at=due_at,
        next_escalation_at=due_at,
    )


@transaction.atomic
def obligations_close(
    *, subject: models.Model, rules: list[str], actor: User | None, status: str = Status.MET
) -> int:
    """Stop the clocks of ``rules`` on ``subject`` (the step was done, or is no longer needed)."""
    subject_type, subject_id = _subject(subject)
    return Obligation.objects.filter(
        subject_type=subject_type, subject_id=subject_id, rule__in=rules, status=Status.OPEN
    ).update(status=status, closed_at=clock.now(), closed_by=actor, next_escalation_at=None)


def redate(obligation: Obligation, *, start: dt.datetime) -> Obligation:
    """Run an open clock from another start (a supervisor confirmed the earlier time of a legal wait):
    its deadline and the sweep's next look follow. The caller audits."""
    obligation.opened_at = start
    obligation.due_at = due_for(RULES[obligation.rule], start, obligation.responsible.area.province)
    if obligation.escalation_level == 0:
        obligation.next_escalation_at = obligation.due_at
    obligation.save(update_fields=["opened_at", "due_at", "next_escalation_at", "updated_at"])
    return obligation


def _upper_bound_hours(amount: int, unit: Unit) -> float | None:
    """The longest a deadline can last, in hours; None when unbounded (working days over Tết)."""
    return {Unit.HOURS: amount, Unit.CALENDAR_DAYS: 24 * amount}.get(unit)


def _lower_bound_hours(amount: int, unit: Unit) -> float:
    """The shortest a deadline can last: a working day is at least a calendar day."""
    return amount if unit is Unit.HOURS else 24 * amount


def is_shorter(rule: Rule, amount: int, unit: Unit) -> bool:
    if unit is Unit.WORKING_DAYS:
        return rule.unit is Unit.WORKING_DAYS and amount < rule.amount
    return _upper_bound_hours(amount, unit) < _lower_bound_hours(rule.amount, rule.unit)


@transaction.atomic
def override_set(
    *, actor: User, rule_code: str, province: Area, amount: int, unit: Unit, legal_basis: str
) -> DeadlineOverride:
    """A province's stricter deadline for a step. Lengthening a deadline is refused."""
    from haven.access.policy import Verb
    from haven.access.scoping import granting, require

    require(actor, Verb.DEADLINE_OVERRIDE)
    # An officer of two provincial departments acts through the one of this province.
    membership = next(
        (m for m in granting(actor, Verb.DEADLINE_OVERRIDE) if m.organisation.area_id == province.pk), None
    )
    if membership is None:
        raise Refused(_("You can set deadlines only for your own province."), code="outside_area")
    rule = RULES[rule_code]
    if not rule.overridable:
        raise Refused(
            _("%(title)s is a period the law guarantees: it cannot be changed.") % {"title": rule.title},
            code="not_overridable",
        )
    if amount < 1 or not is_shorter(rule, amount, Unit(unit)):
        raise Refused(
            _("A province may only shorten a deadline: %(title)s is %(amount)s %(unit)s by law.")
            % {"title": rule.title, "amount": rule.amount, "unit": rule.unit.value},
            code="override_not_shorter",
        )
    override, _created = DeadlineOverride.objects.update_or_create(
        rule=rule_code,
        province=province,
        defaults={"amount": amount, "unit": unit, "legal_basis": legal_basis, "created_by": actor},
    )
    record(
        actor=actor,
        action="deadline.override_set",
        obj=override,
        organisation=membership.organisation,
        data={"rule": rule_code, "amount": amount, "unit": str(unit)},
    )
    return override
