"""Form 16: the decision ending or changing a child's alternative care (Law on Children art. 69;
Decree 56/2017 art. 48(2); vietnam-process.md §3.4 C2 and E1) — who decides, where a decision may move
a child, and who reads the decisions. The decision itself is the table of care/workflow/, taken by
care/services/decisions.py.

For a child in a family the chairman of the commune that follows the family decides; for a child in a
facility, the facility's managing authority (authority.managing_membership).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Role, User
from haven.care.authority import managing_membership
from haven.care.models import CareChangeDecision, CareForm, Placement, SmallGroup

# The forms a Form 16 decision may move a child to; adoption follows the Law on Adoption instead.
NEXT_FORMS = (CareForm.KIN, CareForm.FOSTER, CareForm.FACILITY_GROUP)
# Reunification ends alternative care without a next form (Law on Children art. 60(5)).
ENDS_CARE = "reunification"


def deciding_membership(actor: User, placement: Placement) -> Membership:
    """Who decides: the facility's managing authority for facility care; for a family, the chairman of
    the commune that follows it (the family's commune, else the child's)."""
    if placement.group_id:
        return managing_membership(actor, placement.group.home.facility)
    commune = placement.family.commune if placement.family_id else placement.child.current_commune
    for m in granting(actor, Verb.CARE_DECIDE):
        if m.role == Role.COMMUNE_CHAIRMAN and m.organisation.area_id == commune.pk:
            return m
    raise NotVisible


def groups_for(membership: Membership):
    """The small groups a decision may move a child into: those of the decider's province."""
    province = membership.organisation.area.province
    return SmallGroup.objects.filter(
        Q(home__facility__organisation__area__parent=province)
        | Q(home__facility__organisation__area=province)
    ).select_related("home__facility")


def decisions_readable(user: User):
    """The Form 16 decisions a user may read: those of the children the user sees, and those the user's
    own deciding authority issued — the chairman of the commune that followed a family keeps the
    decision it signed after the child has left that family (and the commune's sight)."""
    issued_by = [m.organisation_id for m in granting(user, Verb.CARE_DECIDE)]
    return CareChangeDecision.objects.filter(
        Q(pk__in=CareChangeDecision.objects.visible_to(user).values("pk")) | Q(organisation__in=issued_by)
    )


def may_decide(actor: User, placement: Placement) -> bool:
    try:
        deciding_membership(actor, placement)
    except NotVisible:
        return False
    return True


def last_recorded(placement: Placement) -> dt.date | None:
    """The latest review, monitoring visit or caregiver change recorded on the placement: its care
    cannot end before them (the history would say the child was there after)."""
    dates = [
        placement.reviews.aggregate(d=Max("reviewed_on"))["d"],
        placement.visits.aggregate(d=Max("visited_on"))["d"],
        placement.changes.aggregate(d=Max("on"))["d"],
    ]
    return max((d for d in dates if d is not None), default=None)


def __getattr__(name: str):
    # The decision is a service (care/services/decisions.py); still importable from here.
    if name == "care_change_decide":
        from haven.care.services.decisions import care_change_decide

        return care_change_decide
    raise AttributeError(name)
