"""The placement as a table (Law on Children art. 47(4), 62, 68): it begins when a facility admits a
child, a child moves into a group, or a family takes the child; it is reviewed, visited and given a
room; it ends when the child moves, leaves for a family, leaves care, or by decision (Form 16). A room
is not a record with a state: assigning a child's room is a step of the child's placement."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb, allows
from haven.access.scoping import reach
from haven.accounts.models import Membership, User
from haven.care import capacity, decisions
from haven.care.authority import facility_of, is_managing, monitoring_authority
from haven.care.models import CareChangeDecision, CareForm, Placement, PlacementState
from haven.care.workflow.roles import (
    ALL_CLOCKS,
    CHILD_UNTIL_YEARS,
    COMMUNE,
    DECIDED_FAMILY_FORMS,
    DECIDERS,
    FACILITY_STAFF,
    HOLDERS,
    OFFICER,
    given,
    start_of,
)
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.people.models import Child
from haven.workflow.engine import Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard

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
def reasongiven(firing: Firing) -> None:
    given(firing, "reason", str(REASONS[firing.action]))


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
    child, started_on = firing.inputs["child"], firing.inputs["started_on"]
    # The engine checks a known birth date; an estimated one still bounds a placement.
    if child.date_of_birth and child.date_of_birth_estimated and started_on < child.date_of_birth:
        raise invalid(
            "started_on", _("The placement cannot start before the child was born."), "before_birth"
        )
    clash = Placement.objects.filter(child=child).overlapping(started_on).order_by("started_on").first()
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
        firing.reason = reason.strip()


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
        firing.reason = reason.strip()


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
