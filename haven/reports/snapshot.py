"""A periodic report's figures: the registry's counts for one area and period, written canonically so
that the same counts always give the same digest, compared cell by cell with a new count, and shown
to a reader under the one disclosure policy.

The counts are those of the summary table (reports/store.py), which the sweep keeps from case data:
a commune's figures are its own facts; a province's are the sum of its communes' and its own bodies'
(a provincial facility's children), exactly as its dashboard sums them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from haven.access.scoping import sees_all_in
from haven.areas.models import Area
from haven.core import clock
from haven.reports import disclosure, selectors, store
from haven.reports.compute import labels
from haven.reports.models import ChildPopulation, Computation, StoredFact
from haven.reports.periodic import ReportType
from haven.reports.periods import Period, parse
from haven.reports.registry import DIMENSION_TITLES, Dimension, Indicator, Unit, indicator
from haven.reports.tables import PARTS_COUNT, PARTS_SHARE, Value


def _fresh(ind: Indicator, period: Period, *, recount: bool) -> Computation:
    """The indicator's count for the period; counted again first when ``recount`` and the count is
    older than the sweep's cadence (a figure read for a report is never staler than a dashboard's)."""
    found = store.ensure(ind, period)
    if recount and found.computed_at < clock.now() - store.REFRESH_EVERY:
        found = store.refresh(ind, period)
    return found


def figures_for(
    kind: ReportType, period: Period, areas: Iterable[Area], *, recount: bool = False
) -> dict[int, tuple[dict, dict]]:
    """Each area's figures and the moments they were counted, ``{area_pk: (figures, counted)}``, in one
    read of the summary table per indicator whatever the number of areas."""
    areas = list(areas)
    wanted = {a.pk for a in areas}
    out: dict[int, tuple[dict, dict]] = {a.pk: ({"indicators": []}, {}) for a in areas}
    for code in kind.indicators:
        ind = indicator(code)
        if ind is None:
            continue
        at = selectors.period_for(ind, period)
        computation = _fresh(ind, at, recount=recount)
        cells: dict[int, dict[tuple[str, str], list]] = defaultdict(dict)
        facts = StoredFact.objects.filter(indicator=code, period=at.key).values_list(
            "area_id", "area__parent_id", "area__level", "dimension", "category", "numerator", "denominator"
        )
        for area_id, parent_id, level, dimension, category, n, d in facts.iterator(chunk_size=5000):
            # A commune's fact counts for the commune and its province; a province's own for the province.
            for target in (area_id, parent_id if level == "commune" else None):
                if target is None or target not in wanted:
                    continue
                cell = cells[target].setdefault((dimension, category), [0, None])
                cell[0] += n
                if d is not None:
                    cell[1] = (cell[1] or 0) + d
        for pk in wanted:
            mine = cells.get(pk, {})
            out[pk][0]["indicators"].append(
                {
                    "code": code,
                    "period": at.key,
                    "unit": ind.unit.value,
                    "cells": [[dim, cat, n, d] for (dim, cat), (n, d) in sorted(mine.items())],
                }
            )
            out[pk][1][code] = computation.computed_at.isoformat()
    return out


def digest(figures: dict) -> str:
    """SHA-256 of the figures written canonically (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- Comparing with a new count -----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    indicator: str
    name: str
    dimension: str
    category: str
    kept: tuple[int, int | None]
    now: tuple[int, int | None]


def _cells(figures: dict) -> dict[tuple[str, str, str], tuple[int, int | None]]:
    return {
        (entry["code"], dim, cat): (n, d)
        for entry in figures.get("indicators", [])
        for dim, cat, n, d in entry["cells"]
    }


def differences(kept: dict, now: dict) -> list[Difference]:
    """Every cell whose count differs between two sets of figures (a cell absent is zero)."""
    a, b = _cells(kept), _cells(now)
    found = []
    for key in sorted(set(a) | set(b)):
        if a.get(key, (0, None)) != b.get(key, (0, None)):
            code, dim, cat = key
            ind = indicator(code)
            found.append(
                Difference(
                    code,
                    str(ind.name) if ind else code,
                    _dimension_title(ind, dim) if ind else dim,
                    _category_label(ind, dim, cat) if ind else cat,
                    a.get(key, (0, None)),
                    b.get(key, (0, None)),
                )
            )
    return found


# --- Shown to a reader ----------------------------------------------------------------------------------


def _dimension_title(ind: Indicator, dimension: str) -> str:
    if dimension == "":
        return _("Total")
    if dimension == Dimension.CATEGORY and ind.breakdown is not None:
        return str(ind.breakdown.title)
    return str(DIMENSION_TITLES.get(dimension, dimension))


def _named(ind: Indicator, dimension: str) -> dict[str, str]:
    if dimension == Dimension.CATEGORY and ind.breakdown is not None:
        return {c: str(v) for c, v in ind.breakdown.labels().items()}
    return labels(dimension)


def _category_label(ind: Indicator, dimension: str, category: str) -> str:
    return _named(ind, dimension).get(category, category) if dimension else ""


@dataclass
class Section:
    """One indicator of a report as a reader sees it: its total and a table per breakdown."""

    indicator: Indicator
    period: Period
    total: Value
    tables: list[tuple[str, list[tuple[str, Value]]]]
    exact: bool
    counted_at: dt.datetime | None


def _population(area: Area, on: dt.date) -> int | None:
    found = ChildPopulation.objects.in_force(on).filter(area=area).first()
    return found.children if found else None


def sections(report, user) -> list[Section]:
    """The report's indicators with their cells as ``user`` may read them: exact for whoever may see
    every person behind them in the area; else protected by the one policy — the cells the area's
    dashboard hides stay hidden, and the report's own sums are protected on top of them."""
    area = report.area
    found = []
    for entry in report.figures.get("indicators", []):
        ind = indicator(entry["code"])
        if ind is None:
            continue
        at = parse(entry["period"])
        parts = PARTS_SHARE if ind.is_share else PARTS_COUNT
        cells = {(dim, cat): (n, d) for dim, cat, n, d in entry["cells"]}
        grid = disclosure.Grid()
        columns: dict[str, list[str]] = {}
        for dim in ("", *ind.disaggregations):
            seen = {cat for (d, cat) in cells if d == dim}
            named = list(_named(ind, dim)) if dim else [""]
            columns[dim] = named + sorted(seen - set(named))
            for cat in columns[dim]:
                n, d = cells.get((dim, cat), (0, None))
                grid.cell((dim, cat, "n"), n)
                if ind.is_share:
                    grid.cell((dim, cat, "m"), (d or 0) - n)
            if dim and ind.partitions(dim):
                for part in parts:
                    grid.add_sum(("", "", part), [(dim, c, part) for c in columns[dim]])
        exact = ind.subject is None or sees_all_in(user, ind.subject, area)
        hidden: set = set()
        if not exact:
            # What the area's dashboard hides for this period is hidden here too (its keys lead with the
            # area), so reading both recovers nothing; then the report's own sums are protected.
            _values, above = _dashboard_hidden(ind, at, area)
            grid.forced = {k[1:] for k in above if k[0] == area.pk}
            hidden = disclosure.protect(grid)
        population = _population(area, at.last_day) if ind.unit is Unit.PER_100K else None

        def value(dim: str, cat: str, pop=None, ind=ind, cells=cells, hidden=hidden, parts=parts) -> Value:
            n, d = cells.get((dim, cat), (0, None))
            concealed = any((dim, cat, p) in hidden for p in parts)
            return Value(n, (d or 0) if ind.is_share else None, concealed, ind.unit, pop)

        tables = [
            (
                _dimension_title(ind, dim),
                [(_category_label(ind, dim, c), value(dim, c)) for c in columns[dim]],
            )
            for dim in ind.disaggregations
        ]
        counted = report.counted.get(ind.code)
        found.append(
            Section(
                ind,
                at,
                value("", "", population),
                tables,
                exact,
                dt.datetime.fromisoformat(counted) if counted else None,
            )
        )
    return found


def _dashboard_hidden(ind: Indicator, period: Period, area: Area):
    from haven.reports.tables import hidden_cells

    return hidden_cells(ind, period, area)
