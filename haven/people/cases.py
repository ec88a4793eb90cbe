"""A child's cases in the pathways (found child, child protection, care), for the child's page: each
pathway registers how it finds the cases of a child that a user may see, so that people/ imports no
pathway and the child's record is never a dead end (walkthrough D26)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.people.models import Child


@dataclass(frozen=True)
class CaseLink:
    kind: str  # what the case is ("Found child", "Child protection"...), in the user's language
    url: str
    state: str  # where it stands, in the user's language
    since: object = None  # the date it opened, for the page


Finder = Callable[["User", "Child"], list[CaseLink]]
FINDERS: list[Finder] = []


def register(finder: Finder) -> None:
    """Called by a pathway when Django starts (its AppConfig.ready)."""
    if finder not in FINDERS:
        FINDERS.append(finder)


def cases_of(*, user: User, child: Child) -> list[CaseLink]:
    """The child's cases that ``user`` may see, each through its pathway's own ``visible_to``."""
    return [link for finder in FINDERS for link in finder(user, child)]
