"""Who is told when a child's placement begins: another domain reacts in the same transaction (school
for a child who moves: haven/education/continuity.py) without care importing it. Each listener is
registered when Django starts (its AppConfig.ready), as the pathways register their clocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.areas.models import Area
    from haven.care.models import Placement

Listener = Callable[["Placement", "User | None"], None]
LISTENERS: list[Listener] = []


def register(listener: Listener) -> None:
    if listener not in LISTENERS:
        LISTENERS.append(listener)


def began(placement: Placement, actor: User | None) -> None:
    """A placement was written; each listener runs inside the step's transaction."""
    for listener in LISTENERS:
        listener(placement, actor)


def commune_of(placement: Placement) -> Area:
    """Where the child lives under ``placement``: the facility's area (its commune, or its province
    for a provincial facility), the family's commune, or else the child's own commune."""
    if placement.group_id is not None:
        return placement.group.home.facility.organisation.area
    if placement.family_id is not None:
        return placement.family.commune
    return placement.child.current_commune
