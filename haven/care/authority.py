"""Who acts for a facility or for a child in a family: the facility's own staff, its managing
authority, and the commune that follows a family. The care tables (care/workflow/) and the
services ask these; a person with none of them is told nothing (404)."""

from __future__ import annotations

from haven.access.policy import Verb, allows
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.care.models import Facility, ManagementLevel, Placement


def facility_of(placement: Placement) -> Facility | None:
    return placement.group.home.facility if placement.group_id else None


def facility_membership(actor: User, facility: Facility, verb: Verb = Verb.CARE_MANAGE) -> Membership:
    """The actor's membership of the facility's own organisation that grants ``verb``; otherwise the
    facility is not found (404), as for anyone outside it."""
    for m in granting(actor, verb):
        if m.organisation_id == facility.organisation_id:
            return m
    raise NotVisible


def is_managing(m: Membership, facility: Facility) -> bool:
    """Whether ``m`` is the facility's managing authority holding ``care.decide``: the provincial
    Department of Health for a facility managed by the province, the chairman of the facility's
    commune for one managed by the commune (Circular 14/2020 art. 3; Decree 56/2017 art. 48; after 1
    July 2025 the Department of Health replaces the Department of Labour, vietnam-process.md §7)."""
    if not allows(m.role, Verb.CARE_DECIDE):
        return False
    area = facility.organisation.area
    if facility.management_level == ManagementLevel.PROVINCE:
        return (
            m.organisation.kind == OrganisationKind.PROVINCIAL_HEALTH
            and m.organisation.area_id == area.province.pk
        )
    return m.role == Role.COMMUNE_CHAIRMAN and m.organisation.area_id == area.pk


def managing_membership(actor: User, facility: Facility) -> Membership:
    """The actor's membership of the facility's managing authority (``is_managing``); otherwise
    NotVisible."""
    for m in granting(actor, Verb.CARE_DECIDE):
        if is_managing(m, facility):
            return m
    raise NotVisible


def holder_membership(actor: User, facility: Facility) -> Membership:
    """Who may end or move a child's facility placement: the facility's own staff (care.manage), or
    its managing authority (care.decide)."""
    try:
        return facility_membership(actor, facility)
    except NotVisible:
        return managing_membership(actor, facility)


def held_facilities(user: User):
    """The facilities whose children ``user`` may move or end the care of: those the user works in
    (care.manage), and those the user's authority manages (``is_managing``)."""
    from django.db.models import Q

    clauses = Q(organisation__in=[m.organisation_id for m in granting(user, Verb.CARE_MANAGE)])
    for m in granting(user, Verb.CARE_DECIDE):
        area = m.organisation.area
        if m.organisation.kind == OrganisationKind.PROVINCIAL_HEALTH:
            clauses |= Q(management_level=ManagementLevel.PROVINCE) & (
                Q(organisation__area=area) | Q(organisation__area__parent=area)
            )
        elif m.role == Role.COMMUNE_CHAIRMAN:
            clauses |= Q(management_level=ManagementLevel.COMMUNE, organisation__area=area)
    return Facility.objects.filter(clauses)


def monitoring_authority(placement: Placement) -> Organisation:
    """The commune that follows a child in a family: where the family lives (the chairman's Form 12
    commune), else the child's own commune."""
    from haven.accounts.selectors import authority_for

    commune = placement.family.commune if placement.family_id else placement.child.current_commune
    return authority_for(commune)
