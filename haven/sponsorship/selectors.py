"""Every read of sponsorship, scoped: a coordinator reads the sponsorships and campaigns of their area
and programmes; a sponsor reads only their own, and of the child only a first name, an age band and a
commune (next-capabilities §3.6(5))."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import granting
from haven.accounts.models import User
from haven.core import clock
from haven.sponsorship.models import Campaign, Entry, Sponsor, Sponsorship
from haven.sponsorship.services.ledger import campaign_reach
from haven.sponsorship.services.sponsorships import age_on
from haven.sponsorship.workflow import COORDINATOR

# Age bands a sponsor sees instead of a date of birth.
BANDS = ((0, 6), (6, 11), (11, 15), (15, 18))


def coordinator_filter(user: User, prefix: str = "") -> Q | None:
    found = None
    for m in granting(user, Verb.SPONSORSHIP_COORDINATE):
        area = m.organisation.area
        q = Q(**{f"{prefix}programme__organiser_id": m.organisation_id}) | Q(
            **{f"{prefix}commune_id": area.pk}
        )
        if area.level == "province":
            q |= Q(**{f"{prefix}commune__parent_id": area.pk})
        found = q if found is None else found | q
    return found


def sponsor_filter(user: User, prefix: str = "") -> Q | None:
    found = None
    for m in granting(user, Verb.SPONSORSHIP_OFFER):
        if m.role in COORDINATOR:
            continue
        q = Q(**{f"{prefix}sponsor__user_id": user.pk}) | Q(
            **{f"{prefix}sponsor__organisation_id": m.organisation_id}
        )
        found = q if found is None else found | q
    return found


def is_coordinator_of(user: User, sponsorship: Sponsorship) -> bool:
    q = coordinator_filter(user)
    return q is not None and Sponsorship.objects.filter(q, pk=sponsorship.pk).exists()


def sponsorships_for(user: User):
    clauses = [q for q in (coordinator_filter(user), sponsor_filter(user)) if q is not None]
    if not clauses:
        return Sponsorship.objects.none()
    combined = clauses[0]
    for q in clauses[1:]:
        combined |= q
    return Sponsorship.objects.filter(combined).select_related(
        "sponsor", "programme__type", "commune", "child"
    )


def sponsorship_of(user: User, pk) -> Sponsorship:
    return get_object_or_404(sponsorships_for(user), pk=pk)


def sponsors_for(user: User):
    """The sponsors a person may offer for: a coordinator those of their area; a sponsor itself."""
    q = None
    for m in granting(user, Verb.SPONSORSHIP_OFFER):
        area = m.organisation.area
        if m.role in COORDINATOR:
            clause = Q(area_id=area.pk) | Q(area__parent_id=area.pk)
        else:
            clause = Q(user_id=user.pk) | Q(organisation_id=m.organisation_id)
        q = clause if q is None else q | clause
    return Sponsor.objects.filter(q) if q is not None else Sponsor.objects.none()


def campaigns_for(user: User):
    q = campaign_reach(user)
    return (
        Campaign.objects.filter(q).select_related("programme__type", "area")
        if q is not None
        else Campaign.objects.none()
    )


def entry_of(user: User, pk) -> Entry:
    return get_object_or_404(
        Entry.objects.filter(campaign__in=campaigns_for(user)).select_related("campaign"), pk=pk
    )


@dataclass(frozen=True)
class ChildForSponsor:
    """All a sponsor sees of the child (World Vision, Plan, Save the Children; PDP Law art. 24)."""

    first_name: str
    age_band: str
    commune: str


def age_band(child) -> str:
    age = age_on(child, clock.today())
    if age is None:
        return _("age not known")
    for low, high in BANDS:
        if low <= age < high:
            return _("%(low)s to %(high)s years") % {"low": low, "high": high - 1}
    return _("18 or over")


def child_for_sponsor(sponsorship: Sponsorship) -> ChildForSponsor | None:
    child = sponsorship.child
    if child is None:
        return None
    return ChildForSponsor(child.given_name or _("(not named)"), age_band(child), sponsorship.commune.name)
