"""Reads for the dashboards: which area a user may look at, every indicator of an area for a period
with the period before, and the scorecard of the areas one level down. Counts only, never a child's
identity; every table goes through the one disclosure policy (reports/tables.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, aggregate_reach, can
from haven.accounts.models import User
from haven.areas.models import Area
from haven.reports import periods
from haven.reports.periods import Period
from haven.reports.registry import Indicator, in_order
from haven.reports.tables import Release, Row, release
from haven.reports.targets import Status


def widest(user: User) -> Area | None:
    """The widest area ``user`` may read figures of (None: the nation); refused when none."""
    area, _children = aggregate_reach(user)
    if area is False:
        raise NotVisible
    return area


def scope_for(user: User, code: str | None) -> Area | None:
    """The area named by ``code`` (a province or commune code), if ``user`` may read its figures; the
    user's widest area when no code is given. Another area is the same 404 as a missing one."""
    top = widest(user)
    if not code:
        return top
    area = Area.objects.current().filter(code=code).select_related("parent").first()
    if area is None:
        raise NotVisible
    if top is None or area.pk == top.pk or (area.level == "commune" and area.parent_id == top.pk):
        return area
    raise NotVisible


def trail(user: User, scope: Area | None) -> list[tuple[str, str]]:
    """The way up, for the breadcrumb: (code, name) from the widest area the user may read down to
    the area shown."""
    steps = [("", _("Viet Nam"))]
    if scope is not None:
        if scope.level == "commune":
            steps.append((scope.parent.code, scope.parent.name))
        steps.append((scope.code, scope.name))
    top = widest(user)
    if top is not None:
        steps = steps[[code for code, _n in steps].index(top.code) :]
    return steps


def period_for(ind: Indicator, period: Period) -> Period:
    """The period ``ind`` is read for when the dashboard shows ``period``: the same, or the one of the
    kind the indicator is published for that holds it (a yearly rate in a quarter's dashboard)."""
    if period.kind in ind.periods:
        return period
    return periods.containing(period.start, ind.periods[-1])


@dataclass
class Overview:
    scope: Area | None
    period: Period
    releases: list[Release]


def overview(user: User, scope: Area | None, period: Period) -> Overview:
    return Overview(
        scope, period, [release(ind, period_for(ind, period), scope, user=user) for ind in in_order()]
    )


@dataclass
class Scorecard:
    scope: Area | None
    period: Period
    indicators: list[Indicator]
    # (area, [(indicator, its row or None)], greens, reds), the best first.
    rows: list[tuple[Area, list[tuple[Indicator, Row | None]], int, int]] = field(default_factory=list)
    # The area itself, the reference line under the ranking.
    totals: list[Release] = field(default_factory=list)
    late_links: bool = False


def scorecard(user: User, scope: Area | None, period: Period) -> Scorecard:
    """The areas one level down, each cell coloured against its target, ranked: the most targets met
    first, then the fewest missed. Only indicators with a target in force are scored; hidden cells are
    not coloured (a colour would tell a hidden value's range)."""
    releases = [release(ind, period_for(ind, period), scope, user=user, previous=False) for ind in in_order()]
    scored = [r for r in releases if r.target is not None]
    card = Scorecard(scope, period, [r.indicator for r in scored], late_links=can(user, Verb.DEADLINE_TEAM))
    card.totals = scored
    areas: dict[int, Area] = {}
    cells: dict[int, dict[str, Row]] = {}
    for r in scored:
        for row in r.main.rows:
            areas[row.area.pk] = row.area
            cells.setdefault(row.area.pk, {})[r.indicator.code] = row
    for pk, area in areas.items():
        mine = cells[pk]
        greens = sum(1 for row in mine.values() if row.status is Status.GREEN and not row.total.hidden)
        reds = sum(1 for row in mine.values() if row.status is Status.RED and not row.total.hidden)
        card.rows.append((area, [(ind, mine.get(ind.code)) for ind in card.indicators], greens, reds))
    card.rows.sort(key=lambda t: (-t[2], t[3], t[0].name))
    return card
