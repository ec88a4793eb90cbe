"""What led to a child-protection case, told by the domain it came from (a complaint that revealed
harm...), so that the case's page links back to it while protection imports no such domain. Each
finder returns only what the reader may see (haven/people/cases.py has the same shape for a child)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from haven.people.cases import CaseLink

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.protection.models import ProtectionCase

Finder = Callable[["User", "ProtectionCase"], list[CaseLink]]
FINDERS: list[Finder] = []


def register(finder: Finder) -> None:
    """Called by a domain when Django starts (its AppConfig.ready)."""
    if finder not in FINDERS:
        FINDERS.append(finder)


def origins_of(*, user: User, case: ProtectionCase) -> list[CaseLink]:
    return [link for finder in FINDERS for link in finder(user, case)]
