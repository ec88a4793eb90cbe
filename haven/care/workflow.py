"""Family-like care as three tables on the one workflow engine (haven/workflow): for each step, the
states it leaves and enters, who may take it, what it requires (named guards), which clocks it stops
and starts, and whom it tells.

- The family (Decree 56/2017 art. 41; Circular 14/2020 Forms 08, 11, 12; Law on Children art. 64):
  registered → verified or not eligible → chosen for a child (Form 12) → handed the child → its care
  ended; removed from the register at the quarterly update.
- The placement (Law on Children art. 47(4), 62, 68): it begins when a facility admits a child, a child
  moves into a group, or a family takes the child; it is reviewed, visited and given a room; it ends
  when the child moves, leaves for a family, leaves care, or by decision (Form 16).
- The Form 16 decision (Law on Children art. 69; Decree 56/2017 art. 48(2)).

A room is not a record with a state: assigning a child's room is a step of the child's placement.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb, allows
from haven.access.scoping import reach
from haven.accounts.models import Membership, Role, User
from haven.accounts.selectors import authority_for
from haven.care import capacity, decisions, families, termination
from haven.care.authority import facility_of, is_managing, monitoring_authority
from haven.care.models import (
    FAMILY_FORMS,
    CareChangeDecision,
    CareFamily,
    CareForm,
    DecisionState,
    FamilyKind,
    FamilyStatus,
    Placement,
    PlacementState,
)
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.people.models import Child
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard

R = Role
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
COMMUNE = OFFICER | CHAIRMAN
FACILITY_STAFF = frozenset({R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER})
# Form 16 (Law on Children art. 69; Decree 56/2017 art. 48(2)): the commune chairman, or a facility's
# managing authority (the provincial Department of Health for a facility of the province).
DECIDERS = frozenset({R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER})
# Who ends or moves a placement: the facility holding the child or its managing authority; for a child
# in a family, whoever manages care for the child (the commune officer).
HOLDERS = FACILITY_STAFF | DECIDERS | OFFICER
# Alternative care decided by the commune chairman (Form 12, or Form 16): ended only by a Form 16
# decision while the person is a child, under 16 (Law on Children art. 1). Adoption follows the Law on
# Adoption.
DECIDED_FAMILY_FORMS = frozenset({CareForm.KIN, CareForm.FOSTER})
CHILD_UNTIL_YEARS = 16
ALL_CLOCKS = ("care.review", "care.family_plan", "care.monitoring")


def start_of(day: dt.date) -> dt.datetime:
    """A date as the first moment of that day in Vietnam time (when a clock runs from a date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _given(firing: Firing, name: str, message: str) -> None:
    if not str(firing.inputs.get(name) or "").strip():
        raise invalid(name, message, "required")


# --- The family ---------------------------------------------------------------------------------

F = FamilyStatus
ON_REGISTER = frozenset(families.ON_REGISTER)
# A family that has taken a child may be chosen again, for a sibling (siblings stay together), and one
# whose care has ended may be chosen again.
CHOOSABLE = frozenset({F.VERIFIED, F.HANDED_OVER, F.ENDED})
NOT_CHOSEN = gettext_lazy("Only a verified family can be chosen.")
NOT_ON_REGISTER = gettext_lazy("This family is not on the register.")
IN_CARE = gettext_lazy(
    "This family has been chosen for a child or cares for one: end the care by decision (Form 16) first."
)


@guard(
    "care.family_conditions",
    "The family meets the conditions of Law on Children art. 64 and Decree 56/2017 art. 41.",
)
def family_conditions(firing: Firing) -> None:
    from django.core.exceptions import ValidationError

    i = firing.inputs
    failed = families.conditions(
        kind=i["kind"],
        applicant_born_on=i.get("applicant_born_on"),
        health_certificate_on=i.get("health_certificate_on"),
        consent=i.get("household_consent", False),
        clean=i.get("no_abuse_record", False),
    )
    if failed:
        raise ValidationError(
            {name: ValidationError(message, code="condition_failed") for name, message in failed}
        )


@guard("care.one_family_per_child", "No other family has been chosen for the child or has taken it.")
def one_family_per_child(firing: Firing) -> None:
    child, family = firing.inputs["child"], firing.subject
    if (
        CareFamily.objects.filter(decided_child=child, state=F.CHOSEN).exclude(pk=family.pk).exists()
        or Placement.objects.filter(child=child, ended_on__isnull=True, family__isnull=False).exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )


@guard(
    "care.family_fits_child",
    "A caregiver who is not a relative is at least 20 years older than the child; relatives are the "
    "child's (or a sibling's) (Law on Children art. 64).",
)
def family_fits_child(firing: Firing) -> None:
    reasons = families.family_refusals(firing.subject, firing.inputs["child"])
    if reasons:
        raise Refused(" ".join(reasons), code="condition_failed")


@guard(
    "care.child_not_with_another_family",
    "The child has not meanwhile been given to another family (Law on Children art. 69; Form 16).",
)
def child_not_with_another_family(firing: Firing) -> None:
    family = firing.subject
    if (
        Placement.objects.filter(child=family.decided_child_id, ended_on__isnull=True, family__isnull=False)
        .exclude(family=family)
        .exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )


@guard("care.not_reviewed_this_quarter", "The family has not been reviewed in this quarter's update yet.")
def not_reviewed_this_quarter(firing: Firing) -> None:
    from haven.care.models import RegisterUpdate

    family = firing.subject
    update = RegisterUpdate.objects.filter(commune=family.commune_id, completed_on__isnull=True).first()
    if update is not None and family.confirmed_in_id == update.pk:
        raise Refused(_("This family has already been reviewed this quarter."), code="unchanged")


def _commune_of(firing: Firing):
    return authority_for(firing.subject.commune)


def _facility_holding(firing: Firing):
    """The facility where the child chosen by Form 12 now lives: it prepares the handover."""
    current = (
        Placement.objects.filter(child=firing.inputs["child"], ended_on__isnull=True, group__isnull=False)
        .select_related("group__home__facility__organisation")
        .first()
    )
    return current.group.home.facility.organisation if current else None


FAMILY_TRANSITIONS: dict[str, Transition] = {
    # Decree 56/2017 art. 41, Form 08; a relative notifies the commune (Law on Children art. 65(4)).
    "family_register": Transition(
        frozenset(),
        F.REGISTERED,
        OFFICER,
        gettext_lazy("Register a family (Form 08 or a relative's notification)"),
        guards=("care.family_conditions",),
    ),
    # Form 11: the commune's child-protection officer verifies the conditions at the home; the
    # chairman decides next (Form 12).
    "family_verify": Transition(
        frozenset({F.REGISTERED}),
        F.VERIFIED,
        OFFICER,
        gettext_lazy("Verify the family (Form 11)"),
        refused={s: gettext_lazy("This family has already been verified.") for s in F if s != F.REGISTERED},
        tells=(
            Tell(
                lambda f: (
                    _(
                        "Family %(name)s is verified (Form 11): the chairman may decide to hand it a child "
                        "(Form 12)"
                    )
                    % {"name": f.subject.applicant_name}
                ),
                to=_commune_of,
            ),
        ),
    ),
    "family_not_eligible": Transition(
        frozenset({F.REGISTERED}),
        F.NOT_ELIGIBLE,
        OFFICER,
        gettext_lazy("Find the family not eligible (Form 11)"),
        refused={s: gettext_lazy("This family has already been verified.") for s in F if s != F.REGISTERED},
    ),
    # Form 12: the chairman of the commune where the family lives decides; the handover is due within
    # 15 working days; the officer arranges it and the facility holding the child prepares it.
    "family_decide": Transition(
        CHOOSABLE,
        F.CHOSEN,
        CHAIRMAN,
        gettext_lazy("Decide to hand a child to this family (Form 12)"),
        guards=("care.one_family_per_child", "care.family_fits_child", "child_heard"),
        opens=("care.handover",),
        refused={s: NOT_CHOSEN for s in F if s not in CHOOSABLE},
        tells=(
            Tell(
                lambda f: (
                    _(
                        "The chairman chose family %(name)s for a child (Form 12): hand the child over "
                        "within 15 working days"
                    )
                    % {"name": f.subject.applicant_name}
                ),
                to=_commune_of,
            ),
            Tell(
                gettext_lazy(
                    "A family was chosen for a child of your facility (Form 12): prepare the handover"
                ),
                to=_facility_holding,
            ),
        ),
    ),
    "family_handover": Transition(
        frozenset({F.CHOSEN}),
        F.HANDED_OVER,
        COMMUNE,
        gettext_lazy("Hand the child over"),
        guards=("care.child_not_with_another_family",),
        closes=("care.handover",),
        refused={s: gettext_lazy("The chairman has not chosen this family for a child.") for s in F},
        confirm=gettext_lazy(
            "The child's current care ends today and the family's begins; the commune visits the family "
            "at least every 6 months."
        ),
    ),
    # Form 16 gives the child to a family directly (Law on Children art. 69).
    "family_give": Transition(
        CHOOSABLE,
        F.HANDED_OVER,
        DECIDERS,
        gettext_lazy("The child is given to the family by decision (Form 16)"),
        guards=("care.family_fits_child",),
        refused={s: NOT_CHOSEN for s in F if s not in CHOOSABLE},
    ),
    # The last child the family cared for has left it (Form 16, or the child turned 16).
    "family_care_ended": Transition(
        frozenset({F.HANDED_OVER}), F.ENDED, SYSTEM, gettext_lazy("The family no longer cares for a child")
    ),
    # Decree 56/2017 art. 41: the commune updates its register every quarter.
    "family_confirm": Transition(
        ON_REGISTER,
        None,
        COMMUNE,
        gettext_lazy("Confirm the family on the register"),
        guards=("care.not_reviewed_this_quarter",),
        refused={s: NOT_ON_REGISTER for s in F},
    ),
    "family_remove": Transition(
        frozenset({F.REGISTERED, F.VERIFIED, F.ENDED}),
        F.REMOVED,
        COMMUNE,
        gettext_lazy("Remove the family from the register"),
        guards=("care.not_reviewed_this_quarter",),
        refused={
            F.CHOSEN: IN_CARE,
            F.HANDED_OVER: IN_CARE,
            F.NOT_ELIGIBLE: NOT_ON_REGISTER,
            F.REMOVED: NOT_ON_REGISTER,
        },
    ),
}


def _family_reaches(m: Membership, family: CareFamily, user: User) -> bool:
    """The commune where the family lives registers, verifies and decides (Decree 56/2017 art. 41)."""
    return m.organisation.area_id == family.commune_id


FAMILIES = Workflow(
    "care_family",
    model=CareFamily,
    states=FamilyStatus,
    transitions=FAMILY_TRANSITIONS,
    responsible=lambda family, code: authority_for(family.commune),
    reaches=_family_reaches,
    visible=lambda user, family: families.families_visible(user).filter(pk=family.pk).exists(),
    link=lambda family: f"/care/families/{family.pk}/",
    audit_prefix="care",
    title=gettext_lazy("Alternative-care family"),
)


# --- The placement ------------------------------------------------------------------------------

P = PlacementState
OPEN = frozenset({P.IN_FACILITY, P.IN_FAMILY})
ENDED = {P.ENDED: gettext_lazy("This placement has already ended.")}
NOT_IN_FACILITY = gettext_lazy("Only a child now in a facility is reviewed here.")
NO_ROOM = gettext_lazy("Only a child now in a facility has a room here.")
NOT_IN_FAMILY = gettext_lazy("Only a child now in a family is visited here.")
REASONS = {
    "placement_start": gettext_lazy("Say why the child is placed here."),
    "placement_transfer": gettext_lazy("Say why the child is moved."),
    "placement_end": gettext_lazy("Say why the placement ends."),
}


@guard("care.reason_given", "The reason is given.")
def reason_given(firing: Firing) -> None:
    _given(firing, "reason", str(REASONS[firing.action]))


@guard(
    "care.to_a_group",
    "A child is placed or moved here only into a small group: a family takes a child only by the "
    "commune chairman's decision (Decree 56/2017 art. 41; Forms 08, 11, 12).",
)
def to_a_group(firing: Firing) -> None:
    if firing.inputs.get("form") != CareForm.FACILITY_GROUP:
        raise Refused(
            _(
                "A child goes to a family only by the commune chairman's decision (Form 12): register the "
                "family, have it verified and chosen, then hand the child over."
            ),
            code="family_by_decision",
        )
    group = firing.inputs.get("group")
    if group is None:
        raise invalid("group", _("Choose the small group."), "required")
    if firing.action == "placement_transfer" and group.pk == firing.subject.group_id:
        raise invalid("group", _("The child is already in this group."), "unchanged")


@guard(
    "care.no_overlap",
    "The child has no other placement on that date, and is born by then.",
)
def no_overlap(firing: Firing) -> None:
    from django.db.models import Q

    child, started_on = firing.inputs["child"], firing.inputs["started_on"]
    # The engine checks a known birth date; an estimated one still bounds a placement.
    if child.date_of_birth and child.date_of_birth_estimated and started_on < child.date_of_birth:
        raise invalid(
            "started_on", _("The placement cannot start before the child was born."), "before_birth"
        )
    clash = (
        Placement.objects.filter(child=child)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
        .order_by("started_on")
        .first()
    )
    if clash is not None:
        raise Refused(
            _(
                "The child already has a placement (%(form)s from %(start)s) that overlaps this date: "
                "move the child with a transfer instead."
            )
            % {"form": clash.get_form_display(), "start": clash.started_on.strftime("%d/%m/%Y")},
            code="overlapping_placement",
        )


@guard(
    "care.within_norms",
    "The group's places, the staffing ratios, the social-work caseload (Circular 09/2024 art. 6) and the "
    "room's beds are kept, or the facility's director overrides them by name with a reason.",
)
def within_norms(firing: Firing) -> None:
    i, placement = firing.inputs, firing.subject
    group = placement.group
    if group is None:
        return  # no group chosen: said by care.to_a_group
    breaches = capacity.placement_breaches(
        child=placement.child,
        group=group,
        on=placement.started_on,
        from_same_facility=i.get("from_same_facility", False),
        room=placement.room,
    )
    reason = i.get("override_reason") or ""
    breaches, _by = capacity.override_or_refuse(firing.actor, group.home.facility, breaches, reason)
    if breaches:
        firing.data["override"] = {"breaches": breaches, "reason": reason.strip()}


@guard("care.room_fits", "The room is of the child's group and home, and has a bed free (or is overridden).")
def room_fits(firing: Firing) -> None:
    from haven.care.models import Room

    placement, room = firing.subject, firing.inputs.get("room")
    if room is None:
        return
    if room.pk == placement.room_id:
        raise invalid("room", _("The child already sleeps in this room."), "unchanged")
    capacity.check_room_fits(room, placement.group)
    room = Room.objects.select_for_update().get(pk=room.pk)
    breach = capacity.room_breach(room, adding=1, exclude=placement)
    reason = firing.inputs.get("override_reason") or ""
    breaches, _by = capacity.override_or_refuse(
        firing.actor, placement.group.home.facility, [breach] if breach else [], reason
    )
    if breaches:
        firing.data["override"] = {"breaches": breaches, "reason": reason.strip()}


def _placement_of(firing: Firing) -> Placement:
    return firing.subject.ended if isinstance(firing.subject, CareChangeDecision) else firing.subject


@guard(
    "care.after_recorded",
    "The care does not end before a review, visit or change of caregiver already recorded on it.",
)
def after_recorded(firing: Firing) -> None:
    from django.utils import formats

    last = decisions.last_recorded(_placement_of(firing))
    on = firing.inputs.get("on")
    if last is not None and on is not None and on < last:
        raise invalid(
            "on",
            _("The decision cannot take effect before what is already recorded on this placement (%(date)s).")
            % {"date": formats.date_format(last, "SHORT_DATE_FORMAT")}
            if isinstance(firing.subject, CareChangeDecision)
            else _("The care cannot end before what is already recorded on this placement (%(date)s).")
            % {"date": formats.date_format(last, "SHORT_DATE_FORMAT")},
            "before_recorded",
        )


@guard(
    "care.family_care_by_decision",
    "Kinship or foster care of a child under 16 is ended only by the commune chairman's decision "
    "(Law on Children art. 1, 69; Decree 56/2017 art. 48(2), Form 16).",
)
def family_care_by_decision(firing: Firing) -> None:
    placement = firing.subject
    age = placement.child.age_years(firing.inputs.get("on") or clock.localdate(firing.now))
    if placement.form in DECIDED_FAMILY_FORMS and (age is None or age < CHILD_UNTIL_YEARS):
        raise Refused(
            _("Kinship or foster care is ended or changed by the commune chairman's decision (Form 16)."),
            code="by_decision",
        )


def _receiving_facility(firing: Firing):
    """A facility that did not place the child itself is told the child is coming."""
    facility = facility_of(firing.subject)
    if facility is None or firing.organisation == facility.organisation:
        return None
    return facility.organisation


def _leaving_facility(firing: Firing):
    """A facility whose child's placement another authority ended (a move elsewhere, a family, a
    decision) is told, so it hands the child over."""
    facility = facility_of(firing.subject)
    if facility is None or firing.organisation == facility.organisation:
        return None
    to = firing.inputs.get("group")
    if to is not None and to.home.facility_id == facility.pk:
        return None  # the child stays in the facility: told once, by the move in
    return facility.organisation


def _following_commune(firing: Firing):
    """The commune that follows a child in a family, when someone else gave the child to the family."""
    commune = monitoring_authority(firing.subject)
    return None if firing.organisation == commune else commune


PLACED_HERE = Tell(
    lambda f: (
        _("A child is placed in group %(group)s of your facility, decided by %(org)s")
        % {"group": f.subject.group, "org": f.organisation}
    ),
    to=_receiving_facility,
)
LEFT_HERE = Tell(
    lambda f: (
        _("A child's placement in your facility ends, decided by %(org)s: hand the child over")
        % {"org": f.organisation}
    ),
    to=_leaving_facility,
)

PLACEMENT_TRANSITIONS: dict[str, Transition] = {
    # Admission into a small group: the facility's own act (its intake). Facility care is temporary
    # (art. 47(4)): reviewed every 6 months (art. 68(1)); a child under 3 needs a family-based plan.
    "placement_start": Transition(
        frozenset(),
        P.IN_FACILITY,
        FACILITY_STAFF,
        gettext_lazy("Place a child in a small group"),
        guards=("care.to_a_group", "care.reason_given", "care.no_overlap", "care.within_norms"),
        opens=("care.review", "care.family_plan"),
        times=("started_on",),
        verb=Verb.CARE_MANAGE,
    ),
    # The next placement of a move or of a decision into a facility: one stay in facility care keeps
    # its clocks (the review and the under-3 plan run from the first day in a facility).
    "placement_move_in": Transition(
        frozenset(),
        P.IN_FACILITY,
        FACILITY_STAFF | DECIDERS,
        gettext_lazy("The child moves into a small group"),
        guards=("care.within_norms",),
        opens=("care.review", "care.family_plan"),
        tells=(PLACED_HERE,),
    ),
    # A family takes the child: the chairman's Form 12 handed over, a Form 16 decision, or the
    # found-child pathway's placement. The commune follows the family every 6 months (Decree 56/2017
    # art. 43(2), 46).
    "placement_with_family": Transition(
        frozenset(),
        P.IN_FAMILY,
        COMMUNE | DECIDERS,
        gettext_lazy("A family takes the child"),
        opens=("care.monitoring",),
        tells=(
            Tell(
                gettext_lazy(
                    "A child now lives with a family your commune follows: visit at least every 6 months"
                ),
                to=_following_commune,
            ),
        ),
    ),
    "placement_transfer": Transition(
        OPEN,
        P.ENDED,
        HOLDERS,
        gettext_lazy("Move the child"),
        guards=("care.to_a_group", "care.reason_given", "care.after_recorded"),
        cancels=ALL_CLOCKS,
        times=("on",),
        refused=ENDED,
        tells=(LEFT_HERE,),
    ),
    # Leaving facility care for a family is what the under-3 family plan was for (met).
    "placement_to_family": Transition(
        OPEN,
        P.ENDED,
        COMMUNE | DECIDERS,
        gettext_lazy("The child leaves for a family"),
        closes=("care.family_plan",),
        cancels=("care.review", "care.monitoring"),
        refused=ENDED,
        tells=(LEFT_HERE,),
    ),
    # The child leaves care: returned to the parents, of age, died.
    "placement_end": Transition(
        OPEN,
        P.ENDED,
        HOLDERS,
        gettext_lazy("End the placement"),
        guards=("care.reason_given", "care.after_recorded", "care.family_care_by_decision"),
        cancels=ALL_CLOCKS,
        times=("on",),
        refused=ENDED,
        tells=(LEFT_HERE,),
        confirm=gettext_lazy("The child leaves alternative care: no placement follows."),
    ),
    # A Form 16 decision returns the child to the parents or moves the child into a facility.
    "placement_decided": Transition(
        OPEN,
        P.ENDED,
        DECIDERS,
        gettext_lazy("The care ends by decision (Form 16)"),
        cancels=ALL_CLOCKS,
        refused=ENDED,
        tells=(LEFT_HERE,),
    ),
    # Law on Children art. 68(1): every 6 months; a family-based plan meets the under-3 clock.
    "placement_review": Transition(
        frozenset({P.IN_FACILITY}),
        None,
        FACILITY_STAFF,
        gettext_lazy("Six-monthly review"),
        closes=("care.review", "care.family_plan"),
        opens=("care.review",),
        refused={P.IN_FAMILY: NOT_IN_FACILITY, P.ENDED: NOT_IN_FACILITY},
        verb=Verb.CARE_MANAGE,
    ),
    # Decree 56/2017 art. 43(2), 46: the next visit is due 6 months after this one.
    "monitoring_visit": Transition(
        frozenset({P.IN_FAMILY}),
        None,
        OFFICER | FACILITY_STAFF,
        gettext_lazy("Monitoring visit"),
        closes=("care.monitoring",),
        opens=("care.monitoring",),
        times=("visited_on",),
        refused={P.IN_FACILITY: NOT_IN_FAMILY, P.ENDED: NOT_IN_FAMILY},
        verb=Verb.CARE_MANAGE,
    ),
    "room_assign": Transition(
        frozenset({P.IN_FACILITY}),
        None,
        FACILITY_STAFF,
        gettext_lazy("Room"),
        guards=("care.room_fits",),
        refused={P.IN_FAMILY: NO_ROOM, P.ENDED: NO_ROOM},
        verb=Verb.CARE_MANAGE,
    ),
}


def _placement_reaches(m: Membership, placement: Placement, user: User) -> bool:
    """A facility placement is reached by the facility's own staff and by its managing authority; a
    family placement by whoever manages the child's care (the commune officer)."""
    facility = facility_of(placement)
    if facility is not None:
        return (
            m.organisation_id == facility.organisation_id and allows(m.role, Verb.CARE_MANAGE)
        ) or is_managing(m, facility)
    found = reach([m], "")
    return (
        allows(m.role, Verb.CARE_MANAGE)
        and found is not None
        and Child.objects.filter(found, pk=placement.child_id).exists()
    )


def _placement_responsible(placement: Placement, code: str):
    facility = facility_of(placement)
    if code == "care.monitoring" or facility is None:
        return monitoring_authority(placement)
    return facility.organisation


PLACEMENTS = Workflow(
    "care_placement",
    model=Placement,
    states=PlacementState,
    transitions=PLACEMENT_TRANSITIONS,
    responsible=_placement_responsible,
    reaches=_placement_reaches,
    begins=lambda placement: (start_of(placement.started_on), _("the placement started")),
    link=lambda placement: f"/care/children/{placement.child_id}/",
    audit_prefix="care",
    title=gettext_lazy("Placement"),
)


# --- The Form 16 decision -----------------------------------------------------------------------


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
    if not (i.get("decision_number") or "").strip():
        refuse("decision_number", _("Give the number of the decision."), "required")
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
