"""What an organisation, or a social collaborator, holds in the prevention work
(accounts/holdings.py): the people at risk a commune answers for, those a Women's or Youth Union
chapter follows through its collaborators, the support asked of an organisation, and a collaborator's
villages and the women she follows."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.holdings import Holding, PersonalHolding, Takeover, declare
from haven.accounts.models import Membership, Organisation, Role, User
from haven.core import clock
from haven.core.errors import invalid
from haven.prevention.models import OPEN_STATES, AtRiskPerson, Coverage, Support, SupportStatus


def _open():
    return AtRiskPerson.objects.filter(state__in=list(OPEN_STATES))


def _chapter_of(user: User, on) -> Organisation | None:
    m = (
        Membership.objects.active(on)
        .filter(user=user, role=Role.SOCIAL_COLLABORATOR)
        .select_related("organisation")
        .first()
    )
    return m.organisation if m else None


def _collaborators(organisation: Organisation, on):
    return Membership.objects.active(on).filter(organisation=organisation, role=Role.SOCIAL_COLLABORATOR)


def _chapter_moves(organisation: Organisation, takeover: Takeover) -> int:
    """Merged, the chapter's collaborators go on under the successor. Closed, they stop: the women
    they followed have nobody until the commune assigns them again, and their villages are uncovered."""
    followed = _open().filter(collaborator_organisation=organisation)
    if takeover.merge and takeover.successor is not None:
        return followed.update(collaborator_organisation=takeover.successor)
    today = clock.localdate(takeover.now)
    users = _collaborators(organisation, today).values("user_id")
    covering = Coverage.objects.in_force(today).filter(collaborator__in=users)
    covering.filter(since__lt=today).update(until=today)
    covering.filter(since__gte=today).delete()  # begun today: never in force
    return followed.update(collaborator=None, collaborator_organisation=None)


def _supports(organisation: Organisation):
    return Support.objects.filter(to_organisation=organisation, status=SupportStatus.REFERRED)


def _follows(user: User):
    return _open().filter(collaborator=user)


def _successor_chapter(successor: User, takeover: Takeover) -> Organisation:
    chapter = _chapter_of(successor, clock.localdate(takeover.now))
    if chapter is None:
        raise invalid(
            "successor", _("The person who takes over must be a social collaborator."), "not_a_collaborator"
        )
    return chapter


def _refollow(user: User, successor: User, takeover: Takeover) -> int:
    chapter = _successor_chapter(successor, takeover)
    return _follows(user).update(collaborator=successor, collaborator_organisation=chapter)


def _covering(user: User, on):
    return Coverage.objects.in_force(on).filter(collaborator=user)


def _recover(user: User, successor: User, takeover: Takeover) -> int:
    """Her villages are the successor's from today (kept once where the successor covers one already)."""
    _successor_chapter(successor, takeover)
    today = clock.localdate(takeover.now)
    rows = list(_covering(user, today))
    covered = set(_covering(successor, today).values_list("village_id", flat=True))
    for row in rows:
        if row.since < today:
            row.until = today
            row.save(update_fields=["until", "updated_at"])
        else:  # begun today: it never was in force, so it is handed over as it is
            row.delete()
        if row.village_id not in covered:
            Coverage.objects.create(collaborator=successor, village_id=row.village_id, since=today)
    return len(rows)


def _hand_back(stand_in: Organisation, authority: Organisation, takeover: Takeover) -> int:
    """The body answering for an area joined Haven: the people at risk there are its own now."""
    area = authority.area
    there = Q(commune=area) if area.level == "commune" else Q(commune__parent=area)
    return _open().filter(there, responsible=stand_in).update(responsible=authority)


declare(
    Holding(
        "prevention.people",
        gettext_lazy("people at risk it answers for"),
        count=lambda o: _open().filter(responsible=o).count(),
        move=lambda o, t: _open().filter(responsible=o).update(responsible=t.successor),
        hand_back=_hand_back,
    ),
    Holding(
        "prevention.chapter",
        gettext_lazy("people at risk its collaborators follow"),
        count=lambda o: _open().filter(collaborator_organisation=o).count(),
        move=_chapter_moves,
        needs_successor=False,
        release=_chapter_moves,
    ),
    Holding(
        "prevention.supports",
        gettext_lazy("support referrals waiting for it"),
        count=lambda o: _supports(o).count(),
        move=lambda o, t: _supports(o).update(to_organisation=t.successor),
    ),
    PersonalHolding(
        "prevention.follows",
        gettext_lazy("people at risk they follow"),
        count=lambda u: _follows(u).count(),
        move=_refollow,
    ),
    PersonalHolding(
        "prevention.coverage",
        gettext_lazy("villages they cover"),
        count=lambda u: _covering(u, clock.today()).count(),
        move=_recover,
    ),
)
