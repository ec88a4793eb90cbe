"""Enrolment: asked for by whoever cares for the child, admitted by the school, or recorded; a few
lines of data around one ``FLOW.fire`` each (education/workflow.py).

Papers are never a condition. A child enrolled without a personal identification number is flagged
(the education sector's database keys on it: Circular 42/2021/TT-BGDĐT art. 10), and the commune owes
the birth registration and the PIN (``education.papers``). A child enrolled after a move closes the
obligation to enrol them there and ends the count of days out of school.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting, reach
from haven.accounts.models import Membership, User
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.services import obligations_close
from haven.education import ages, clocks
from haven.education.models import CURRENT_STATES, Enrolment, School, SchoolMove, State
from haven.education.workflow import CARERS, FLOW, SCHOOL
from haven.people.models import Child, Involvement, InvolvementBasis
from haven.workflow.engine import Firing


def _membership(actor: User, child: Child, school: School, roles) -> Membership:
    """Who acts on a new enrolment: a school's officer for its own school, for a child it already
    reaches (the next year's enrolment); a carer for a child they reach. Anyone else: not found."""
    for m in granting(actor, Verb.EDUCATION_RECORD):
        if m.role not in roles:
            continue
        if m.role in SCHOOL and m.organisation_id != school.organisation_id:
            continue
        q = reach([m])
        if q is not None and Child.objects.filter(q, pk=child.pk, merged_into__isnull=True).exists():
            return m
    raise NotVisible


def _involve(enrolment: Enrolment) -> None:
    """The school sees the child while the child is enrolled with it, or asked to be."""
    organisation = enrolment.school.organisation
    if not Involvement.objects.current().filter(child=enrolment.child, organisation=organisation).exists():
        Involvement.objects.create(
            child=enrolment.child, organisation=organisation, basis=InvolvementBasis.ENROLMENT
        )


def _uninvolve(enrolment: Enrolment) -> None:
    """The school stops seeing the child once no enrolment of the child with it is current."""
    others = Enrolment.objects.filter(
        child=enrolment.child, school=enrolment.school, state__in=CURRENT_STATES
    ).exclude(pk=enrolment.pk)
    if others.exists():
        return
    Involvement.objects.filter(
        child=enrolment.child,
        organisation=enrolment.school.organisation,
        basis=InvolvementBasis.ENROLMENT,
        ended_at__isnull=True,
    ).update(ended_at=clock.now())


def _age_decision(enrolment: Enrolment, *, age_basis: str, age_decided_by: str, age_decision: str) -> None:
    enrolment.age_basis = age_basis or ""
    enrolment.age_decided_by = (age_decided_by or "").strip()[:200]
    enrolment.age_decision = (age_decision or "").strip()[:100]


def _save_new(enrolment: Enrolment) -> None:
    try:
        with transaction.atomic():
            enrolment.save(force_insert=True)
    except IntegrityError:
        # The database keeps one current enrolment per child and school year (a race the guard missed).
        raise Refused(
            _("The child is already enrolled (or asked to enrol) for this school year."),
            code="already_enrolled",
        ) from None


def _enrolled(firing: Firing, enrolment: Enrolment) -> None:
    """What follows an admission: the years over the standard age are kept with the decision; a child
    without a PIN opens the obligation to obtain it; a move's obligation is met."""
    born = enrolment.child.date_of_birth
    if born is not None:
        enrolment.over_age_years = max(
            0, ages.over_age_years(born.year, enrolment.school_year, enrolment.level, enrolment.grade)
        )
    if enrolment.over_age_years == 0:
        enrolment.age_basis = enrolment.age_decided_by = enrolment.age_decision = ""
    firing.data.update(
        {
            "school": enrolment.school.code,
            "year": enrolment.school_year,
            "level": enrolment.level,
            "grade": enrolment.grade,
            "over_age_years": enrolment.over_age_years,
            "age_basis": enrolment.age_basis,
        }
    )
    if (
        not enrolment.child.pin_index
        and not Obligation.objects.filter(
            child=enrolment.child, rule=clocks.PAPERS, status=Status.OPEN
        ).exists()
    ):
        firing.also_opens.append(clocks.PAPERS)
        firing.data["without_pin"] = True
    firing.then.append(lambda: _resume_after_move(enrolment, firing.actor))


def _resume_after_move(enrolment: Enrolment, actor: User | None) -> None:
    for move in SchoolMove.objects.select_for_update().filter(
        child=enrolment.child, resumed_on__isnull=True, moved_on__lte=enrolment.started_on
    ):
        move.resumed_on, move.enrolment = max(enrolment.started_on, move.moved_on), enrolment
        move.save(update_fields=["resumed_on", "enrolment", "updated_at"])
        obligations_close(subject=move, rules=[clocks.ENROL_AFTER_MOVE], actor=actor)


@transaction.atomic
def enrolment_request(
    *,
    actor: User,
    child: Child,
    school: School,
    school_year: int,
    level: str,
    grade: int,
    note: str = "",
) -> Enrolment:
    """A commune or a facility asks a school to take the child: the school answers within 5 working
    days (admits, or says why not)."""
    membership = _membership(actor, child, school, CARERS)
    enrolment = Enrolment(
        child=child,
        school=school,
        school_year=school_year,
        level=level,
        grade=grade,
        state=State.REQUESTED,
        requested_by=membership.organisation,
        note=(note or "").strip()[:300],
    )

    def effect(firing: Firing) -> Enrolment:
        _save_new(enrolment)
        _involve(enrolment)
        firing.data.update({"school": school.code, "year": school_year, "level": level, "grade": grade})
        return enrolment

    return FLOW.fire(enrolment, "request", actor=actor, membership=membership, created=True, effect=effect)


@transaction.atomic
def enrolment_admit(
    *,
    actor: User,
    enrolment: Enrolment,
    started_on: dt.date | None,
    class_name: str = "",
    age_basis: str = "",
    age_decided_by: str = "",
    age_decision: str = "",
) -> Enrolment:
    """The school admits the child it was asked to enrol; papers are not asked for."""
    decision = {"age_basis": age_basis, "age_decided_by": age_decided_by, "age_decision": age_decision}

    def effect(firing: Firing) -> Enrolment:
        enrolment.started_on = started_on
        enrolment.class_name = (class_name or "").strip()[:20]
        _age_decision(
            enrolment, age_basis=age_basis, age_decided_by=age_decided_by, age_decision=age_decision
        )
        _enrolled(firing, enrolment)
        enrolment.save()
        return enrolment

    return FLOW.fire(
        enrolment, "admit", actor=actor, inputs={"started_on": started_on, **decision}, effect=effect
    )


@transaction.atomic
def enrolment_decline(*, actor: User, enrolment: Enrolment, reason: str) -> Enrolment:
    def effect(firing: Firing) -> Enrolment:
        enrolment.note = reason.strip()[:300]
        enrolment.save(update_fields=["note", "updated_at"])
        firing.note = enrolment.note
        _uninvolve(enrolment)
        return enrolment

    return FLOW.fire(enrolment, "decline", actor=actor, inputs={"reason": reason}, effect=effect)


@transaction.atomic
def enrolment_record(
    *,
    actor: User,
    child: Child,
    school: School,
    school_year: int,
    level: str,
    grade: int,
    started_on: dt.date | None,
    class_name: str = "",
    age_basis: str = "",
    age_decided_by: str = "",
    age_decision: str = "",
) -> Enrolment:
    """An enrolment known to have happened (the child already goes to this school), or a school's own
    enrolment of a pupil it already has for the next school year."""
    membership = _membership(actor, child, school, CARERS | SCHOOL)
    enrolment = Enrolment(
        child=child,
        school=school,
        school_year=school_year,
        level=level,
        grade=grade,
        state=State.ENROLLED,
        started_on=started_on,
        class_name=(class_name or "").strip()[:20],
        requested_by=membership.organisation if membership.role in CARERS else None,
    )
    _age_decision(enrolment, age_basis=age_basis, age_decided_by=age_decided_by, age_decision=age_decision)

    def effect(firing: Firing) -> Enrolment:
        _enrolled(firing, enrolment)
        _save_new(enrolment)
        _involve(enrolment)
        return enrolment

    return FLOW.fire(
        enrolment,
        "enrol",
        actor=actor,
        membership=membership,
        created=True,
        inputs={
            "started_on": started_on,
            "age_basis": age_basis,
            "age_decided_by": age_decided_by,
            "age_decision": age_decision,
        },
        effect=effect,
    )


@transaction.atomic
def enrolment_leave(*, actor: User, enrolment: Enrolment, ended_on: dt.date | None, reason: str) -> Enrolment:
    """The child left the school (completed, transferred, dropped out...): the enrolment ends on the
    first day the child no longer attends."""

    def effect(firing: Firing) -> Enrolment:
        enrolment.ended_on, enrolment.end_reason = ended_on, reason
        enrolment.save(update_fields=["ended_on", "end_reason", "updated_at"])
        firing.data.update({"ended_on": ended_on.isoformat(), "reason": reason})
        _uninvolve(enrolment)
        return enrolment

    return FLOW.fire(
        enrolment, "leave", actor=actor, inputs={"ended_on": ended_on, "reason": reason}, effect=effect
    )


def papers_sweep() -> int:
    """Each pass of `haven sweep`: an obligation to obtain a child's PIN is met once the child has one
    (the civil-status officer registered the birth, or the population register answered)."""
    met = 0
    for obligation in Obligation.objects.filter(
        rule=clocks.PAPERS, status=Status.OPEN, child__pin_index__isnull=False
    ).select_related("child"):
        if obligation.child.pin_index:
            met += Obligation.objects.filter(pk=obligation.pk, status=Status.OPEN).update(
                status=Status.MET, closed_at=clock.now(), next_escalation_at=None
            )
    return met
