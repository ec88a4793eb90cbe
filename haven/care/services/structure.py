"""The structure of a facility (Decree 103/2017; Notice 432-TB/VPTW §3): its licence, small homes and
groups, staff, shift rosters and each group's principal caregiver. Plain writes, with no state of their
own: keyword-only, the acting user passed in, atomic, audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Organisation, OrganisationKind, User
from haven.audit.services import record
from haven.care import ratios
from haven.care.authority import facility_membership
from haven.care.models import (
    CaregiverChange,
    Facility,
    Home,
    PrincipalCaregiver,
    Shift,
    ShiftAssignment,
    SmallGroup,
    Staff,
    StaffKind,
)
from haven.care.services.common import not_future as _not_future
from haven.care.services.common import required as _required
from haven.core import dated
from haven.core.errors import Refused, invalid
from haven.people import rules as names


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
