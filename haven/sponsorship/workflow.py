"""A sponsorship as one table on the workflow engine:

    offered ──match (coordinator)──▶ active ──end──▶ ended
       └──decline──▶ declined          ├ approve contact, record consent, exit plan (side steps)

A sponsor (or a police unit) offers to a programme or a commune, never to a child; the coordinator of
the programme's area matches a child, approves direct contact once the sponsor is vetted, and ends it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.models import Membership, Role, User
from haven.core.errors import Refused
from haven.sponsorship.models import Sponsorship, SponsorshipState
from haven.workflow.engine import Tell, Transition, Workflow
from haven.workflow.guards import guard

R = Role
S = SponsorshipState
COORDINATOR = frozenset({R.SPONSORSHIP_COORDINATOR})
SPONSORS = frozenset({R.SPONSOR, R.COMMUNE_POLICE_OFFICER})


def coordinates(m: Membership, sponsorship: Sponsorship) -> bool:
    """A coordinator reaches the sponsorships of the commune or province their organisation sits in,
    and those of the programmes their organisation runs."""
    area = m.organisation.area
    commune = sponsorship.commune
    return (
        sponsorship.programme.organiser_id == m.organisation_id
        or area.pk == commune.pk
        or (area.level == "province" and commune.parent_id == area.pk)
    )


def sponsors(m: Membership, sponsorship: Sponsorship, user: User) -> bool:
    sponsor = sponsorship.sponsor
    return sponsor.user_id == user.pk or (
        sponsor.organisation_id is not None and sponsor.organisation_id == m.organisation_id
    )


def _reaches(m: Membership, sponsorship: Sponsorship, user: User) -> bool:
    if m.role in COORDINATOR:
        return coordinates(m, sponsorship)
    if m.role in SPONSORS:
        return sponsors(m, sponsorship, user)
    return False


def _visible(user: User, sponsorship: Sponsorship) -> bool:
    from haven.access.scoping import granting

    return any(coordinates(m, sponsorship) for m in granting(user, Verb.SPONSORSHIP_COORDINATE)) or any(
        sponsors(m, sponsorship, user) for m in granting(user, Verb.SPONSORSHIP_OFFER)
    )


@guard("sponsorship.vetted", "Direct contact: the sponsor's vetting is recorded and approved.")
def vetted(firing) -> None:
    from haven.sponsorship.models import Vetting

    if not Vetting.objects.filter(sponsor_id=firing.subject.sponsor_id, approved_at__isnull=False).exists():
        raise Refused(
            _(
                "Direct contact needs the sponsor's vetting first: a judicial record certificate, a "
                "referee and the safeguarding briefing acknowledged, approved by a coordinator."
            ),
            code="not_vetted",
        )


def _organiser(firing):
    return firing.subject.programme.organiser


def _sponsor_unit(firing):
    """The sponsor's own unit (the commune police), or the organisation of the sponsor's account."""
    sponsor = firing.subject.sponsor
    if sponsor.organisation_id:
        return sponsor.organisation
    if sponsor.user_id:
        from haven.access.scoping import granting

        found = next(iter(granting(sponsor.user, Verb.SPONSORSHIP_OFFER)), None)
        return found.organisation if found else None
    return None


def _sponsor_account(firing):
    """A unit is told as a whole; a person's own account, alone."""
    sponsor = firing.subject.sponsor
    return sponsor.user if not sponsor.organisation_id and sponsor.user_id else None


TRANSITIONS: dict[str, Transition] = {
    "offer": Transition(
        frozenset(),
        S.OFFERED,
        SPONSORS | COORDINATOR,
        gettext_lazy("Offer a sponsorship to a programme or a commune"),
        verb=Verb.SPONSORSHIP_OFFER,
        tells=(
            Tell(
                gettext_lazy("A sponsor offers a sponsorship: match a child"),
                to=_organiser,
                link=lambda firing: f"/sponsorship/{firing.subject.pk}/match/",
            ),
        ),
    ),
    "match": Transition(
        frozenset({S.OFFERED}),
        S.ACTIVE,
        COORDINATOR,
        gettext_lazy("Match a child"),
        opens=("sponsorship.exit_plan",),
        confirm=gettext_lazy(
            "The sponsor will see the child's first name, age band and commune, nothing more."
        ),
        tells=(
            Tell(
                gettext_lazy("Your sponsorship is matched with a child: see the child's first name"),
                to=_sponsor_unit,
                user=_sponsor_account,
            ),
        ),
    ),
    "decline": Transition(frozenset({S.OFFERED}), S.DECLINED, COORDINATOR, gettext_lazy("Decline the offer")),
    "approve_contact": Transition(
        frozenset({S.ACTIVE}),
        None,
        COORDINATOR,
        gettext_lazy("Approve direct contact"),
        guards=("sponsorship.vetted",),
    ),
    "consent": Transition(
        frozenset({S.ACTIVE}),
        None,
        COORDINATOR,
        gettext_lazy("Record the child's and representative's consent"),
    ),
    "exit_plan": Transition(
        frozenset({S.ACTIVE}),
        None,
        COORDINATOR,
        gettext_lazy("Write the exit plan"),
        closes=("sponsorship.exit_plan",),
    ),
    "request_visit": Transition(
        frozenset({S.ACTIVE}),
        None,
        SPONSORS | COORDINATOR,
        gettext_lazy("Ask for a visit"),
        verb=Verb.SPONSORSHIP_OFFER,
        # Told to the organiser's coordinators (notifications/selectors.py reads the "#visits" link),
        # not to another sponsor whose account sits in the same chapter.
        tells=(
            Tell(
                gettext_lazy("A sponsor asks for a visit: approve or refuse it"),
                to=_organiser,
                link=lambda firing: f"/sponsorship/{firing.subject.pk}/#visits",
            ),
        ),
    ),
    "decide_visit": Transition(
        frozenset({S.ACTIVE}), None, COORDINATOR, gettext_lazy("Approve or refuse a visit")
    ),
    "message": Transition(
        frozenset({S.ACTIVE}),
        None,
        SPONSORS | COORDINATOR,
        gettext_lazy("Send a message through Haven"),
        verb=Verb.SPONSORSHIP_OFFER,
    ),
    "end": Transition(
        frozenset({S.ACTIVE}),
        S.ENDED,
        COORDINATOR,
        gettext_lazy("End the sponsorship"),
        cancels=("sponsorship.exit_plan",),
        confirm=gettext_lazy("An ended sponsorship cannot be restarted: a new offer is needed."),
    ),
}

WORKFLOW = Workflow(
    "sponsorship",
    model=Sponsorship,
    states=SponsorshipState,
    transitions=TRANSITIONS,
    verb=Verb.SPONSORSHIP_COORDINATE,
    reaches=_reaches,
    visible=_visible,
    link=lambda s: f"/sponsorship/{s.pk}/",
    title=gettext_lazy("Sponsorship"),
)
