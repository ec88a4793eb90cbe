"""The indicator registry: every figure Haven publishes is an ``Indicator`` — data, not a dashboard.

Each indicator carries the passport that Circular 13/2021/TT-BLĐTBXH gives its own indicators
(concept and formula, disaggregation, publication period, legal basis) and the function that counts it
from case data. The domain apps declare theirs (``haven/<app>/indicators.py``) and register them when
Django starts (``AppConfig.ready``), as they register their clocks with the deadline engine; the
reports app reads only this table, so a periodic report, a scorecard or an export uses the same
definition as the dashboard.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.reports.periods import Kind


class Dimension(enum.StrEnum):
    """How a count is broken down besides by area (the rows of every table)."""

    SEX = "sex"
    AGE = "age"
    GROUP = "group"
    # The indicator's own breakdown: the rule of a clock, the outcome of a report, the form of care.
    CATEGORY = "category"


class Unit(enum.StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    # Per 100,000 children of the area (the population figure is dated data: reports/models.py).
    PER_100K = "per_100k"


ALL_PERIODS = (Kind.MONTH, Kind.QUARTER, Kind.HALF, Kind.YEAR)


@dataclass(frozen=True)
class Breakdown:
    """An indicator's own breakdown (Dimension.CATEGORY): its title and its categories' names.

    ``labels`` is a function: the clocks an indicator is broken down by are registered at start-up.
    ``partition``: every counted unit falls in exactly one category, so the categories add up to the
    total (disclosure control then protects the row sums as well: reports/disclosure.py)."""

    title: str | Promise
    labels: Callable[[], dict[str, str]]
    partition: bool = True


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    # What is counted, and (for a share or a rate) what it is counted against, in words.
    numerator: str | Promise
    denominator: str | Promise | None
    unit: Unit
    legal_basis: str | Promise
    valid_from: dt.date
    # Dotted path or callable: (Window) -> iterable of Fact (reports/compute.py).
    compute: Callable | str
    disaggregations: tuple[Dimension, ...] = ()
    periods: tuple[Kind, ...] = ALL_PERIODS
    breakdown: Breakdown | None = None
    # Counted at the end of the period (children in care on that day) rather than over it (reports
    # received during it).
    stock: bool = False
    # Exact counts go to those who may ``subject`` the people behind them in the whole area shown
    # (reports/disclosure.py); everyone else gets the counts with small cells hidden. None: the count is
    # of things, not people (small groups), and is shown to all who may read figures.
    subject: Verb | None = Verb.CHILD_VIEW
    # Where "who is late" is, for a cell coloured red: a URL name taking ?area=<code>.
    late_url: str = ""
    # The Circular 13/2021 indicator this one is, when it is one ("Annex IV, 0101").
    circular: str | Promise = ""
    # The app that declared it (set when it registers); a page lists the indicators by it.
    app: str = ""
    order: int = 0

    def __post_init__(self) -> None:
        if self.unit is Unit.PERCENT and self.denominator is None:
            raise ValueError(f"{self.code}: a share needs a denominator")
        if (Dimension.CATEGORY in self.disaggregations) != (self.breakdown is not None):
            raise ValueError(f"{self.code}: a breakdown of its own goes with Dimension.CATEGORY")
        if not self.periods:
            raise ValueError(f"{self.code}: an indicator is published for at least one kind of period")

    @property
    def counter(self) -> Callable:
        return import_string(self.compute) if isinstance(self.compute, str) else self.compute

    @property
    def is_share(self) -> bool:
        return self.unit is Unit.PERCENT

    def partitions(self, dimension: Dimension | str) -> bool:
        """Whether the categories of ``dimension`` add up to the total (a child has one sex and one age
        band, but may belong to several groups of special circumstances)."""
        if dimension == Dimension.GROUP:
            return False
        if dimension == Dimension.CATEGORY:
            return self.breakdown is not None and self.breakdown.partition
        return True


# Filled by the apps at start-up (register below); read, never written, after that.
INDICATORS: dict[str, Indicator] = {}


def register(app: str, indicators: Iterable[Indicator]) -> None:
    """Add the indicators of ``app`` (its label). A code belongs to one app; registering the same
    indicators again (Django may call ``ready`` twice in a test run) changes nothing."""
    for ind in indicators:
        owned = replace(ind, app=app)
        known = INDICATORS.get(ind.code)
        if known is not None and known != owned:
            raise ValueError(f"{ind.code} is registered twice, differently")
        INDICATORS[ind.code] = owned


def indicator(code: str) -> Indicator | None:
    return INDICATORS.get(code)


def in_order() -> list[Indicator]:
    return sorted(INDICATORS.values(), key=lambda i: (i.order, i.code))


DIMENSION_TITLES = {
    Dimension.SEX: _("Sex"),
    Dimension.AGE: _("Age"),
    Dimension.GROUP: _("Group of special circumstances"),
}
UNIT_TITLES = {
    Unit.COUNT: _("number"),
    Unit.PERCENT: _("per cent"),
    Unit.PER_100K: _("per 100,000 children"),
}
