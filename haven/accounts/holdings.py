"""What an organisation, or one person, holds that must never be left with nobody: the open cases it
answers for, its running clocks, the handovers, referrals and transfers addressed to it, the children
it is involved with, the women a collaborator follows.

Each domain declares its own holdings in its ``holdings.py`` (found when Django starts, see apps.py),
so accounts imports no domain. Closing or merging an organisation (accounts/services.py) counts them;
if any needs a successor, the administrator must name the organisation that takes them over, and
every holding moves to it in the same transaction, audited — or, where only a decision on the child
may move it (a child placed in a facility's small group), the closing is refused with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from haven.accounts.models import Membership, Organisation, User


@dataclass(frozen=True)
class Takeover:
    """One closing or merger being carried out: who does it (through which membership), who takes
    over, when, and why."""

    actor: User
    membership: Membership
    successor: Organisation | None
    now: dt.datetime
    reason: str
    merge: bool = False


@dataclass(frozen=True)
class Holding:
    """Something an organisation holds, as ``count`` and ``move`` over the organisation.

    ``needs_successor``: the organisation cannot close while it holds any (an open case, a running
    clock); otherwise the holding follows a successor when there is one and ends with the
    organisation when there is none (an unread message). ``refusal``: it cannot be moved by an
    administrator at all, only by a decision on the child, and this says so.
    ``hand_back``: when a commune's People's Committee joins Haven, what the body standing in for it
    held of that commune moves to the committee (docs/decisions/0014). ``move`` is called with the
    successor set; ``release`` when there is none."""

    code: str
    label: str | Promise  # "open found-child cases", shown with the count
    count: Callable[[Organisation], int]
    move: Callable[[Organisation, Takeover], int] | None = None
    needs_successor: bool = True
    refusal: str | Promise = ""
    hand_back: Callable[[Organisation, Organisation, Takeover], int] | None = None
    # What becomes of it when the organisation closes with no successor (needs_successor False only).
    release: Callable[[Organisation, Takeover], int] | None = None


@dataclass(frozen=True)
class PersonalHolding:
    """Something one person holds (the case worker of a case, the collaborator following a woman)."""

    code: str
    label: str | Promise
    count: Callable[[User], int]
    move: Callable[[User, User, Takeover], int]


HOLDINGS: dict[str, Holding] = {}
PERSONAL: dict[str, PersonalHolding] = {}


def declare(*holdings: Holding | PersonalHolding) -> None:
    for holding in holdings:
        table = PERSONAL if isinstance(holding, PersonalHolding) else HOLDINGS
        known = table.get(holding.code)
        if known is not None and known != holding:
            raise ValueError(f"holding {holding.code} is declared twice")
        table[holding.code] = holding


@dataclass(frozen=True)
class Held:
    holding: Holding | PersonalHolding
    count: int

    def __str__(self) -> str:
        return f"{self.holding.label}: {self.count}"


def held_by(organisation: Organisation) -> list[Held]:
    """What ``organisation`` holds now, holding by holding (only those it holds any of)."""
    found = [Held(h, h.count(organisation)) for h in HOLDINGS.values()]
    return [h for h in found if h.count]


def held_by_person(user: User) -> list[Held]:
    found = [Held(h, h.count(user)) for h in PERSONAL.values()]
    return [h for h in found if h.count]
