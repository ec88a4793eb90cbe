"""The Form 16 decision as a table (Law on Children art. 69; Decree 56/2017 art. 48(2)): the commune
chairman or the facility's managing authority ends or changes a child's alternative care; the
placements it ends and starts take their own steps (care/workflow/placements.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.selectors import authority_for
from haven.care import decisions, termination
from haven.care.models import (
    FAMILY_FORMS,
    CareChangeDecision,
    CareFamily,
    CareForm,
    DecisionState,
    FamilyKind,
)
from haven.care.workflow.families import F
from haven.care.workflow.roles import DECIDERS, start_of
from haven.core.errors import Refused
from haven.people.rules import reference_problem
from haven.workflow.engine import Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard


@guard(
    "care.form16_complete",
    "A ground of Law on Children art. 69, the decision's number, its facts where the ground needs them, "
    "and a next form of care that fits the ground (Decree 56/2017 art. 48(2), Form 16).",
)
def form16_complete(firing: Firing) -> None:
    from django.core.exceptions import ValidationError

    i, placement = firing.inputs, firing.subject.ended
    errors: dict[str, ValidationError] = {}

    def refuse(name: str, message: str, code: str) -> None:
        errors.setdefault(name, ValidationError(message, code=code))

    ground, form = i.get("ground"), (i.get("form") or "").strip()
    chosen = termination.BY_CODE.get(ground)
    if chosen is None:
        refuse("ground", _("Choose a ground of the decision."), "required")
    number = (i.get("decision_number") or "").strip()
    if not number:
        refuse("decision_number", _("Give the number of the decision."), "required")
    elif problem := reference_problem(number):
        refuse("decision_number", problem, "bad_reference")
    if chosen is not None and chosen.needs_note and not (i.get("note") or "").strip():
        refuse("note", _("Set out the facts on which the decision rests."), "required")
    if ground == "family_found" and placement.group_id is None:
        refuse("ground", _("This ground is for a child in a facility."), "wrong_ground")
    if ground == decisions.ENDS_CARE:
        if form:
            refuse("form", _("On reunification the child leaves alternative care."), "not_allowed")
    elif form not in decisions.NEXT_FORMS:
        refuse("form", _("Choose the child's next form of care."), "required")
    if ground == "family_found" and form == CareForm.FACILITY_GROUP:
        refuse("form", _("This ground moves the child to a family."), "wrong_form")
    if form == CareForm.FACILITY_GROUP:
        group = i.get("group")
        if group is None:
            refuse("group", _("Choose the small group."), "required")
        elif group.pk == placement.group_id:
            refuse("group", _("The child is already in this group."), "unchanged")
    elif form in FAMILY_FORMS:
        family = i.get("family")
        if family is None:
            refuse("family", _("Choose the family."), "required")
        elif placement.family_id == family.pk:
            refuse("family", _("The child already lives with this family."), "unchanged")
        elif form != (CareForm.KIN if family.kind == FamilyKind.KIN else CareForm.FOSTER):
            refuse("form", _("The form of care does not match the family (relatives or not)."), "wrong_form")
    if errors:
        raise ValidationError(errors)


@guard(
    "care.no_pending_handover",
    "No family chosen for the child by Form 12 awaits the handover, unless the child moves between "
    "facilities (the handover would undo or contradict the decision).",
)
def no_pending_handover(firing: Firing) -> None:
    form, family = firing.inputs.get("form"), firing.inputs.get("family")
    if form == CareForm.FACILITY_GROUP:
        return
    if (
        CareFamily.objects.filter(decided_child=firing.subject.child, state=F.CHOSEN)
        .exclude(pk=family.pk if family is not None else None)
        .exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )


def _childs_commune(firing: Firing):
    """On reunification the child's own commune supports the family the child returns to."""
    decision = firing.subject
    if decision.started_id is not None:
        return None
    commune = authority_for(decision.child.current_commune)
    return None if commune == firing.organisation else commune


DECISION_TRANSITIONS: dict[str, Transition] = {
    # The child aged 7 or over is heard on every decision changing the care (Law on Children art. 60(3),
    # 69). The placement ends on the day the decision takes effect and the next begins that day.
    "change_decide": Transition(
        frozenset(),
        DecisionState.IN_EFFECT,
        DECIDERS,
        gettext_lazy("End or change the care (Form 16)"),
        guards=("care.form16_complete", "care.after_recorded", "care.no_pending_handover", "child_heard"),
        times=("on",),
        verb=Verb.CARE_DECIDE,
        tells=(
            Tell(
                gettext_lazy(
                    "A child returns to the parents by decision (Form 16): support the family and follow "
                    "the child"
                ),
                to=_childs_commune,
            ),
        ),
    ),
}

DECISIONS = Workflow(
    "care_decision",
    model=CareChangeDecision,
    states=DecisionState,
    transitions=DECISION_TRANSITIONS,
    verb=Verb.CARE_DECIDE,
    responsible=lambda decision, code: decision.organisation,
    visible=lambda user, decision: decisions.decisions_readable(user).filter(pk=decision.pk).exists(),
    begins=lambda decision: (start_of(decision.ended.started_on), _("the placement started")),
    link=lambda decision: f"/care/decisions/{decision.pk}/",
    audit_prefix="care",
    title=gettext_lazy("Decision changing alternative care (Form 16)"),
)
