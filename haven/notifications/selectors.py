"""The inbox: the messages of the user's organisations, each shown only to the members who can open
what it links to, so that no message leads to "not found" (walkthrough D12)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from haven.access.policy import POLICY, Verb
from haven.access.scoping import memberships
from haven.accounts.models import Role, User
from haven.notifications.models import Notification

R = Role
# What a message links to, by the start of its address, and who may open it: a verb the reader's role
# must grant (the policy table), or the roles that page is for. Messages linking elsewhere are for
# every member (a child's or a case's page, which every member who sees the child opens).
READERS: tuple[tuple[Q, Verb | frozenset[Role]], ...] = (
    # A person followed by the prevention work is not a child: only prevention roles read her record.
    (Q(link__startswith="/prevention/"), Verb.PREVENTION_VIEW),
    # One family of the register (Decree 56/2017 art. 41): the commune that verifies and decides, the
    # province (haven/care/families.py, REGISTER_ROLES).
    (
        Q(link__startswith="/care/families/") & ~Q(link="/care/families/"),
        frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER}),
    ),
    # A case offered to the commune: its officer or chairman answers (protection/workflow.py, COMMUNE).
    (
        Q(link__startswith="/protection/transfers/"),
        frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN}),
    ),
    # A sponsorship's coordinator steps (an offer to match, a ledger entry): the Women's Union's
    # coordinators, not a sponsor whose account sits in the same chapter (sponsorship/workflow.py).
    (
        Q(link__startswith="/sponsorship/entries/")
        | (Q(link__startswith="/sponsorship/") & (Q(link__endswith="/match/") | Q(link__endswith="#visits"))),
        Verb.SPONSORSHIP_COORDINATE,
    ),
    # A complaint: those who handle complaints (complaints/selectors.py), never the rest of the commune.
    (Q(link__startswith="/complaints/"), Verb.COMPLAINT_HANDLE),
)

# What a domain hides from one person although their role opens its pages (a complaint about an
# officer is not that officer's to read): each gives a Q over Notification for the user.
HIDDEN: list[Callable[[User], Q]] = []


def hide(messages: Callable[[User], Q]) -> None:
    """Register the messages a domain keeps from a user (called from its ``AppConfig.ready``)."""
    HIDDEN.append(messages)


def _opens(role: str, readers: Verb | frozenset[Role]) -> bool:
    if isinstance(readers, Verb):
        return readers in POLICY[Role(role)].verbs
    return role in readers


def inbox_for(*, user: User) -> QuerySet[Notification]:
    """Messages to the user's organisations (every member who can open them sees them), the newest
    first; a message addressed to one member is that member's alone."""
    roles: dict[int, set[str]] = {}
    for m in memberships(user):
        roles.setdefault(m.organisation_id, set()).add(m.role)
    shown = Q(pk__in=[])
    for organisation, held in roles.items():
        clause = Q(organisation_id=organisation)
        for links, readers in READERS:
            if not any(_opens(role, readers) for role in held):
                clause &= ~links
        shown |= clause
    for messages in HIDDEN:
        shown &= ~messages(user)
    return (
        Notification.objects.filter(shown)
        .filter(Q(user__isnull=True) | Q(user=user))
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )
