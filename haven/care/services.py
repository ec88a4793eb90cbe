"""Every write of family-like care: keyword-only, typed, the acting user passed in, atomic, audited.

A placement that would break a group's capacity, the staffing ratios of Circular 09/2024 art. 6 or the
facility's social-work caseload is refused with the reasons, unless a person holding ``care.override``
names a reason: the placement is then made, audited, and shows as overload.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting, require
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.audit.services import record
from haven.care import ratios
from haven.care.models import (
    FAMILY_FORMS,
    CareForm,
    CaregiverChange,
    Facility,
    Home,
    ManagementLevel,
    MonitoringVisit,
    Placement,
    PrincipalCaregiver,
    Review,
    Room,
    Shift,
    ShiftAssignment,
    SmallGroup,
    Staff,
    StaffKind,
)
from haven.core import clock, dated
from haven.core.errors import Refused, invalid
from haven.deadlines.models import Status
from haven.deadlines.services import obligation_open, obligations_close
from haven.people import rules as names
from haven.people.models import Child, Involvement, InvolvementBasis, SpecialCircumstance

CLOCKS = ("care.review", "care.family_plan")
FAMILY_CLOCKS = ("care.monitoring",)
# Issue #4 (Notice 432 §3): a child under 3 should not wait in a facility without a family-based plan.
FAMILY_PLAN_BEFORE_MONTHS = 36


# --- Who acts -----------------------------------------------------------------------------------


def facility_membership(actor: User, facility: Facility, verb: Verb = Verb.CARE_MANAGE) -> Membership:
    """The actor's membership of the facility's own organisation that grants ``verb``; otherwise the
    facility is not found (404), as for anyone outside it."""
    for m in granting(actor, verb):
        if m.organisation_id == facility.organisation_id:
            return m
    raise NotVisible


def managing_membership(actor: User, facility: Facility) -> Membership:
    """The actor's membership of the facility's managing authority, holding ``care.decide``: the
    provincial Department of Health for a facility managed by the province, the chairman of the
    facility's commune for one managed by the commune (Circular 14/2020 art. 3; Decree 56/2017
    art. 48; after 1 July 2025 the Department of Health replaces the Department of Labour,
    vietnam-process.md §7). Otherwise NotVisible."""
    area = facility.organisation.area
    for m in granting(actor, Verb.CARE_DECIDE):
        if facility.management_level == ManagementLevel.PROVINCE:
            if (
                m.organisation.kind == OrganisationKind.PROVINCIAL_HEALTH
                and m.organisation.area_id == area.province.pk
            ):
                return m
        elif m.role == Role.COMMUNE_CHAIRMAN and m.organisation.area_id == area.pk:
            return m
    raise NotVisible


def holder_membership(actor: User, facility: Facility) -> Membership:
    """Who may end or move a child's facility placement: the facility's own staff (care.manage), or
    its managing authority (care.decide)."""
    try:
        return facility_membership(actor, facility)
    except NotVisible:
        return managing_membership(actor, facility)


def _required(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, message, "required")
    return value


def _not_future(field: str, day: dt.date) -> None:
    if day > clock.today():
        raise invalid(field, _("The date cannot be in the future."), "future_date")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- Structure: facility, homes, groups, staff, shifts ------------------------------------------


@transaction.atomic
def facility_register(
    *,
    actor: User,
    organisation: Organisation,
    ownership: str,
    licence_number: str,
    licence_issued_on: dt.date,
    address: str,
    management_level: str,
) -> Facility:
    """Decree 103/2017: a facility's licence, ownership, address and managing level."""
    membership = next(
        (m for m in granting(actor, Verb.CARE_MANAGE) if m.organisation_id == organisation.pk), None
    )
    if membership is None:
        raise NotVisible
    if organisation.kind != OrganisationKind.SOCIAL_PROTECTION_FACILITY:
        raise Refused(_("Only a social protection facility has homes and groups."), code="not_a_facility")
    _not_future("licence_issued_on", licence_issued_on)
    names.clean_reference(licence_number, field="licence_number")
    facility, _created = Facility.objects.update_or_create(
        organisation=organisation,
        defaults={
            "ownership": ownership,
            "licence_number": _required("licence_number", licence_number, _("Give the licence number.")),
            "licence_issued_on": licence_issued_on,
            "address": _required("address", address, _("Give the address.")),
            "management_level": management_level,
        },
    )
    record(actor=actor, action="care.facility_register", obj=facility, organisation=organisation)
    return facility


@transaction.atomic
def home_add(*, actor: User, facility: Facility, name: str) -> Home:
    membership = facility_membership(actor, facility)
    name = _required("name", name, _("Name the home."))
    if facility.homes.filter(name=name).exists():
        raise invalid("name", _("The facility already has a home of this name."), "duplicate")
    home = Home.objects.create(facility=facility, name=name)
    record(actor=actor, action="care.home_add", obj=home, organisation=membership.organisation)
    return home


def _age_band(age_band: str | None) -> str:
    """A band code of ratios.BANDS, or "" for a group of mixed ages."""
    age_band = (age_band or "").strip()
    if age_band and age_band not in ratios.BY_CODE:
        raise invalid("age_band", _("Choose the ages of the group from the list."), "unknown_band")
    return age_band


@transaction.atomic
def group_add(*, actor: User, home: Home, name: str, places: int, age_band: str = "") -> SmallGroup:
    membership = facility_membership(actor, home.facility)
    name = _required("name", name, _("Name the group."))
    if not 1 <= places <= 50:
        raise invalid("places", _("A group has between 1 and 50 places."), "out_of_range")
    if home.groups.filter(name=name).exists():
        raise invalid("name", _("The home already has a group of this name."), "duplicate")
    group = SmallGroup.objects.create(home=home, name=name, places=places, age_band=_age_band(age_band))
    record(
        actor=actor,
        action="care.group_add",
        obj=group,
        organisation=membership.organisation,
        data={"places": places, "age_band": group.age_band},
    )
    return group


@transaction.atomic
def group_age_band_set(*, actor: User, group: SmallGroup, age_band: str) -> SmallGroup:
    """The ages a group is kept for. The children already in it stay; the band applies to the next."""
    membership = facility_membership(actor, group.home.facility)
    group = SmallGroup.objects.select_for_update().get(pk=group.pk)
    before, group.age_band = group.age_band, _age_band(age_band)
    group.save(update_fields=["age_band", "updated_at"])
    record(
        actor=actor,
        action="care.group_age_band_set",
        obj=group,
        organisation=membership.organisation,
        data={"from": before, "to": group.age_band},
    )
    return group


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
        _("%(count)s months old") % {"count": months}
        if months < 24
        else _("%(count)s years old") % {"count": months // 12}
    )
    return _(
        "%(child)s is %(age)s; group %(group)s is for children %(band)s "
        "(Circular 09/2024/TT-BLĐTBXH, art. 6)."
    ) % {"child": child.full_name or _("The child"), "age": age, "group": group, "band": band.title}


@transaction.atomic
def staff_add(
    *, actor: User, facility: Facility, full_name: str, kind: str, user: User | None = None
) -> Staff:
    membership = facility_membership(actor, facility)
    names.check_names(full_name=full_name)
    staff = Staff.objects.create(
        facility=facility,
        full_name=_required("full_name", full_name, _("Give the staff member's full name.")),
        kind=StaffKind(kind),
        user=user,
    )
    record(
        actor=actor,
        action="care.staff_add",
        obj=staff,
        organisation=membership.organisation,
        data={"kind": kind},
    )
    return staff


@transaction.atomic
def shift_assign(
    *, actor: User, staff: Staff, group: SmallGroup, shift: str, started_on: dt.date
) -> ShiftAssignment:
    """Put a caregiver on a group's roster for a shift. A caregiver cannot be in two groups on the same
    shift: the earlier assignment must be ended first."""
    membership = facility_membership(actor, group.home.facility)
    if staff.facility_id != group.home.facility_id:
        raise Refused(_("This staff member works for another facility."), code="other_facility")
    if staff.kind != StaffKind.CAREGIVER or not staff.is_active:
        raise Refused(_("Only an active caregiver can be put on a group's roster."), code="not_caregiver")
    _not_future("started_on", started_on)
    # Locks the caregiver's row so two simultaneous assignments cannot both pass the check.
    Staff.objects.select_for_update().get(pk=staff.pk)
    # The new assignment runs open from ``started_on``: any assignment of the same shift that has not
    # ended by then overlaps it, even one already closed with a later end date.
    busy = (
        ShiftAssignment.objects.filter(staff=staff, shift=shift)
        .overlapping(started_on)
        .select_related("group__home")
    )
    for other in busy:
        raise Refused(
            _("%(name)s is already on the %(shift)s shift of group %(group)s: end that assignment first.")
            % {"name": staff.full_name, "shift": Shift(shift).label, "group": other.group},
            code="shift_taken",
        )
    try:
        with transaction.atomic():
            assignment = ShiftAssignment.objects.create(
                staff=staff, group=group, shift=Shift(shift), started_on=started_on
            )
    except IntegrityError:
        raise Refused(
            _("This caregiver is already on this shift in another group."), code="shift_taken"
        ) from None
    record(
        actor=actor,
        action="care.shift_assign",
        obj=assignment,
        organisation=membership.organisation,
        data={"staff": staff.pk, "group": group.pk, "shift": shift},
    )
    return assignment


@transaction.atomic
def shift_end(*, actor: User, assignment: ShiftAssignment, ended_on: dt.date) -> ShiftAssignment:
    membership = facility_membership(actor, assignment.group.home.facility)
    assignment = ShiftAssignment.objects.select_for_update().get(pk=assignment.pk)
    _not_future("ended_on", ended_on)
    dated.end(assignment, ended_on, already=_("This assignment has already ended."))
    record(actor=actor, action="care.shift_end", obj=assignment, organisation=membership.organisation)
    return assignment


@transaction.atomic
def staff_deactivate(*, actor: User, staff: Staff, ended_on: dt.date) -> Staff:
    """A staff member leaves: their open shifts end on ``ended_on``; a principal caregiver is replaced
    first (the group's children must not be left without one)."""
    membership = facility_membership(actor, staff.facility)
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if not staff.is_active:
        raise Refused(_("This staff member has already left."), code="already_ended")
    _not_future("ended_on", ended_on)
    if staff.principal_of.filter(ended_on__isnull=True).exists():
        raise Refused(
            _("This caregiver is a group's principal caregiver: name the new one first."), code="principal"
        )
    if staff.shifts.filter(ended_on__isnull=True, started_on__gt=ended_on).exists():
        raise invalid("ended_on", _("The end cannot be before the start."), "before_start")
    staff.shifts.filter(ended_on__isnull=True).update(ended_on=ended_on)
    staff.is_active = False
    staff.save(update_fields=["is_active", "updated_at"])
    record(
        actor=actor,
        action="care.staff_deactivate",
        obj=staff,
        organisation=membership.organisation,
        data={"ended_on": ended_on.isoformat()},
    )
    return staff


@transaction.atomic
def group_places_set(*, actor: User, group: SmallGroup, places: int) -> SmallGroup:
    """A group's capacity changes; it cannot fall below the children now in it."""
    membership = facility_membership(actor, group.home.facility)
    group = SmallGroup.objects.select_for_update().get(pk=group.pk)
    if not 1 <= places <= 50:
        raise invalid("places", _("A group has between 1 and 50 places."), "out_of_range")
    now_in = group.placements.filter(ended_on__isnull=True).count()
    if places < now_in:
        raise invalid(
            "places",
            _("The group has %(count)s children now: move some first.") % {"count": now_in},
            "below_occupancy",
        )
    before, group.places = group.places, places
    group.save(update_fields=["places", "updated_at"])
    record(
        actor=actor,
        action="care.group_places_set",
        obj=group,
        organisation=membership.organisation,
        data={"from": before, "to": places},
    )
    return group


@transaction.atomic
def principal_end(*, actor: User, principal: PrincipalCaregiver, ended_on: dt.date) -> PrincipalCaregiver:
    """The group's principal caregiver stops without a successor yet (the group shows none)."""
    membership = facility_membership(actor, principal.group.home.facility)
    principal = PrincipalCaregiver.objects.select_for_update().get(pk=principal.pk)
    _not_future("ended_on", ended_on)
    dated.end(principal, ended_on, already=_("This assignment has already ended."))
    record(actor=actor, action="care.principal_end", obj=principal, organisation=membership.organisation)
    return principal


def principal_of(group: SmallGroup) -> PrincipalCaregiver | None:
    return group.principals.filter(ended_on__isnull=True).select_related("staff").first()


@transaction.atomic
def principal_set(
    *, actor: User, group: SmallGroup, staff: Staff, started_on: dt.date, reason: str
) -> PrincipalCaregiver:
    """A group's new principal caregiver; every child of the group has a caregiver change recorded."""
    membership = facility_membership(actor, group.home.facility)
    staff = Staff.objects.get(pk=staff.pk)  # as it is now (active or not)
    if (
        staff.facility_id != group.home.facility_id
        or staff.kind != StaffKind.CAREGIVER
        or not staff.is_active
    ):
        raise Refused(
            _("The principal caregiver must be an active caregiver of this facility."), code="not_caregiver"
        )
    _not_future("started_on", started_on)
    SmallGroup.objects.select_for_update().get(pk=group.pk)
    current = principal_of(group)
    if current is not None:
        if current.staff_id == staff.pk:
            raise Refused(_("This caregiver is already the group's principal caregiver."), code="unchanged")
        if started_on < current.started_on:
            raise invalid(
                "started_on", _("The change cannot be before the current caregiver started."), "before_start"
            )
        reason = _required("reason", reason, _("Say why the principal caregiver changes."))
        current.ended_on = started_on
        current.save(update_fields=["ended_on", "updated_at"])
        for placement in group.placements.filter(ended_on__isnull=True):
            CaregiverChange.objects.create(
                child_id=placement.child_id,
                placement=placement,
                on=started_on,
                from_staff=current.staff,
                to_staff=staff,
                from_name=current.staff.full_name,
                to_name=staff.full_name,
                reason=reason,
            )
    principal = PrincipalCaregiver.objects.create(group=group, staff=staff, started_on=started_on)
    record(
        actor=actor,
        action="care.principal_set",
        obj=principal,
        organisation=membership.organisation,
        reason=reason,
        data={"group": group.pk, "staff": staff.pk},
    )
    return principal


# --- Rooms ----------------------------------------------------------------------------------------


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


def _check_room_fits(room: Room, group: SmallGroup) -> None:
    if room.home_id != group.home_id:
        raise invalid("room", _("The room is in another home than the group."), "other_home")
    if room.group_id is not None and room.group_id != group.pk:
        raise invalid("room", _("The room is used by another group."), "other_group")


@transaction.atomic
def room_add(*, actor: User, home: Home, name: str, places: int, group: SmallGroup | None = None) -> Room:
    membership = facility_membership(actor, home.facility)
    name = _required("name", name, _("Name the room."))
    if not 1 <= places <= 50:
        raise invalid("places", _("A room has between 1 and 50 places."), "out_of_range")
    if group is not None and group.home_id != home.pk:
        raise invalid("group", _("The group lives in another home."), "other_home")
    if home.rooms.filter(name=name).exists():
        raise invalid("name", _("The home already has a room of this name."), "duplicate")
    room = Room.objects.create(home=home, name=name, places=places, group=group)
    record(
        actor=actor,
        action="care.room_add",
        obj=room,
        organisation=membership.organisation,
        data={"places": places, "group": group.pk if group else None},
    )
    return room


@transaction.atomic
def room_set(*, actor: User, room: Room, places: int, group: SmallGroup | None = None) -> Room:
    """A room's places (never below the children sleeping there) and the group that uses it (the
    children sleeping there must all be of that group)."""
    membership = facility_membership(actor, room.home.facility)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if not 1 <= places <= 50:
        raise invalid("places", _("A room has between 1 and 50 places."), "out_of_range")
    now_in = room_occupancy(room)
    if places < now_in:
        raise invalid(
            "places",
            _("%(count)s children sleep in this room now: move some first.") % {"count": now_in},
            "below_occupancy",
        )
    if group is not None:
        if group.home_id != room.home_id:
            raise invalid("group", _("The group lives in another home."), "other_home")
        if room.placements.filter(ended_on__isnull=True).exclude(group=group).exists():
            raise invalid(
                "group", _("Children of another group sleep in this room: move them first."), "other_group"
            )
    before = {"places": room.places, "group": room.group_id}
    room.places, room.group = places, group
    room.save(update_fields=["places", "group", "updated_at"])
    record(
        actor=actor,
        action="care.room_set",
        obj=room,
        organisation=membership.organisation,
        data={"from": before, "to": {"places": places, "group": group.pk if group else None}},
    )
    return room


@transaction.atomic
def room_assign(
    *, actor: User, placement: Placement, room: Room | None, override_reason: str = ""
) -> Placement:
    """The room a child in a facility sleeps in. A full room refuses with the reason, unless the
    facility's director overrides it (audited, shown as overload)."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.group_id is None or placement.ended_on is not None:
        raise Refused(_("Only a child now in a facility has a room here."), code="not_in_facility")
    facility = placement.group.home.facility
    membership = facility_membership(actor, facility)
    breaches, override_by = [], None
    if room is not None:
        if room.pk == placement.room_id:
            raise invalid("room", _("The child already sleeps in this room."), "unchanged")
        _check_room_fits(room, placement.group)
        room = Room.objects.select_for_update().get(pk=room.pk)
        breach = room_breach(room, adding=1, exclude=placement)
        breaches, override_by = _override_or_refuse(
            actor, facility, [breach] if breach else [], override_reason
        )
    before = placement.room_id
    placement.room = room
    fields = ["room", "updated_at"]
    if override_by is not None:
        placement.overload, placement.override_by = True, override_by
        placement.override_reason = override_reason.strip()
        fields += ["overload", "override_by", "override_reason"]
    placement.save(update_fields=fields)
    data = {"from": before, "to": room.pk if room else None}
    if breaches:
        data["override"] = {"breaches": breaches, "reason": placement.override_reason}
    record(
        actor=actor,
        action="care.room_assign",
        obj=placement,
        organisation=membership.organisation,
        reason=override_reason.strip() if override_by else "",
        data=data,
    )
    return placement


# --- Capacity and ratios ------------------------------------------------------------------------


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


# --- Placements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Carer:
    """The adult who principally cares for a child: a staff member (a group's principal caregiver),
    the family handed the child, or only a name (a family placement recorded without a family). Two
    carers are the same person when their identity is, whatever their names (docs/decisions/0011)."""

    name: str = ""
    staff_id: int | None = None
    family_id: uuid.UUID | None = None

    @property
    def key(self) -> tuple | None:
        if self.staff_id is not None:
            return ("staff", self.staff_id)
        if self.family_id is not None:
            return ("family", self.family_id)
        return ("name", self.name) if self.name else None


def _carer(placement: Placement | None, on: dt.date) -> Carer:
    if placement is None:
        return Carer()
    if placement.group_id is None:
        return Carer(name=placement.carer_name, family_id=placement.family_id)
    principal = (
        placement.group.principals.in_force(on).select_related("staff").order_by("-started_on").first()
    )
    return Carer(name=principal.staff.full_name, staff_id=principal.staff_id) if principal else Carer()


def _current_carer(placement: Placement | None, on: dt.date) -> str:
    return _carer(placement, on).name


def _check_and_act(
    *, actor: User, child: Child, form: str, group: SmallGroup | None
) -> tuple[Membership, Carer]:
    """Who acts, and the new carer's name. A facility group is placed into by its own facility's staff.
    A family takes a child only by a decision that checked the family: the commune chairman's Form 12
    (families.family_handover) or the found-child pathway (placement_from_decision); never by a name
    typed here (Decree 56/2017 art. 41; Circular 14/2020 Forms 08, 11, 12)."""
    require(actor, Verb.CHILD_VIEW, child)
    form = CareForm(form)
    if form != CareForm.FACILITY_GROUP:
        raise Refused(
            _(
                "A child goes to a family only by the commune chairman's decision (Form 12): register the "
                "family, have it verified and chosen, then hand the child over."
            ),
            code="family_by_decision",
        )
    if group is None:
        raise invalid("group", _("Choose the small group."), "required")
    membership = holder_membership(actor, group.home.facility)
    principal = principal_of(group)
    carer = Carer(name=principal.staff.full_name, staff_id=principal.staff_id) if principal else Carer()
    return membership, carer


def _check_dates(child: Child, started_on: dt.date, exclude: Placement | None = None) -> None:
    _not_future("started_on", started_on)
    if child.date_of_birth and started_on < child.date_of_birth:
        raise invalid(
            "started_on", _("The placement cannot start before the child was born."), "before_birth"
        )
    others = Placement.objects.filter(child=child)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    clash = others.overlapping(started_on).order_by("started_on").first()
    if clash is not None:
        raise Refused(
            _(
                "The child already has a placement (%(form)s from %(start)s) that overlaps this date: "
                "move the child with a transfer instead."
            )
            % {"form": clash.get_form_display(), "start": clash.started_on.strftime("%d/%m/%Y")},
            code="overlapping_placement",
        )


def _check_capacity(
    *,
    actor: User,
    child: Child,
    group: SmallGroup | None,
    on: dt.date,
    override_reason: str,
    from_same_facility: bool,
    room: Room | None = None,
) -> tuple[list[str], User | None]:
    if group is None:
        return [], None
    if room is not None:
        _check_room_fits(room, group)
    # Lock the group (and the facility for its caseload) before counting, so two placements made at
    # the same time cannot both see the last place free.
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
        # so the room is locked too before its beds are counted (as room_assign does).
        room = Room.objects.select_for_update().get(pk=room.pk)
        breach = room_breach(room, adding=1)
        if breach:
            reasons.append(breach)
    if not from_same_facility:
        breach = caseload_breach(group.home.facility, adding=1)
        if breach:
            reasons.append(breach)
    return _override_or_refuse(actor, group.home.facility, reasons, override_reason)


def _override_or_refuse(
    actor: User, facility: Facility, reasons: list[str], override_reason: str
) -> tuple[list[str], User | None]:
    if not reasons:
        return [], None
    if not override_reason.strip():
        raise Refused(" ".join(reasons), code="over_capacity")
    # The override is the facility head's (or whoever holds the right there), by name, with a reason.
    try:
        facility_membership(actor, facility, Verb.CARE_OVERRIDE)
    except NotVisible:
        raise Refused(
            " ".join([*reasons, _("Only the facility's director may override: nothing was saved.")]),
            code="override_not_allowed",
        ) from None
    return reasons, actor


def _open_clocks(
    placement: Placement,
    child: Child,
    facility: Facility,
    review_since: dt.datetime,
    plan_since: dt.datetime | None,
) -> None:
    """The review clock runs from admission or the last review; the under-3 family-plan clock from the
    first day of this stay in facility care (``plan_since``; None when it no longer runs)."""
    obligation_open(
        rule_code="care.review",
        subject=placement,
        child=child,
        responsible=facility.organisation,
        start=review_since,
    )
    born = child.date_of_birth
    if (
        plan_since is not None
        and born is not None
        and ratios.months_between(born, plan_since.date()) < FAMILY_PLAN_BEFORE_MONTHS
        and not placement.family_plan
    ):
        obligation_open(
            rule_code="care.family_plan",
            subject=placement,
            child=child,
            responsible=facility.organisation,
            start=plan_since,
        )


def monitoring_authority(placement: Placement) -> Organisation:
    """The commune that follows a child in a family: where the family lives (the chairman's Form 12
    commune), else the child's own commune."""
    from haven.accounts.selectors import authority_for

    commune = placement.family.commune if placement.family_id else placement.child.current_commune
    return authority_for(commune)


def _open_monitoring(placement: Placement) -> None:
    """Decree 56/2017 art. 43(2): the commune follows a child in a family every 6 months; a new
    placement (a change of form or caregiver) starts the clock again."""
    if placement.form not in FAMILY_FORMS:
        return

    obligation_open(
        rule_code="care.monitoring",
        subject=placement,
        child=placement.child,
        responsible=monitoring_authority(placement),
        start=_start_of(placement.started_on),
    )


def _close_monitoring(actor: User, placement: Placement) -> None:
    obligations_close(subject=placement, rules=list(FAMILY_CLOCKS), actor=actor, status=Status.CANCELLED)


def _involve(child: Child, facility: Facility, since: dt.date) -> None:
    """The facility holding the child sees the child (haven/access/scoping.py)."""
    Involvement.objects.create(
        child=child,
        organisation=facility.organisation,
        basis=InvolvementBasis.PLACEMENT,
        started_at=_start_of(since),
    )


def _unfollow(child: Child, old: Placement, new: Placement | None, on: dt.date) -> None:
    """The commune that followed a child in a family of another commune (``monitoring_authority``, given
    sight of the child when the family took it) stops seeing the child when that care ends — as a
    facility does (``_uninvolve``) — unless it follows the child's next family too."""
    if old.group_id is not None or old.family_id is None:
        return
    following = monitoring_authority(old)
    if new is not None and new.group_id is None and monitoring_authority(new) == following:
        return
    Involvement.objects.filter(
        child=child, organisation=following, basis=InvolvementBasis.PLACEMENT, ended_at__isnull=True
    ).update(ended_at=_start_of(on) if on < clock.today() else clock.now())


def _uninvolve(child: Child, facility: Facility, on: dt.date) -> None:
    Involvement.objects.filter(
        child=child,
        organisation=facility.organisation,
        basis=InvolvementBasis.PLACEMENT,
        ended_at__isnull=True,
    ).update(ended_at=_start_of(on) if on < clock.today() else clock.now())


@transaction.atomic
def placement_start(
    *,
    actor: User,
    child: Child,
    form: str,
    started_on: dt.date,
    reason: str,
    group: SmallGroup | None = None,
    override_reason: str = "",
    room: Room | None = None,
) -> Placement:
    """A child's first placement, or the next one after the last has ended. A child who is already
    placed is moved with ``placement_transfer``."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    membership, carer = _check_and_act(actor=actor, child=child, form=form, group=group)
    if group is not None:
        # Admission is the facility's own act (its intake): its managing authority moves or ends a
        # child's facility care, or decides by Form 16, but does not admit a child here.
        membership = facility_membership(actor, group.home.facility)
    reason = _required("reason", reason, _("Say why the child is placed here."))
    _check_dates(child, started_on)
    breaches, override_by = _check_capacity(
        actor=actor,
        child=child,
        group=group,
        on=started_on,
        override_reason=override_reason,
        from_same_facility=False,
        room=room,
    )
    placement = _create(
        actor=actor,
        child=child,
        form=form,
        group=group,
        carer=carer.name,
        started_on=started_on,
        reason=reason,
        override_by=override_by,
        override_reason=override_reason,
        room=room,
    )
    previous = Placement.objects.filter(child=child).exclude(pk=placement.pk).order_by("-started_on").first()
    _record_change(placement, _carer(previous, previous.ended_on) if previous else Carer(), carer, reason)
    if group is not None:
        facility = group.home.facility
        _involve(child, facility, started_on)
        _open_clocks(placement, child, facility, _start_of(started_on), _start_of(started_on))
    _open_monitoring(placement)
    _audit(actor, membership, "care.placement_start", placement, breaches)
    return placement


def _create(
    *,
    actor: User,
    child: Child,
    form: str,
    group: SmallGroup | None,
    carer: str,
    started_on: dt.date,
    reason: str,
    override_by: User | None,
    override_reason: str,
    family=None,
    room: Room | None = None,
) -> Placement:
    try:
        with transaction.atomic():
            return Placement.objects.create(
                child=child,
                form=form,
                group=group,
                room=room if group is not None else None,
                carer_name=carer if group is None else "",
                family=family,
                started_on=started_on,
                reason=reason,
                overload=override_by is not None,
                override_by=override_by,
                override_reason=override_reason.strip() if override_by else "",
                placed_by=actor,
            )
    except IntegrityError:
        raise Refused(_("The child already has an open placement."), code="overlapping_placement") from None


def _record_change(placement: Placement, before: Carer, after: Carer, reason: str) -> None:
    """A change of the person who principally cares for the child: compared by identity (the staff
    member, the family), so two carers of the same name are a change and a renamed one is not."""
    if before.key and after.key and before.key != after.key:
        CaregiverChange.objects.create(
            child_id=placement.child_id,
            placement=placement,
            on=placement.started_on,
            from_staff_id=before.staff_id,
            to_staff_id=after.staff_id,
            from_family_id=before.family_id,
            to_family_id=after.family_id,
            from_name=before.name,
            to_name=after.name,
            reason=reason,
        )


def _audit(
    actor: User, membership: Membership, action: str, placement: Placement, breaches: list[str]
) -> None:
    data = {
        "form": placement.form,
        "group": placement.group_id,
        "started_on": placement.started_on.isoformat(),
    }
    if breaches:
        data["override"] = {"breaches": breaches, "reason": placement.override_reason}
    record(
        actor=actor,
        action=action,
        obj=placement,
        organisation=membership.organisation,
        reason=placement.override_reason,
        data=data,
    )


@transaction.atomic
def placement_transfer(
    *,
    actor: User,
    placement: Placement,
    form: str,
    on: dt.date,
    reason: str,
    group: SmallGroup | None = None,
    override_reason: str = "",
    room: Room | None = None,
) -> Placement:
    """Move a child: the open placement ends on ``on`` and the next starts the same day, with a reason.
    The review and family-plan clocks of a facility stay run from the first day in the facility. The
    facility's staff or its managing authority move a child out of a facility."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    child = placement.child
    if placement.ended_on is not None:
        raise Refused(_("This placement has already ended."), code="already_ended")
    if placement.group_id:
        holder_membership(actor, placement.group.home.facility)
    else:
        require(actor, Verb.CARE_MANAGE, child)
    if group is not None and group.pk == placement.group_id:
        raise invalid("group", _("The child is already in this group."), "unchanged")
    membership, carer = _check_and_act(actor=actor, child=child, form=form, group=group)
    reason = _required("reason", reason, _("Say why the child is moved."))
    if on < placement.started_on:
        raise invalid("on", _("The move cannot be before the current placement started."), "before_start")
    _not_future("on", on)
    old_facility = placement.group.home.facility if placement.group_id else None
    new_facility = group.home.facility if group is not None else None
    if old_facility is not None and old_facility != new_facility:
        # Only the facility holding the child (or its managing authority) lets the child go.
        holder_membership(actor, old_facility)
    before = _carer(placement, on)
    placement.ended_on, placement.end_reason = on, reason
    placement.save(update_fields=["ended_on", "end_reason", "updated_at"])
    breaches, override_by = _check_capacity(
        actor=actor,
        child=child,
        group=group,
        on=on,
        override_reason=override_reason,
        from_same_facility=old_facility is not None and old_facility == new_facility,
        room=room,
    )
    new = _create(
        actor=actor,
        child=child,
        form=form,
        group=group,
        carer=carer.name,
        started_on=on,
        reason=reason,
        override_by=override_by,
        override_reason=override_reason,
        room=room,
    )
    if new_facility is not None:
        new.needs_family, new.family_plan = placement.needs_family, placement.family_plan
        new.save(update_fields=["needs_family", "family_plan", "updated_at"])
    _record_change(new, before, carer, reason)
    _move_clocks(actor, placement, new, old_facility, new_facility, on)
    _close_monitoring(actor, placement)
    _open_monitoring(new)
    _audit(actor, membership, "care.placement_transfer", new, breaches)
    return new


def _move_clocks(
    actor: User,
    old: Placement,
    new: Placement,
    old_facility: Facility | None,
    new_facility: Facility | None,
    on: dt.date,
) -> None:
    """A move between groups or facilities carries the clocks over: only a review restarts the review
    clock, and the under-3 family-plan clock keeps the first day of facility care (issue #4)."""
    from haven.deadlines.models import Obligation

    opened = {}
    if old_facility is not None:
        opened = dict(
            Obligation.objects.filter(
                subject_type=old._meta.label_lower, subject_id=old.pk, rule__in=CLOCKS, status=Status.OPEN
            ).values_list("rule", "opened_at")
        )
        # Leaving facility care for a family is what the family plan was for.
        obligations_close(
            subject=old,
            rules=["care.family_plan"],
            actor=actor,
            status=Status.MET if new_facility is None else Status.CANCELLED,
        )
        obligations_close(subject=old, rules=["care.review"], actor=actor, status=Status.CANCELLED)
        if old_facility != new_facility:
            _uninvolve(old.child, old_facility, on)
    if new_facility is not None:
        if old_facility != new_facility:
            _involve(new.child, new_facility, on)
        if old_facility is None:  # a new stay in facility care
            _open_clocks(new, new.child, new_facility, _start_of(on), _start_of(on))
        else:
            _open_clocks(
                new,
                new.child,
                new_facility,
                opened.get("care.review") or _start_of(on),
                opened.get("care.family_plan"),
            )


# Alternative care decided by the commune chairman (Form 12, or Form 16): ended only by a Form 16
# decision while the person is a child — under 16 (Law on Children art. 1). Adoption follows the Law on
# Adoption.
DECIDED_FAMILY_FORMS = frozenset({CareForm.KIN, CareForm.FOSTER})
CHILD_UNTIL_YEARS = 16


@transaction.atomic
def placement_end(*, actor: User, placement: Placement, on: dt.date, reason: str) -> Placement:
    """The child leaves care (returned to the parents, of age, died...): no placement follows."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.ended_on is not None:
        raise Refused(_("This placement has already ended."), code="already_ended")
    if placement.group_id:
        # A facility placement is ended only by the facility holding the child, or its managing
        # authority (vietnam-process.md §3.4 C2).
        membership = holder_membership(actor, placement.group.home.facility)
    else:
        membership = require(actor, Verb.CARE_MANAGE, placement.child)
    reason = _required("reason", reason, _("Say why the placement ends."))
    if on < placement.started_on:
        raise invalid("on", _("The end cannot be before the start."), "before_start")
    _not_future("on", on)
    age = placement.child.age_years(on)
    if placement.form in DECIDED_FAMILY_FORMS and (age is None or age < CHILD_UNTIL_YEARS):
        # Kinship or foster care of a child is ended or changed only by the commune chairman's decision
        # (Law on Children art. 69; Decree 56/2017 art. 48(2), Form 16; vietnam-process.md §3.4 E1),
        # reunification included; it ends of itself when the child turns 16 (art. 1).
        raise Refused(
            _("Kinship or foster care is ended or changed by the commune chairman's decision (Form 16)."),
            code="by_decision",
        )
    placement.ended_on, placement.end_reason = on, reason
    placement.save(update_fields=["ended_on", "end_reason", "updated_at"])
    _close_monitoring(actor, placement)
    _unfollow(placement.child, placement, None, on)
    if placement.group_id:
        obligations_close(subject=placement, rules=list(CLOCKS), actor=actor, status=Status.CANCELLED)
        _uninvolve(placement.child, placement.group.home.facility, on)
    record(
        actor=actor,
        action="care.placement_end",
        obj=placement,
        organisation=membership.organisation,
        reason=reason,
    )
    return placement


@transaction.atomic
def placement_review(
    *, actor: User, placement: Placement, note: str, needs_family: bool, family_plan: str = ""
) -> Review:
    """The six-monthly review (Law on Children art. 68(1)): the next one is due 6 months on. A
    family-based plan stops the under-3 clock."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.group_id is None or placement.ended_on is not None:
        raise Refused(_("Only a child now in a facility is reviewed here."), code="not_in_facility")
    facility = placement.group.home.facility
    membership = facility_membership(actor, facility)
    note = _required("note", note, _("Summarise the review."))
    family_plan = (family_plan or "").strip()
    review = Review.objects.create(
        placement=placement,
        reviewed_on=clock.today(),
        note=note,
        needs_family=needs_family,
        family_plan=family_plan,
        reviewed_by=actor,
    )
    placement.needs_family = needs_family
    if family_plan:
        placement.family_plan = family_plan
    placement.save(update_fields=["needs_family", "family_plan", "updated_at"])
    obligations_close(subject=placement, rules=["care.review"], actor=actor)
    if placement.family_plan:
        obligations_close(subject=placement, rules=["care.family_plan"], actor=actor)
    obligation_open(
        rule_code="care.review", subject=placement, child=placement.child, responsible=facility.organisation
    )
    record(
        actor=actor,
        action="care.placement_review",
        obj=placement,
        organisation=membership.organisation,
        data={"needs_family": needs_family, "family_plan": bool(family_plan)},
    )
    return review


FROM_FOUNDLING_PLACEMENT = {
    "kin": CareForm.KIN,
    "foster": CareForm.FOSTER,
    "adoption": CareForm.ADOPTION_PENDING,
}


@transaction.atomic
def placement_from_decision(
    *,
    actor: User,
    membership: Membership,
    child: Child,
    form: str,
    carer_name: str,
    reason: str,
    family=None,
) -> Placement:
    """A family placement decided in another workflow that has already checked who acts (the
    found-child pathway's "place" step): it joins the child's one care history from today, ending
    any open placement (a facility's clocks stop, the family-plan clock as met)."""
    on = clock.today()
    current = Placement.objects.select_for_update().filter(child=child, ended_on__isnull=True).first()
    before, old_facility = Carer(), None
    if current is not None:
        old_facility = current.group.home.facility if current.group_id else None
        before = _carer(current, on)
        current.ended_on, current.end_reason = max(on, current.started_on), reason
        current.save(update_fields=["ended_on", "end_reason", "updated_at"])
    carer = carer_name.strip()[:150]
    new = _create(
        actor=actor,
        child=child,
        form=form,
        group=None,
        carer=carer,
        started_on=current.ended_on if current is not None else on,
        reason=reason,
        override_by=None,
        override_reason="",
        family=family,
    )
    _record_change(new, before, Carer(name=carer, family_id=family.pk if family else None), reason)
    if family is not None and family.commune_id != child.current_commune_id:
        # The family's commune follows the child from now on (monitoring visits), so it sees the child.
        Involvement.objects.create(
            child=child,
            organisation=monitoring_authority(new),
            basis=InvolvementBasis.PLACEMENT,
            started_at=_start_of(new.started_on),
        )
    if current is not None:
        _unfollow(child, current, new, current.ended_on)
    if current is not None and old_facility is not None:
        _move_clocks(actor, current, new, old_facility, None, on)
    if current is not None:
        _close_monitoring(actor, current)
    _open_monitoring(new)
    _audit(actor, membership, "care.placement_start", new, [])
    return new


@transaction.atomic
def monitoring_visit(
    *,
    actor: User,
    placement: Placement,
    visited_on: dt.date,
    living_conditions: str,
    health: str,
    schooling: str,
    integration: str,
    proposal: str = "",
) -> MonitoringVisit:
    """A visit of a child in a family (Decree 56/2017 art. 43(2), 46): the next is due 6 months on."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    membership = require(actor, Verb.CARE_MANAGE, placement.child)
    if placement.form not in FAMILY_FORMS or placement.ended_on is not None:
        raise Refused(_("Only a child now in a family is visited here."), code="not_in_family")
    _not_future("visited_on", visited_on)
    if visited_on < placement.started_on:
        raise invalid("visited_on", _("The visit cannot be before the placement started."), "before_start")
    visit = MonitoringVisit.objects.create(
        placement=placement,
        visited_on=visited_on,
        living_conditions=_required(
            "living_conditions", living_conditions, _("Describe the living conditions.")
        ),
        health=_required("health", health, _("Describe the child's health.")),
        schooling=_required("schooling", schooling, _("Describe the child's schooling.")),
        integration=_required("integration", integration, _("Describe how the child is integrating.")),
        proposal=(proposal or "").strip(),
        visited_by=actor,
    )
    obligations_close(subject=placement, rules=list(FAMILY_CLOCKS), actor=actor)

    obligation_open(
        rule_code="care.monitoring",
        subject=placement,
        child=placement.child,
        responsible=monitoring_authority(placement),
        start=_start_of(visited_on),
    )
    record(
        actor=actor,
        action="care.monitoring_visit",
        obj=placement,
        organisation=membership.organisation,
        data={"visited_on": visited_on.isoformat(), "proposal": bool(visit.proposal)},
    )
    return visit


def incident_reporter(actor: User, facility: Facility) -> Membership | None:
    """The actor's membership of the facility in a role that reports to child protection, or None."""
    from haven.protection.services import REPORTING_ROLES

    for m in granting(actor, Verb.CHILD_VIEW):
        if m.organisation_id == facility.organisation_id and m.role in REPORTING_ROLES:
            return m
    return None


@transaction.atomic
def incident_report(
    *,
    actor: User,
    child: Child,
    kind: str,
    occurred_at: dt.datetime,
    description: str,
    actions_taken: str = "",
):
    """Violence or abuse inside the facility where the child is placed: recorded, and a child-protection
    report (Form 01) opened through haven/protection, which notifies the provincial Department of
    Health of abuse inside a facility (Law on Children art. 47; Notice 432 §3)."""
    from haven.care.models import Incident, IncidentKind
    from haven.protection.services import protection_report

    current = Placement.objects.filter(child=child, ended_on__isnull=True, group__isnull=False).first()
    if current is None:
        raise Refused(_("The child is not placed in a facility."), code="not_in_facility")
    facility = current.group.home.facility
    membership = incident_reporter(actor, facility)
    if membership is None:
        raise NotVisible
    if occurred_at > clock.now():
        raise invalid("occurred_at", _("The time cannot be in the future."), "future_date")
    if clock.localdate(occurred_at) < current.started_on:
        raise invalid(
            "occurred_at",
            _("The time cannot be before the child was placed in the facility."),
            "before_start",
        )
    description = _required("description", description, _("Say what happened."))
    case = protection_report(
        actor=actor,
        child=child,
        incident_commune=facility.organisation.area,
        incident_place=f"{facility}, {current.group}",
        condition=description,
        likely_harm=_("%(kind)s inside a social protection facility") % {"kind": IncidentKind(kind).label},
        sex=child.sex,
        caregiver=_current_carer(current, clock.today()),
        actions_taken=(actions_taken or "").strip(),
    )
    incident = Incident.objects.create(
        facility=facility,
        child=child,
        kind=IncidentKind(kind),
        occurred_at=occurred_at,
        description=description,
        actions_taken=(actions_taken or "").strip(),
        protection_case=case,
        reported_by=actor,
    )
    record(
        actor=actor,
        action="care.incident_report",
        obj=incident,
        organisation=membership.organisation,
        data={"kind": kind, "protection_case": str(case.pk)},
    )
    return incident


@transaction.atomic
def inspection_record(
    *, actor: User, facility: Facility, inspected_on: dt.date, results: dict[str, str], findings: str = ""
):
    """The provincial authority inspects a facility of its province against every checklist item."""
    from haven.care import checklist
    from haven.care.models import Inspection
    from haven.care.selectors import facilities_visible

    if not facilities_visible(actor, Verb.CARE_INSPECT).filter(pk=facility.pk).exists():
        raise NotVisible
    membership = require(actor, Verb.CARE_INSPECT)
    _not_future("inspected_on", inspected_on)
    allowed = {code for code, _label in checklist.RESULTS}
    missing = [item.code for item in checklist.ITEMS if results.get(item.code) not in allowed]
    if missing or set(results) - {item.code for item in checklist.ITEMS}:
        raise invalid("results", _("Give a result for every item of the checklist."), "incomplete")
    if "not_met" in results.values() and not (findings or "").strip():
        raise invalid("findings", _("Say what must be put right."), "required")
    inspection = Inspection.objects.create(
        facility=facility,
        inspected_on=inspected_on,
        results=results,
        findings=(findings or "").strip(),
        inspected_by=actor,
        organisation=membership.organisation,
    )
    record(
        actor=actor,
        action="care.inspection_record",
        obj=inspection,
        organisation=membership.organisation,
        data={"not_met": inspection.not_met},
    )
    return inspection
