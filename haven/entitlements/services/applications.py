"""Every step of the allowance procedure, each fired on the one workflow engine (haven/workflow),
which locks the application, finds who acts, checks the lawful times and the named guards, moves the
10-working-day clock, and writes the timeline, the audit event and the next actor's message. The
table of steps is workflow.py; this module adds each step's own data and the periods a decision opens
and ends.

A decision opens or ends periods (models.Entitlement), never an amount: the amount of a month is
always computed from the rules (amounts.py).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.areas.models import Area
from haven.core import calendar, clock
from haven.core.errors import Problems, Refused, invalid
from haven.entitlements import schooling, verification, workflow
from haven.entitlements.amounts import Facts, RuleBook, month_of, next_month
from haven.entitlements.models import (
    ALLOWANCE_GROUNDS,
    OPEN_STATES,
    SCHOOL_PROGRAMMES,
    Application,
    AppliedBy,
    CareSituation,
    Entitlement,
    Kind,
    Programme,
)
from haven.people.models import Child
from haven.people.rules import name_problem
from haven.workflow.engine import Firing

FLOW = workflow.FLOW
# How far ahead a change may be dated: the months a commune prepares, not years.
AHEAD_MONTHS = 12


def shown(month: dt.date) -> str:
    return month.strftime("%m/%Y")


def _counted_from(received_on: dt.date | None) -> dict:
    """The chairman's 10 working days run from the day the application was received."""
    return {"entitlement.decide": calendar.day_start(received_on)} if received_on else {}


def facts_of(period: Entitlement | Application, child: Child | None = None) -> Facts:
    child = child or period.child
    return Facts(
        born=child.date_of_birth,
        ground=period.ground,
        care_situation=period.care_situation,
        studying=period.studying,
        province_id=period.commune.parent_id,
        programme=period.programme,
    )


def running(child: Child, programme: str = Programme.MONTHLY_ALLOWANCE) -> Entitlement | None:
    """The child's period that has not been ended."""
    return Entitlement.objects.filter(child=child, programme=programme, until_month=None).first()


def _no_open_procedure(child: Child, programme: str) -> None:
    if Application.objects.filter(child=child, programme=programme, state__in=OPEN_STATES).exists():
        raise Refused(
            _("An allowance procedure is already open for this child: finish it first."), code="already_open"
        )


def _check_facts(
    problems: Problems, ground: str, care_situation: str, programme: str = Programme.MONTHLY_ALLOWANCE
) -> None:
    if programme in SCHOOL_PROGRAMMES:
        # A pupil's support keeps the ground Haven derived from the enrolment and the child's groups.
        return
    if ground not in ALLOWANCE_GROUNDS:
        problems.add("ground", _("Choose the ground."), "required")
    if care_situation not in CareSituation.values:
        problems.add("care_situation", _("Choose the care situation."), "required")


# --- Starting: an application or Haven's proposal taken up ---------------------------------------


@transaction.atomic
def application_apply(
    *,
    actor: User,
    child: Child,
    received_on: dt.date,
    ground: str,
    care_situation: str,
    studying: bool = False,
    applied_by: str = AppliedBy.CARER,
    applicant_name: str = "",
) -> Application:
    """The carer applies at the commune (the officer records it), or the facility caring for the
    child applies in Haven. The chairman's 10 working days start on the day it is received."""
    application = Application(
        child=child,
        kind=Kind.START,
        commune=child.current_commune,
        applied_by=applied_by,
        applicant_name=(applicant_name or "").strip(),
        received_on=received_on,
        ground=ground,
        care_situation=care_situation,
        studying=bool(studying),
        prepared_by=actor,
    )

    def effect(firing: Firing) -> Application:
        problems = Problems()
        _check_facts(problems, ground, care_situation)
        if received_on is None:
            problems.add("received_on", _("Give the day the application was received."), "required")
        if firing.membership is not None and firing.membership.role in workflow.FACILITY:
            application.applied_by = AppliedBy.FACILITY
            application.applicant_organisation = firing.organisation
        elif application.applied_by not in (AppliedBy.CARER, AppliedBy.FACILITY):
            problems.add("applied_by", _("Say who applied."), "required")
        if application.applied_by == AppliedBy.CARER:
            if not application.applicant_name:
                problems.add("applicant_name", _("Give the name of the carer who applied."), "required")
            elif problem := name_problem(application.applicant_name):
                problems.add("applicant_name", problem[0], problem[1])
        if child.date_of_birth is None:
            problems.add(
                "child",
                _("The child's date of birth is needed to compute the allowance: record it first."),
                "no_birth",
            )
        problems.raise_any()
        current = running(child, application.programme)
        if current is not None:
            raise Refused(
                _(
                    "The child already receives the allowance from %(commune)s since %(month)s: to change "
                    "it, "
                    "record an adjustment."
                )
                % {"commune": current.commune.name, "month": shown(current.from_month)},
                code="already_paid",
            )
        _no_open_procedure(child, application.programme)
        application.save(force_insert=True)
        return application

    return FLOW.fire(
        application,
        "apply",
        actor=actor,
        created=True,
        inputs={"received_on": received_on},
        effect=effect,
        starts=_counted_from(received_on),
    )


@transaction.atomic
def application_take_up(
    *,
    actor: User,
    application: Application,
    received_on: dt.date,
    applicant_name: str = "",
    ground: str | None = None,
    care_situation: str | None = None,
    studying: bool | None = None,
) -> Application:
    """The officer takes up Haven's proposal: checked with the carer, it becomes an application received
    on that day (the 10 working days start). The officer may correct what Haven proposed."""

    def effect(firing: Firing) -> Application:
        problems = Problems()
        if received_on is None:
            problems.add("received_on", _("Give the day the application was received."), "required")
        if application.for_school and ground is not None and ground != application.ground:
            # Derived from the child's groups: a wrong group is corrected on the child's record.
            problems.add(
                "ground",
                _(
                    "A pupil's support follows the child's recorded circumstances: correct them on the "
                    "child's record, or set the proposal aside with the reason."
                ),
                "derived",
            )
        elif ground is not None:
            application.ground = ground
        if care_situation is not None:
            application.care_situation = care_situation
        if studying is not None:
            application.studying = bool(studying)
        _check_facts(problems, application.ground, application.care_situation, application.programme)
        name = (applicant_name or "").strip()
        if name and (problem := name_problem(name)):
            problems.add("applicant_name", problem[0], problem[1])
        problems.raise_any()
        application.received_on = received_on
        application.applicant_name = name or application.applicant_name
        application.prepared_by = actor
        application.save()
        return application

    return FLOW.fire(
        application,
        "take_up",
        actor=actor,
        inputs={"received_on": received_on},
        effect=effect,
        starts=_counted_from(received_on),
    )


@transaction.atomic
def application_dismiss(*, actor: User, application: Application, reason: str) -> Application:
    """The officer sets Haven's proposal aside, saying why (the child is cared for in a facility, was
    adopted...): Haven does not propose the same thing again."""

    def effect(firing: Firing) -> Application:
        text = (reason or "").strip()
        if not text:
            raise invalid("reason", _("Say why the proposal is set aside."), "required")
        application.dismissal_reason = firing.note = text
        application.save(update_fields=["dismissal_reason", "updated_at"])
        return application

    return FLOW.fire(application, "dismiss", actor=actor, effect=effect)


@transaction.atomic
def application_verify(*, actor: User, application: Application) -> Application:
    """Check the child against the national population database (verification.py)."""

    def effect(firing: Firing) -> Application:
        person = verification.check_in_register(application.child)
        application.pin_checked_at = firing.now
        application.save(update_fields=["pin_checked_at", "updated_at"])
        firing.data["register_person"] = person.id
        return application

    return FLOW.fire(application, "verify", actor=actor, effect=effect)


# --- The chairman's answer -----------------------------------------------------------------------


def _first_amount(application: Application, month: dt.date) -> None:
    """A decision opens a period only where the rules pay something in its first month."""
    found = RuleBook.load().amount(facts_of(application), month)
    if found.amount is None:
        raise Refused(
            _(
                "No allowance can be paid for %(month)s: %(why)s Refuse in writing, or correct the "
                "application."
            )
            % {"month": shown(month), "why": found.missing},
            code="nothing_to_pay",
        )


def _open_period(application: Application, start: dt.date, commune: Area) -> Entitlement:
    # No month paid twice: no period of the child for this programme shares a month with the new one.
    clash = (
        Entitlement.objects.select_for_update(of=("self",))
        .filter(child=application.child, programme=application.programme)
        .overlapping(start, None)
        .select_related("commune")
        .first()
    )
    if clash is not None:
        raise Refused(
            _(
                "The child already receives the allowance from %(commune)s for %(month)s: it must stop there "
                "first, and continues here from the month after."
            )
            % {"commune": clash.commune.name, "month": shown(max(start, clash.from_month))},
            code="already_paid",
        )
    _first_amount(application, start)
    return Entitlement.objects.create(
        child=application.child,
        programme=application.programme,
        commune=commune,
        ground=application.ground,
        care_situation=application.care_situation,
        studying=application.studying,
        from_month=start,
        decision=application,
    )


def _end_period(application: Application, until: dt.date) -> Entitlement:
    current = Entitlement.objects.select_for_update(of=("self",)).get(pk=application.entitlement_id)
    if current.until_month is not None:
        raise Refused(_("This allowance has already stopped."), code="already_stopped")
    if until <= current.from_month:
        raise invalid(
            "effective_month",
            _("A change takes effect after the first month paid (%(month)s).")
            % {"month": shown(current.from_month)},
            "before_start",
        )
    current.until_month, current.ended_by = until, application
    current.save(update_fields=["until_month", "ended_by", "updated_at"])
    return current


@transaction.atomic
def application_decide(
    *, actor: User, application: Application, decision_number: str, decided_on: dt.date
) -> Application:
    """The chairman decides. A start is paid from the month of the decision; a continuation after a
    move from the month the previous commune stopped (no gap, no month twice); an adjustment or a stop
    from the month the application names."""

    def effect(firing: Firing) -> Application:
        application.decision_number = decision_number.strip()
        application.decided_on = decided_on
        application.decided_by = actor
        kind = application.kind
        if application.for_school:
            from haven.entitlements.services.schooling import instalments_of

            # A pupil's support covers its enrolment's months; the semesters begun are counted at once.
            application.effective_month = schooling.first_month(application.enrolment)
            firing.then.append(lambda: instalments_of(application, today=clock.localdate(firing.now)))
        elif kind == Kind.START:
            application.effective_month = month_of(decided_on)
            _open_period(application, application.effective_month, application.commune)
            firing.then.append(lambda: _on_foundling_case(application, actor))
        elif kind == Kind.CONTINUE:
            application.effective_month = application.entitlement.until_month
            _open_period(application, application.effective_month, application.commune)
        elif kind == Kind.ADJUST:
            ended = _end_period(application, application.effective_month)
            _open_period(application, application.effective_month, ended.commune)
        else:
            stopped = _end_period(application, application.effective_month)
            if application.moved_to_id is not None:
                from haven.entitlements import proposals

                firing.then.append(lambda: proposals.propose_continuation(stopped, application.moved_to))
        application.save()
        firing.data.update(
            {
                "decision_number": application.decision_number,
                "from_month": application.effective_month.isoformat(),
            }
        )
        return application

    return FLOW.fire(
        application,
        "decide",
        actor=actor,
        inputs={"decision_number": decision_number, "decided_on": decided_on},
        effect=effect,
    )


def _on_foundling_case(application: Application, actor: User) -> None:
    """A found child's case waits for the allowance decision among its papers: the chairman's decision
    is recorded there too, with the amount the rules give, so the case's clock is met by this decision
    and nobody types the decision or an amount twice. Where the chairman may not take the case's step,
    it stays open for whoever may."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from haven.foundlings.models import FoundlingCase
    from haven.foundlings.models import State as CaseState
    from haven.foundlings.services import foundling_record_paper

    case = FoundlingCase.objects.filter(
        child=application.child, state=CaseState.BIRTH_REGISTERED, allowance_decision=""
    ).first()
    if case is None:
        return
    start = application.effective_month
    try:
        with transaction.atomic():
            foundling_record_paper(
                actor=actor,
                case=case,
                paper="allowance",
                allowance_decision=application.decision_number,
                allowance_from=start,
                allowance_monthly_vnd=RuleBook.load().amount(facts_of(application), start).amount,
            )
    except (Refused, ValidationError, Http404):
        return


@transaction.atomic
def application_refuse(
    *, actor: User, application: Application, decided_on: dt.date, reasons: str
) -> Application:
    """The written refusal, with its reasons, dated."""

    def effect(firing: Firing) -> Application:
        application.refusal_reasons = firing.note = reasons.strip()
        application.decided_on = decided_on
        application.decided_by = actor
        application.save(update_fields=["refusal_reasons", "decided_on", "decided_by", "updated_at"])
        return application

    return FLOW.fire(
        application,
        "refuse",
        actor=actor,
        inputs={"decided_on": decided_on, "reasons": reasons},
        effect=effect,
    )


# --- Changing a running allowance: adjust, stop, move --------------------------------------------


@transaction.atomic
def entitlement_change(
    *,
    actor: User,
    entitlement: Entitlement,
    kind: str,
    received_on: dt.date,
    effective_month: dt.date,
    reason: str,
    ground: str | None = None,
    care_situation: str | None = None,
    studying: bool | None = None,
    moved_to: Area | None = None,
) -> Application:
    """An adjustment or a stop, prepared by the commune that pays, for the chairman to decide. It takes
    effect from the first day of ``effective_month`` (by default the month after the change: Decree
    20/2021 as amended, a stop or an adjustment from the following month)."""
    if kind not in (Kind.ADJUST, Kind.STOP):
        raise ValueError(kind)
    application = Application(
        child=entitlement.child,
        programme=entitlement.programme,
        kind=kind,
        commune=entitlement.commune,
        applied_by=AppliedBy.COMMUNE,
        received_on=received_on,
        ground=ground if ground is not None else entitlement.ground,
        care_situation=care_situation if care_situation is not None else entitlement.care_situation,
        studying=entitlement.studying if studying is None else bool(studying),
        effective_month=month_of(effective_month) if effective_month else None,
        reason=(reason or "").strip(),
        entitlement=entitlement,
        moved_to=moved_to,
        prepared_by=actor,
    )

    def effect(firing: Firing) -> Application:
        problems = Problems()
        _check_facts(problems, application.ground, application.care_situation)
        if received_on is None:
            problems.add("received_on", _("Give the day the change was reported."), "required")
        month = application.effective_month
        if month is None:
            problems.add("effective_month", _("Give the month the change takes effect."), "required")
        elif month <= entitlement.from_month:
            problems.add(
                "effective_month",
                _("A change takes effect after the first month paid (%(month)s).")
                % {"month": shown(entitlement.from_month)},
                "before_start",
            )
        elif received_on is not None and month > month_of(received_on).replace(
            year=received_on.year + AHEAD_MONTHS // 12
        ):
            problems.add("effective_month", _("A change is prepared at most a year ahead."), "too_far")
        if not application.reason:
            problems.add("reason", _("Say what changed."), "required")
        unchanged = (application.ground, application.care_situation, application.studying) == (
            entitlement.ground,
            entitlement.care_situation,
            entitlement.studying,
        )
        if kind == Kind.ADJUST and unchanged:
            problems.add(
                "ground",
                _(
                    "Nothing changes: the amount already follows the child's age and the legal level by "
                    "itself."
                ),
                "unchanged",
            )
        if moved_to is not None and (moved_to.level != "commune" or moved_to.pk == entitlement.commune_id):
            problems.add("moved_to", _("Choose the commune the child moved to."), "unknown_commune")
        problems.raise_any()
        if entitlement.until_month is not None:
            raise Refused(_("This allowance has already stopped."), code="already_stopped")
        _no_open_procedure(entitlement.child, entitlement.programme)
        application.save(force_insert=True)
        return application

    return FLOW.fire(
        application,
        "apply",
        actor=actor,
        created=True,
        inputs={"received_on": received_on},
        effect=effect,
        starts=_counted_from(received_on),
    )


def entitlement_move(
    *, actor: User, entitlement: Entitlement, moved_to: Area, moved_on: dt.date, received_on: dt.date
) -> Application:
    """The child moved to another commune: this commune's chairman stops the allowance from the month
    after the move, and once decided Haven proposes the continuation to the new commune, from that
    same month (no gap month, no month paid twice)."""
    return entitlement_change(
        actor=actor,
        entitlement=entitlement,
        kind=Kind.STOP,
        received_on=received_on,
        effective_month=next_month(month_of(moved_on)) if moved_on else None,
        reason=_("The child moved to %(commune)s on %(day)s.")
        % {
            "commune": moved_to.name if moved_to else "",
            "day": moved_on.strftime("%d/%m/%Y") if moved_on else "",
        },
        moved_to=moved_to,
    )
