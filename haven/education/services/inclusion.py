"""Inclusion of a child with a disability: the form of education the parent or guardian chose (Law on
Persons with Disabilities 51/2010/QH12 art. 27–28: inclusive education is the main form, the guardian
chooses), the individual education plan with its review date on the deadline engine (Circular
03/2018/TT-BGDĐT), and the accommodations the child needs."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting, reach
from haven.accounts.models import User
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems
from haven.deadlines.services import obligation_open, obligations_close
from haven.education import clocks
from haven.education.models import Enrolment, InclusionPlan, Mode, State
from haven.education.workflow import CARERS, SCHOOL
from haven.people.models import CircumstanceGroup, SpecialCircumstance


@transaction.atomic
def inclusion_plan_record(
    *,
    actor: User,
    enrolment: Enrolment,
    mode: str,
    chosen_by: str,
    plan_reference: str,
    review_on: dt.date | None,
    accommodations: str = "",
) -> InclusionPlan:
    """The school (or whoever cares for the child) records the guardian's choice and the plan; a plan
    recorded again replaces the one before, whose review clock stops."""
    membership = next(
        (
            m
            for m in granting(actor, Verb.EDUCATION_RECORD)
            if (m.role in SCHOOL and m.organisation_id == enrolment.school.organisation_id)
            or (
                m.role in CARERS
                and enrolment.child.__class__.objects.filter(reach([m]), pk=enrolment.child_id).exists()
            )
        ),
        None,
    )
    if membership is None:
        raise NotVisible
    today = clock.today()
    problems = Problems()
    if enrolment.state != State.ENROLLED:
        problems.add("__all__", _("The child is not enrolled at this school."), "not_enrolled")
    if (
        not SpecialCircumstance.objects.in_force(today)
        .filter(child_id=enrolment.child_id, group=CircumstanceGroup.HCDB_D)
        .exists()
    ):
        problems.add(
            "__all__",
            _("An inclusion plan is for a child recorded with a disability (Law on Children art. 10(d))."),
            "no_disability",
        )
    if mode not in Mode.values:
        problems.add("mode", _("Choose the form of education the guardian chose."), "required")
    if not (chosen_by or "").strip():
        problems.add("chosen_by", _("Give the parent or guardian who chose."), "required")
    if not (plan_reference or "").strip():
        problems.add("plan_reference", _("Give the plan's reference."), "required")
    if review_on is None:
        problems.add("review_on", _("Give the day the plan is to be reviewed."), "required")
    elif review_on <= today:
        problems.add("review_on", _("The review is a day after today."), "not_future")
    problems.raise_any()
    previous = (
        InclusionPlan.objects.select_for_update()
        .filter(child_id=enrolment.child_id, valid_to__isnull=True)
        .first()
    )
    if previous is not None:
        previous.valid_to = today if previous.valid_from < today else previous.valid_from
        previous.save(update_fields=["valid_to", "updated_at"])
        obligations_close(subject=previous, rules=[clocks.PLAN_REVIEW], actor=actor)
    plan = InclusionPlan.objects.create(
        child_id=enrolment.child_id,
        enrolment=enrolment,
        mode=mode,
        chosen_by=chosen_by.strip()[:150],
        plan_reference=plan_reference.strip()[:100],
        review_on=review_on,
        accommodations=(accommodations or "").strip()[:500],
        valid_from=today,
        recorded_by=actor,
    )
    obligation_open(
        rule_code=clocks.PLAN_REVIEW,
        subject=plan,
        child=enrolment.child,
        responsible=enrolment.school.organisation,
        due=review_on,
    )
    record(
        actor=actor,
        action="education.inclusion_plan",
        obj=plan,
        organisation=membership.organisation,
        data={
            "mode": mode,
            "review_on": review_on.isoformat(),
            "replaces": str(previous.pk) if previous else None,
        },
    )
    return plan
