"""A release: one indicator, one period, one area, every table shown of it (the total by area and one
table per breakdown), protected together by the one disclosure policy.

Rows are the areas one level down (the provinces of the nation, the communes of a province, with the
province's own bodies as a row of their own); the total row is the area itself. Cells are counts; a
share shows its numerator and denominator; a rate per 100,000 children uses the population figure in
force on the period's last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.utils.translation import gettext as _

from haven.access.scoping import sees_all_in
from haven.accounts.models import User
from haven.areas.models import Area
from haven.reports import disclosure, store
from haven.reports.compute import labels
from haven.reports.models import ChildPopulation
from haven.reports.periods import Period
from haven.reports.registry import DIMENSION_TITLES, Dimension, Indicator, Unit
from haven.reports.targets import Status, Target, target_for

# A share's two parts: counted (n) and not counted (m = denominator - numerator). Both are cells, so
# publishing a numerator beside its denominator hides nothing the policy would hide.
PARTS_COUNT = ("n",)
PARTS_SHARE = ("n", "m")


@dataclass
class Value:
    numerator: int
    denominator: int | None
    hidden: bool
    unit: Unit
    population: int | None = None

    @property
    def figure(self) -> float | None:
        """The indicator's value: a count, a percentage, or a rate per 100,000; None when hidden or
        without a denominator."""
        if self.hidden:
            return None
        if self.unit is Unit.COUNT:
            return self.numerator
        if self.unit is Unit.PERCENT:
            return round(100 * self.numerator / self.denominator, 1) if self.denominator else None
        return round(100_000 * self.numerator / self.population, 1) if self.population else None

    @property
    def shown(self) -> str:
        """The value as a table cell shows it, in the reader's language."""
        from django.contrib.humanize.templatetags.humanize import intcomma
        from django.utils.formats import number_format

        if self.hidden:
            return _("hidden")
        figure = self.figure
        if figure is None:
            return "—"
        if self.unit is Unit.COUNT:
            return intcomma(self.numerator)
        if self.unit is Unit.PERCENT:
            return f"{number_format(figure, 1)} %"
        return number_format(figure, 1)


@dataclass
class Row:
    area: Area | None
    label: str
    # category -> value; the row's total under "".
    cells: dict[str, Value]
    status: Status | None = None

    @property
    def total(self) -> Value:
        return self.cells[""]


@dataclass
class Table:
    dimension: str
    title: str
    categories: list[tuple[str, str]]
    rows: list[Row]
    total: Row

    @property
    def lines(self) -> list[tuple[Row, list[Value]]]:
        """Each area's row with its cells in the order of the columns (the template's form)."""
        return [(row, [row.cells[code] for code, _l in self.categories]) for row in self.rows]

    @property
    def total_cells(self) -> list[Value]:
        return [self.total.cells[code] for code, _l in self.categories]


@dataclass
class Release:
    indicator: Indicator
    period: Period
    scope: Area | None
    exact: bool
    tables: dict[str, Table]
    computed_at: dt.datetime | None
    target: Target | None
    hidden_count: int = 0
    previous: Release | None = field(default=None, repr=False)

    @property
    def main(self) -> Table:
        return self.tables[""]

    @property
    def total(self) -> Value:
        return self.main.total.total

    @cached_property
    def status(self) -> Status | None:
        return self.target.status(self.total.figure) if self.target else None

    @property
    def change(self) -> float | None:
        """The change from the previous period, in the indicator's unit (points for a share)."""
        if self.previous is None:
            return None
        now, before = self.total.figure, self.previous.total.figure
        if now is None or before is None:
            return None
        return round(now - before, 1)


def scope_label(scope: Area | None) -> str:
    return scope.label if scope is not None else _("Viet Nam")


def _row_areas(scope: Area | None, seen: set[int]) -> list[Area]:
    if scope is None:
        return list(Area.objects.current().provinces().order_by("name"))
    if scope.level == "province":
        return [a for a in Area.objects.filter(pk__in=seen).order_by("level", "name")]
    return [scope]


def _row_label(area: Area, scope: Area | None) -> str:
    if scope is not None and area.pk == scope.pk and scope.level == "province":
        return _("Provincial bodies of %(province)s") % {"province": area.name}
    return area.name


def _categories(ind: Indicator, dimension: str, seen: set[str]) -> list[tuple[str, str]]:
    named = ind.breakdown.labels() if dimension == Dimension.CATEGORY else labels(dimension)
    extra = sorted(seen - set(named) - {""})
    return [(c, str(named[c])) for c in named] + [(c, c) for c in extra]


def _populations(areas: list[Area], scope: Area | None, on: dt.date) -> dict:
    found = {}
    for p in ChildPopulation.objects.in_force(on).filter(
        area__in=[a.pk for a in areas] + ([scope.pk] if scope else [])
    ):
        found[p.area_id] = p.children
    national = ChildPopulation.objects.in_force(on).filter(area__isnull=True).first()
    found[None] = national.children if national else None
    return found


NATION = "VN"


def _level(ind: Indicator, period: Period, scope: Area | None, grid: disclosure.Grid) -> None:
    """Add the cells and sums of the tables of ``scope`` to ``grid``. Keys: (area, dimension,
    category, part), where the area is a row's area pk, the scope's own pk for its total (the nation:
    "VN"), and ("bodies", pk) for a province's own bodies. A province's total is thus the same cell as
    the nation's row for it."""
    parts = PARTS_SHARE if ind.is_share else PARTS_COUNT
    total_key = scope.pk if scope is not None else NATION
    by_dimension = {d: store.sums(ind, period, scope, d) for d in ("", *ind.disaggregations)}
    rows = sorted({r for found in by_dimension.values() for r in found})

    def row_key(r):
        return ("bodies", r) if scope is not None and r == scope.pk else r

    for dimension, found in by_dimension.items():
        seen = {c for cats in found.values() for c in cats}
        categories = [""] if dimension == "" else [c for c, _l in _categories(ind, dimension, seen)]
        for category in categories:
            for part in parts:
                members = []
                total = 0
                for r in rows:
                    n, d = found.get(r, {}).get(category, (0, None))
                    value = n if part == "n" else (d or 0) - n
                    grid.cell((row_key(r), dimension, category, part), value)
                    members.append((row_key(r), dimension, category, part))
                    total += value
                grid.cell((total_key, dimension, category, part), total)
                grid.add_sum((total_key, dimension, category, part), members)
        if dimension and ind.partitions(dimension):
            for r in [*map(row_key, rows), total_key]:
                for part in parts:
                    grid.add_sum((r, "", "", part), [(r, dimension, c, part) for c in categories])


def hidden_cells(ind: Indicator, period: Period, scope: Area | None) -> tuple[dict, set]:
    """The counts of every table of the release and the cells the policy hides from those who may
    not see the people behind them. A province's tables are protected together with the nation's,
    whose cells keep the nation's hiding; a commune's table is its row of its province's.

    Kept in the cache until the indicator is recounted for the period: the same facts always give the
    same hiding, and a national dashboard reads some thirty releases."""
    key = f"reports:cells:{ind.code}:{period.key}:{scope.pk if scope else NATION}:{_stamp(ind, period)}"
    found = cache.get(key)
    if found is None:
        found = _hidden_cells(ind, period, scope)
        cache.set(key, found, CACHE_SECONDS)
    return found


# The cache key carries the count's token, new at every count: an entry is never stale, it expires.
CACHE_SECONDS = 3600


def _stamp(ind: Indicator, period: Period) -> str:
    return str(store.ensure(ind, period).token)


def _hidden_cells(ind: Indicator, period: Period, scope: Area | None) -> tuple[dict, set]:
    if scope is not None and scope.level == "commune":
        values, hidden = hidden_cells(ind, period, scope.parent)
        mine = {k: v for k, v in values.items() if k[0] == scope.pk}
        return mine, hidden & set(mine)
    grid = disclosure.Grid()
    _level(ind, period, None, grid)
    if scope is None:
        return grid.values, set() if ind.subject is None else disclosure.protect(grid)
    if ind.subject is None:
        _level(ind, period, scope, grid)
        return grid.values, set()
    _values, above = hidden_cells(ind, period, None)
    grid.frozen = set(grid.values)
    grid.forced = above
    _level(ind, period, scope, grid)
    return grid.values, disclosure.protect(grid)


def release(
    ind: Indicator, period: Period, scope: Area | None, *, user: User, previous: bool = True
) -> Release:
    """Every table of ``ind`` for ``period`` in ``scope``, as ``user`` may read them."""
    exact = ind.subject is None or sees_all_in(user, ind.subject, scope)
    values, hidden = hidden_cells(ind, period, scope)
    if exact:
        hidden = set()
    parts = PARTS_SHARE if ind.is_share else PARTS_COUNT
    total_key = scope.pk if scope is not None else NATION
    if scope is None:
        row_keys = {k[0] for k in values if k[0] != NATION}
    elif scope.level == "province":
        # The communes (and the province's own bodies) with anything counted; the total is the province.
        communes = set(Area.objects.filter(parent=scope).values_list("pk", flat=True))
        row_keys = {k[0] for k in values if k[0] in communes or k[0] == ("bodies", scope.pk)}
    else:
        row_keys = {scope.pk}
    areas = _row_areas(scope, {k[1] if isinstance(k, tuple) else k for k in row_keys})
    populations = _populations(areas, scope, period.last_day) if ind.unit is Unit.PER_100K else {}

    def key_of(area: Area):
        if scope is not None and scope.level == "province" and area.pk == scope.pk:
            return ("bodies", area.pk)
        return area.pk

    def value(key, dimension: str, category: str, population=None) -> Value:
        n = values.get((key, dimension, category, "n"), 0)
        d = n + values.get((key, dimension, category, "m"), 0) if ind.is_share else None
        concealed = any((key, dimension, category, p) in hidden for p in parts)
        return Value(n, d, concealed, ind.unit, population)

    target = target_for(ind.code, period.last_day)
    tables = {}
    for dimension in ("", *ind.disaggregations):
        seen = {k[2] for k in values if k[1] == dimension and (k[0] == total_key)}
        categories = [("", _("Total"))] if dimension == "" else _categories(ind, dimension, seen)
        wanted = [c for c, _l in categories]
        rows = []
        for area in areas:
            pop = populations.get(area.pk) if dimension == "" else None
            cells = {c: value(key_of(area), dimension, c, pop) for c in wanted}
            cells.setdefault("", value(key_of(area), "", "", pop))
            row = Row(area, _row_label(area, scope), cells)
            if dimension == "" and target is not None:
                row.status = target.status(row.total.figure)
            rows.append(row)
        pop = populations.get(scope.pk if scope else None) if dimension == "" else None
        total_cells = {c: value(total_key, dimension, c, pop) for c in wanted}
        total_cells.setdefault("", value(total_key, "", "", pop))
        title = (
            str(ind.breakdown.title)
            if dimension == Dimension.CATEGORY
            else str(DIMENSION_TITLES.get(dimension, ""))
        )
        tables[dimension] = Table(
            dimension, title, categories, rows, Row(scope, scope_label(scope), total_cells)
        )
    result = Release(
        indicator=ind,
        period=period,
        scope=scope,
        exact=exact,
        tables=tables,
        computed_at=store.computed_at(ind, period),
        target=target,
        hidden_count=len(hidden),
    )
    if previous:
        result.previous = release(ind, period.previous(), scope, user=user, previous=False)
    return result
