"""The norms a placement must keep, and the named override that may exceed them: a group's places, the
staffing ratios and the facility's social-work caseload (Circular 09/2024/TT-BLĐTBXH art. 6), a room's
beds (Decree 103/2017). A placement beyond them is refused with the reasons, unless a person holding
``care.override`` at the facility names a reason; it is then made, audited and shown as overload."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.access.policy import Verb
from haven.access.scoping import NotVisible
from haven.accounts.models import User
from haven.care import ratios
from haven.care.authority import facility_membership
from haven.care.models import Facility, Placement, Room, Shift, ShiftAssignment, SmallGroup, StaffKind
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.people.models import Child, SpecialCircumstance


def special_needs(child_ids: list, on: dt.date) -> set:
    """The children counted at the lower ratio (disability, mental disorder, HIV)."""
    return set(
        SpecialCircumstance.objects.in_force(on)
        .filter(child_id__in=child_ids, group__in=ratios.SPECIAL_NEEDS)
        .values_list("child_id", flat=True)
    )


def group_breaches(group: SmallGroup, on: dt.date, adding: Child | None = None) -> list[str]:
    """Why ``group`` is (or with ``adding`` would be) beyond capacity or ratio; empty when within."""
    placed = list(
        Child.objects.filter(placements__group=group, placements__ended_on__isnull=True).values_list(
            "id", "date_of_birth"
        )
    )
    if adding is not None:
        placed.append((adding.pk, adding.date_of_birth))
    special = special_needs([pk for pk, _born in placed], on)
    reasons = []
    if len(placed) > group.places:
        reasons.append(
            _("Group %(group)s has %(places)s places; this would make %(count)s children.")
            % {"group": group, "places": group.places, "count": len(placed)}
        )
    needed = ratios.caregivers_needed([(born, pk in special) for pk, born in placed], on)
    rostered = dict.fromkeys(Shift.values, 0)
    for shift in ShiftAssignment.objects.in_force(on).filter(group=group).values_list("shift", flat=True):
        rostered[shift] += 1
    for shift, count in rostered.items():
        if needed > count:
            reasons.append(
                _("The %(shift)s shift has %(count)s caregivers; these children need %(needed)s (%(basis)s).")
                % {"shift": Shift(shift).label, "count": count, "needed": needed, "basis": ratios.CIRCULAR_09}
            )
    return reasons


def age_band_breach(group: SmallGroup, child: Child, on: dt.date) -> str | None:
    """Why ``child`` does not fit ``group``'s ages on ``on`` (walkthrough D9: a 16-year-old took the
    last place of a preschool group), or None. A child whose birth date is unknown is not refused."""
    if not group.age_band or child.date_of_birth is None:
        return None
    band = ratios.BY_CODE[group.age_band]
    if ratios.band_for(child.date_of_birth, on).code == band.code:
        return None
    months = ratios.months_between(child.date_of_birth, on)
    age = (
        ngettext("%(count)s month old", "%(count)s months old", months) % {"count": months}
        if months < 24
        else ngettext("%(count)s year old", "%(count)s years old", months // 12) % {"count": months // 12}
    )
    return _(
        "%(child)s is %(age)s; group %(group)s is for children %(band)s "
        "(Circular 09/2024/TT-BLĐTBXH, art. 6)."
    ) % {"child": child.full_name or _("The child"), "age": age, "group": group, "band": band.title}


def caseload_breach(facility: Facility, adding: int = 0) -> str | None:
    """The facility's social-work caseload (Circular 09/2024 art. 6), or None when within it."""
    children = (
        Placement.objects.filter(group__home__facility=facility, ended_on__isnull=True).count() + adding
    )
    capacity = ratios.caseload_capacity(
        list(
            facility.staff.filter(is_active=True)
            .exclude(kind=StaffKind.CAREGIVER)
            .values_list("kind", flat=True)
        )
    )
    if children > capacity:
        return _(
            "The facility's social-work staff may follow %(capacity)s children; this would make %(count)s "
            "(%(basis)s)."
        ) % {"capacity": capacity, "count": children, "basis": ratios.CIRCULAR_09}
    return None


def room_occupancy(room: Room, exclude: Placement | None = None) -> int:
    found = room.placements.filter(ended_on__isnull=True)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.count()


def room_breach(room: Room, adding: int = 1, exclude: Placement | None = None) -> str | None:
    """A room never holds more children than its places (Decree 103/2017 [S]: the facility's rooms
    and beds; issue #4: rooms and places)."""
    count = room_occupancy(room, exclude) + adding
    if count > room.places:
        return _("Room %(room)s has %(places)s places; this would make %(count)s children.") % {
            "room": room,
            "places": room.places,
            "count": count,
        }
    return None


def check_room_fits(room: Room, group: SmallGroup) -> None:
    if room.home_id != group.home_id:
        raise invalid("room", _("The room is in another home than the group."), "other_home")
    if room.group_id is not None and room.group_id != group.pk:
        raise invalid("room", _("The room is used by another group."), "other_group")


def override_or_refuse(
    actor: User, facility: Facility, reasons: list[str], override_reason: str
) -> tuple[list[str], User | None]:
    """Nothing to override; or the breaches refused with their reasons; or, when the facility's
    director (whoever holds ``care.override`` there) names a reason, the breaches allowed by name."""
    if not reasons:
        return [], None
    if not override_reason.strip():
        raise Refused(" ".join(reasons), code="over_capacity")
    try:
        facility_membership(actor, facility, Verb.CARE_OVERRIDE)
    except NotVisible:
        raise Refused(
            " ".join([*reasons, _("Only the facility's director may override: nothing was saved.")]),
            code="override_not_allowed",
        ) from None
    return reasons, actor


def placement_breaches(
    *,
    child: Child,
    group: SmallGroup,
    on: dt.date,
    from_same_facility: bool,
    room: Room | None = None,
) -> list[str]:
    """Why placing ``child`` in ``group`` (and ``room``) would break a norm. The group, its facility
    and the room are locked first, so that two placements made at the same time cannot both see the
    last place free."""
    if room is not None:
        check_room_fits(room, group)
    group = SmallGroup.objects.select_for_update().select_related("home__facility").get(pk=group.pk)
    Facility.objects.select_for_update().filter(pk=group.home.facility_id).first()
    # Checked against today's group, roster and ages: a placement recorded late joins the group as
    # it is now (the open placements and rosters are today's, not those of the earlier date).
    reasons = group_breaches(group, max(on, clock.today()), adding=child)
    age = age_band_breach(group, child, on)
    if age:
        reasons.insert(0, age)
    if room is not None:
        # A room without a group is shared by the home's groups: the group's lock does not cover it,
        # so the room is locked too before its beds are counted.
        room = Room.objects.select_for_update().get(pk=room.pk)
        breach = room_breach(room, adding=1)
        if breach:
            reasons.append(breach)
    if not from_same_facility:
        breach = caseload_breach(group.home.facility, adding=1)
        if breach:
            reasons.append(breach)
    return reasons
