"""Opening and closing obligations. Entering a workflow state calls ``obligation_open`` with a rule
from the one rule table; the sweep (sweep.py) escalates what is overdue.

Three ways to be due (rules.py): a period from the start, a date the step gives (``due=``), or a
schedule that re-opens itself (``Rule.every``: each occurrence follows the last). Rules that share a
duty keep one clock per child (``Rule.duty``): a second pathway naming the same duty finds the running
clock instead of starting another, and doing the duty in any pathway meets it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.accounts.models import Organisation, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import calendar, clock
from haven.core.errors import Refused
from haven.deadlines.models import MAX_LEVEL, DeadlineOverride, Obligation, Status
from haven.deadlines.rules import OVERRIDE_UNITS, RULES, Rule, Unit, of_duty


def due(start: dt.datetime, amount: int, unit: Unit | str) -> dt.datetime:
    unit = Unit(unit)  # a stored override's unit is a plain string
    if unit is Unit.HOURS:
        return calendar.add_hours(start, amount)
    if unit is Unit.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, amount)
    if unit is Unit.MONTHS:
        # Civil Code 2015 art. 148(3): the corresponding day of the last month, at its end.
        return calendar.day_end(calendar.add_months(calendar.local_day(start), amount))
    if unit is Unit.ON_DATE:
        raise ValueError("a rule due on a date is given its date by the step (obligation_open(due=...))")
    return calendar.add_working_days(start, amount)


def _given(when: dt.date | dt.datetime) -> tuple[dt.datetime, dt.date | None]:
    """A date the step gives is due when that day ends; a moment is due at that moment."""
    if isinstance(when, dt.datetime):
        return when, None
    return calendar.day_end(when), when


def counted_from(rule: Rule, start: dt.datetime) -> dt.datetime:
    """Where the rule's period is counted from: the start itself, or — for a same-day procedure started
    after its closing hour — the next day (``Rule.cutoff``; a day off rolls on to a working day)."""
    if rule.cutoff is None or start.astimezone(calendar.VIETNAM).time() <= rule.cutoff:
        return start
    return calendar.day_start(calendar.local_day(start) + dt.timedelta(days=1))


def due_for(rule: Rule, start: dt.datetime, province: Area | None) -> dt.datetime:
    """The rule's deadline, or the province's stricter one (never a later one)."""
    start = counted_from(rule, start)
    legal = due(start, rule.amount, rule.unit)
    if province is None:
        return legal
    override = DeadlineOverride.objects.filter(rule=rule.code, province=province).first()
    if override is None:
        return legal
    return min(legal, due(start, override.amount, Unit(override.unit)))


def _subject(subject: models.Model) -> tuple[str, uuid.UUID]:
    return subject._meta.label_lower, subject.pk


def _child_id(subject: models.Model):
    """The child a subject is about: the subject itself when it is a child, else its ``child``."""
    if subject._meta.label_lower == "people.child":
        return subject.pk
    return getattr(subject, "child_id", None)


def _due(
    rule: Rule, start: dt.datetime, responsible: Organisation, given
) -> tuple[dt.datetime, dt.date | None]:
    if given is not None:
        if rule.or_earlier:
            # Due on the date the step gives, or at the end of the period if that comes first.
            period = due_for(rule, start, responsible.area.province)
            given_at, given_on = _given(given)
            return (given_at, given_on) if given_at < period else (period, None)
        if rule.unit is not Unit.ON_DATE and rule.every is None:
            raise ValueError(f"{rule.code} runs for a period: it is not given a date")
        return _given(given)
    if rule.every is not None:
        nominal = rule.every.first(start)
        return rule.every.due_at(nominal), nominal
    return due_for(rule, start, responsible.area.province), None


@transaction.atomic
def obligation_open(
    *,
    rule_code: str,
    subject: models.Model,
    child,
    responsible: Organisation,
    start: dt.datetime | None = None,
    due: dt.date | dt.datetime | None = None,
) -> Obligation:
    """Start a clock. One open obligation per rule and subject: opening it again returns the open one.

    ``due`` is the date (due when that day ends) or the moment a rule due on a date is due — "pay by
    the 25th", "at the end of this separation" — or the first occurrence of a schedule, or the earlier
    date a period may end on (``Rule.or_earlier``: "at the plan's end"). A rule of a duty the child
    already has a clock for finds that clock (``Rule.duty``)."""
    rule = RULES[rule_code]
    subject_type, subject_id = _subject(subject)
    existing = (
        Obligation.objects.filter(
            rule=rule_code, subject_type=subject_type, subject_id=subject_id, status=Status.OPEN
        )
        .order_by("due_at")
        .first()
    )
    if existing is not None:
        return existing
    start = start or clock.now()
    if rule.duty and child is not None:
        found = _duty_clock(rule, subject_type, subject_id, child, responsible, start)
        if found is not None:
            return found
    due_at, due_on = _due(rule, start, responsible, due)
    return Obligation.objects.create(
        rule=rule_code,
        child=child,
        subject_type=subject_type,
        subject_id=subject_id,
        responsible=responsible,
        opened_at=start,
        due_at=due_at,
        due_on=due_on,
        next_escalation_at=due_at,
    )


def _duty_clock(rule: Rule, subject_type: str, subject_id, child, responsible, start) -> Obligation | None:
    """The child's one clock for the duty ``rule`` belongs to, when it runs, or should run, elsewhere.

    A rule that yields (the found-child case's review) finds the clock the child already has, or, when
    none runs, restarts it where it last ran and was met (a review done from the case restarts the
    facility's review clock, not one of the case's own). A rule that does not yield (care's review)
    takes over a yielding rule's clock: it becomes this rule's, on this subject, keeping its start, due
    date and escalations — the one review is not missed twice. Between rules that do not yield, the
    app that owns them keeps one at a time (care ends a placement's clocks before the next one's).
    """
    duty = of_duty(rule.duty)
    yielding = [code for code in duty if RULES[code].yields]
    same_duty = Obligation.objects.filter(child=child, rule__in=duty)
    if not rule.yields:
        running = (
            same_duty.filter(status=Status.OPEN, rule__in=yielding)
            .select_for_update()
            .order_by("due_at")
            .first()
        )
        if running is None:
            return None
        running.rule, running.subject_type, running.subject_id = rule.code, subject_type, subject_id
        running.responsible = responsible
        running.due_at = due_for(rule, running.opened_at, responsible.area.province)
        if running.escalation_level == 0:
            running.next_escalation_at = running.due_at
        running.save(
            update_fields=[
                "rule",
                "subject_type",
                "subject_id",
                "responsible",
                "due_at",
                "next_escalation_at",
                "updated_at",
            ]
        )
        return running
    running = same_duty.filter(status=Status.OPEN).order_by("due_at").first()
    if running is not None:
        return running
    last = same_duty.exclude(rule__in=yielding).order_by("-closed_at", "-opened_at").first()
    if last is None or last.status != Status.MET:
        return None
    due_at = due_for(RULES[last.rule], start, last.responsible.area.province)
    return Obligation.objects.create(
        rule=last.rule,
        child=child,
        subject_type=last.subject_type,
        subject_id=last.subject_id,
        responsible=last.responsible,
        opened_at=start,
        due_at=due_at,
        next_escalation_at=due_at,
    )


@transaction.atomic
def obligation_redate(
    *, rule_code: str, subject: models.Model, due: dt.date | dt.datetime
) -> Obligation | None:
    """Move the open obligation of ``rule_code`` on ``subject`` to a new date (a separation extended by
    decision): it is due then, and escalates from then if it passes again. None when none is open."""
    subject_type, subject_id = _subject(subject)
    obligation = (
        Obligation.objects.select_for_update()
        .filter(rule=rule_code, subject_type=subject_type, subject_id=subject_id, status=Status.OPEN)
        .first()
    )
    if obligation is None:
        return None
    rule = RULES[rule_code]
    obligation.due_at, obligation.due_on = _given(due)
    # A rung already climbed stays climbed (its escalation was sent); the next is counted from the new date.
    obligation.next_escalation_at = (
        obligation.due_at if obligation.escalation_level < min(MAX_LEVEL, rule.top) else None
    )
    obligation.save(update_fields=["due_at", "due_on", "next_escalation_at", "updated_at"])
    return obligation


@transaction.atomic
def obligations_close(
    *, subject: models.Model, rules: list[str], actor: User | None, status: str = Status.MET
) -> int:
    """Stop the clocks of ``rules`` on ``subject`` (the step was done, or is no longer needed).

    Done (MET): a duty's clock is met for the subject's child wherever it runs (``Rule.duty``: a review
    recorded on the found-child case meets the facility's review clock, and the other way round); a
    schedule's earliest open occurrence is met and the next one opens (``Rule.every``). No longer
    needed (CANCELLED): every open one stops, a schedule's series with it."""
    subject_type, subject_id = _subject(subject)
    now = clock.now()
    here = Q(subject_type=subject_type, subject_id=subject_id, rule__in=rules)
    if status == Status.MET:
        also = _met_with(rules)
        child_id = _child_id(subject) if also else None
        if child_id is not None:
            here |= Q(child_id=child_id, rule__in=also)
        scheduled = [code for code in rules if code in RULES and RULES[code].every is not None]
        if scheduled:
            return _close_occurrences(here, scheduled, actor, now)
    return Obligation.objects.filter(here, status=Status.OPEN).update(
        status=status, closed_at=now, closed_by=actor, next_escalation_at=None
    )


def _met_with(rules: list[str]) -> list[str]:
    """The rules whose clocks doing ``rules`` also meets for the same child: a yielding rule stands for
    its whole duty; any rule of a duty meets the yielding ones' clocks (the apps keep their own)."""
    also: set[str] = set()
    for code in rules:
        r = RULES.get(code)
        if r is None or not r.duty:
            continue
        duty = of_duty(r.duty)
        also.update(duty if r.yields else (c for c in duty if RULES[c].yields))
    return sorted(also)


def _close_occurrences(here: Q, scheduled: list[str], actor: User | None, now: dt.datetime) -> int:
    """Meet what ``here`` holds, but of a schedule only the earliest open occurrence of each subject
    (this month's payroll, not next month's too), opening its successor."""
    open_ = list(Obligation.objects.filter(here, status=Status.OPEN).select_for_update().order_by("due_at"))
    chosen, seen = [], set()
    for o in open_:
        key = (o.rule, o.subject_type, o.subject_id)
        if o.rule in scheduled:
            if key in seen:
                continue
            seen.add(key)
        chosen.append(o)
    closed = Obligation.objects.filter(pk__in=[o.pk for o in chosen], status=Status.OPEN).update(
        status=Status.MET, closed_at=now, closed_by=actor, next_escalation_at=None
    )
    for o in chosen:
        if o.rule in scheduled:
            open_next(o, done_at=now)
    return closed


def open_next(occurrence: Obligation, *, done_at: dt.datetime | None) -> Obligation | None:
    """Open the occurrence that follows ``occurrence`` of a schedule (at most once: ``follows`` is
    unique). ``done_at`` is when it was done; None when the sweep found it due undone, which opens the
    next only for a schedule kept by the calendar."""
    every = RULES[occurrence.rule].every
    if every is None or (every.from_done and done_at is None):
        return None
    if Obligation.objects.filter(follows=occurrence).exists():
        return None
    nominal = occurrence.due_on or calendar.local_day(occurrence.due_at)
    done_on = calendar.local_day(done_at) if done_at is not None else None
    following = every.next(nominal, done_on)
    due_at = every.due_at(following)
    try:
        with transaction.atomic():
            return Obligation.objects.create(
                rule=occurrence.rule,
                child_id=occurrence.child_id,
                subject_type=occurrence.subject_type,
                subject_id=occurrence.subject_id,
                responsible_id=occurrence.responsible_id,
                opened_at=done_at or clock.now(),
                due_at=due_at,
                due_on=following,
                next_escalation_at=due_at,
                follows=occurrence,
            )
    except IntegrityError:
        return None  # another process opened it first


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
    return {Unit.HOURS: amount, Unit.CALENDAR_DAYS: 24 * amount, Unit.MONTHS: 31 * 24 * amount}.get(unit)


def _lower_bound_hours(amount: int, unit: Unit) -> float:
    """The shortest a deadline can last: a working day is at least a calendar day, a month 28 days."""
    return {Unit.HOURS: amount, Unit.MONTHS: 28 * 24 * amount}.get(unit, 24 * amount)


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
    if amount < 1 or Unit(unit) not in OVERRIDE_UNITS or not is_shorter(rule, amount, Unit(unit)):
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
