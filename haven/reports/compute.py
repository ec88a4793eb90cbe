"""Counting an indicator from case data: one grouped query per breakdown, per area.

An indicator's function takes a ``Window`` (the period, and the moment its stocks are read) and
returns ``Fact`` rows: for an area (a commune, or a province for what a provincial body holds), a
breakdown and a category, the numerator and, for a share, the denominator. The total of an area is the
fact with an empty dimension. Facts add up across areas (each unit is counted in one area), which is
what lets a province's figure be the sum of its communes' (reports/store.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Expression, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from haven.core import calendar, clock
from haven.people.models import CircumstanceGroup, Sex, SpecialCircumstance
from haven.reports.periods import Period
from haven.reports.registry import Dimension


@dataclass(frozen=True)
class Window:
    period: Period
    # The moment the figures are read; a period not yet over is read up to now.
    now: dt.datetime

    @property
    def start(self) -> dt.datetime:
        return self.period.opens_at

    @property
    def end(self) -> dt.datetime:
        """The end of what has happened: the period's end, or now while it runs."""
        return min(self.period.closes_at, self.now)

    @property
    def on(self) -> dt.date:
        """The day stocks are read: the period's last day, or today while it runs."""
        return min(self.period.last_day, calendar.local_day(self.now))

    @classmethod
    def of(cls, period: Period, now: dt.datetime | None = None) -> Window:
        return cls(period, now or clock.now())


@dataclass(frozen=True)
class Fact:
    area_id: int
    dimension: str
    category: str
    numerator: int
    denominator: int | None = None


# Age bands at the day the figures are read. The Law on Children (art. 1) counts children under 16;
# Haven also follows young people of 16 and 17 still in care. The bands are Haven's (those of the
# school levels): the Circular's passports name an "age group" without fixing one.
AGE_BANDS: tuple[tuple[str, int, int | None, object], ...] = (
    ("0-2", 0, 3, _("under 3")),
    ("3-5", 3, 6, _("3 to 5")),
    ("6-10", 6, 11, _("6 to 10")),
    ("11-15", 11, 16, _("11 to 15")),
    ("16+", 16, None, _("16 and over")),
)
UNKNOWN = "unknown"


def _years_before(day: dt.date, years: int) -> dt.date:
    return calendar.add_months(day, -12 * years)


def age_band(born_field: str, on: dt.date) -> Expression:
    """The age band of a birth date on ``on``, as a SQL expression (the same on SQLite and PostgreSQL)."""
    whens = [When(**{f"{born_field}__isnull": True}, then=Value(UNKNOWN))]
    for code, low, high, _label in AGE_BANDS:
        # Aged at least ``low``: born on or before the day ``low`` years before; under ``high``: after the
        # day ``high`` years before.
        q = Q(**{f"{born_field}__lte": _years_before(on, low)})
        if high is not None:
            q &= Q(**{f"{born_field}__gt": _years_before(on, high)})
        whens.append(When(q, then=Value(code)))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def labels(dimension: str) -> dict[str, str]:
    """The categories of a standard breakdown with their names, in the reader's language."""
    if dimension == Dimension.SEX:
        return {code: str(label) for code, label in Sex.choices}
    if dimension == Dimension.AGE:
        return {code: str(label) for code, *_r, label in AGE_BANDS} | {UNKNOWN: str(_("age not known"))}
    if dimension == Dimension.GROUP:
        return {code: str(label) for code, label in CircumstanceGroup.choices}
    return {}


def count(
    rows: QuerySet,
    *,
    area: str | Expression,
    window: Window,
    child: str | None = "child__",
    dimensions: Iterable[Dimension | str] = (),
    category: Expression | None = None,
    numerator: Q | None = None,
    distinct: str = "pk",
) -> Iterator[Fact]:
    """The facts of ``rows`` by area (a field or expression naming an Area) and by each breakdown.

    ``child``: the path from a row to its child ("" for children themselves), for the breakdowns by
    sex, age and group; None when the rows are not about children. ``numerator``: for a share, the rows
    counted above the line (all of ``rows`` are its denominator). Units are counted once each
    (``distinct``): a child with two reports in a month is one abused child."""
    area_expr = F(area) if isinstance(area, str) else area
    for dimension in ("", *dimensions):
        grouped = rows
        if dimension == "":
            key: Expression = Value("")
        elif dimension == Dimension.SEX:
            key = F(f"{child}sex")
        elif dimension == Dimension.AGE:
            key = age_band(f"{child}date_of_birth", window.on)
        elif dimension == Dimension.GROUP:
            grouped = rows.filter(SpecialCircumstance.in_force_q(window.on, prefix=f"{child}circumstances__"))
            key = F(f"{child}circumstances__group")
        elif dimension == Dimension.CATEGORY:
            key = category
        else:
            raise ValueError(f"unknown breakdown {dimension}")
        annotations = {"n": Count(distinct, distinct=True, filter=numerator)}
        if numerator is not None:
            annotations["d"] = Count(distinct, distinct=True)
        for row in (
            grouped.order_by()
            .annotate(area_key=area_expr, breakdown=key)
            .values("area_key", "breakdown")
            .annotate(**annotations)
        ):
            if row["area_key"] is None:
                continue
            yield Fact(row["area_key"], str(dimension), str(row["breakdown"] or ""), row["n"], row.get("d"))
