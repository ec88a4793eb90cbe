"""Aggregate figures: counts only, never a child's identity; small counts are suppressed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from haven.access.scoping import aggregate_reach
from haven.accounts.models import User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.people.models import CircumstanceGroup, SpecialCircumstance

# Counts from 1 to 4 could identify a child in a small commune: shown as "fewer than 5".
SUPPRESS_BELOW = 5


@dataclass
class Cell:
    value: int
    # Exact for those who may see the children behind the count anyway.
    exact: bool = False

    @property
    def suppressed(self) -> bool:
        return not self.exact and 0 < self.value < SUPPRESS_BELOW

    def __str__(self) -> str:
        return "<5" if self.suppressed else str(self.value)


@dataclass
class AreaFigures:
    area: Area | None
    children: Cell
    without_pin: Cell
    by_group: dict[str, Cell]


def figures(*, user: User) -> list[AreaFigures]:
    """One row per province (national view) or per commune (provincial or commune view)."""
    scope, children = aggregate_reach(user)
    if scope is False:
        return []
    current = SpecialCircumstance.in_force_q(clock.today(), prefix="circumstances__")
    if scope is None:
        group_by, areas = "current_commune__parent", Area.objects.provinces()
    elif scope.level == "province":
        group_by, areas = "current_commune", scope.communes()
    else:
        group_by, areas = "current_commune", Area.objects.filter(pk=scope.pk)
    totals = {
        r[group_by]: r
        for r in children.values(group_by).annotate(
            n=Count("id", distinct=True), no_pin=Count("id", filter=Q(pin_index__isnull=True), distinct=True)
        )
    }
    groups: dict[int, dict[str, int]] = {}
    for r in (
        children.filter(current)
        .values(group_by, "circumstances__group")
        .annotate(n=Count("id", distinct=True))
    ):
        groups.setdefault(r[group_by], {})[r["circumstances__group"]] = r["n"]
    rows = []
    for area in areas.order_by("name"):
        t = totals.get(area.pk)
        if t is None and scope is not None and scope.level == "province":
            continue
        rows.append(
            AreaFigures(
                area=area,
                children=Cell(t["n"] if t else 0),
                without_pin=Cell(t["no_pin"] if t else 0),
                by_group={g: Cell(groups.get(area.pk, {}).get(g, 0)) for g in CircumstanceGroup.values},
            )
        )
    record(actor=user, action="report.figures_view", data={"area": scope.code if scope else "national"})
    return rows
