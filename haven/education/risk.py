"""A transparent risk of dropping out, and the absences that call for a home visit, as dated data.

No national rule sets an absence threshold for social follow-up, nor weights for a dropout risk (the
school charters set absence limits for promotion only). Haven's defaults follow the early-warning
practice of education systems (OpenEMIS's risk index: criteria, each with a threshold and points,
summed per pupil), are marked unverified, and change by a new dated row, never by editing one. The
score always comes with its reasons: each criterion met, what was found and the points it gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields

BASIS = _(
    "Haven's default: no national rule sets it (Notice 432-TB/VPTW, part 4.1(ii) asks that every child "
    "attend school); to be confirmed by the province"
)


@dataclass(frozen=True)
class AbsenceRule(DatedFields):
    """Consecutive days marked absent without leave (days not marked neither count nor break the run)
    after which the school reports the child and the commune visits."""

    days: int
    basis: str | Promise
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Criterion(DatedFields):
    code: str
    title: str | Promise
    threshold: int
    points: int
    basis: str | Promise
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Level(DatedFields):
    """The score from which a pupil counts as at risk of dropping out (OOSCI dimensions 4 and 5)."""

    at_risk_from: int
    basis: str | Promise
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None = None


SINCE = dt.date(2025, 9, 1)
ABSENCES: tuple[AbsenceRule, ...] = (AbsenceRule(5, BASIS, False, SINCE),)
CRITERIA: tuple[Criterion, ...] = (
    Criterion("absences", _("Days absent without leave in the last 30 days"), 3, 3, BASIS, False, SINCE),
    Criterion("over_age", _("Years older than the standard age for the grade"), 2, 2, BASIS, False, SINCE),
    Criterion("placements", _("Changes of placement in the last 12 months"), 1, 2, BASIS, False, SINCE),
    Criterion("disability", _("A disability (Law on Children art. 10(d))"), 1, 1, BASIS, False, SINCE),
    Criterion("carers", _("Changes of carer in the last 12 months"), 2, 1, BASIS, False, SINCE),
)
LEVELS: tuple[Level, ...] = (Level(4, BASIS, False, SINCE),)


def absence_rule(on: dt.date) -> AbsenceRule:
    found = [r for r in ABSENCES if r.in_force_on(on)]
    return found[-1] if found else ABSENCES[0]


def criteria(on: dt.date) -> list[Criterion]:
    return [c for c in CRITERIA if c.in_force_on(on)]


def at_risk_from(on: dt.date) -> int:
    found = [r for r in LEVELS if r.in_force_on(on)]
    return (found[-1] if found else LEVELS[0]).at_risk_from


@dataclass(frozen=True)
class Reason:
    criterion: Criterion
    found: int

    @property
    def points(self) -> int:
        return self.criterion.points


@dataclass(frozen=True)
class Score:
    total: int
    reasons: tuple[Reason, ...]
    at_risk: bool


def scorer(on: dt.date) -> Callable[[dict[str, int]], Score]:
    """``score`` for many pupils on one day: the day's criteria and threshold are read once."""
    found, threshold = criteria(on), at_risk_from(on)
    # A province's pupils share a few dozen combinations of facts (most have none): each is scored once.
    scored: dict[tuple, Score] = {}

    def one(facts: dict[str, int]) -> Score:
        key = tuple(sorted(facts.items()))
        if key not in scored:
            reasons = tuple(
                Reason(c, facts.get(c.code, 0)) for c in found if facts.get(c.code, 0) >= c.threshold
            )
            total = sum(r.points for r in reasons)
            scored[key] = Score(total, reasons, total >= threshold)
        return scored[key]

    return one


def score(facts: dict[str, int], on: dt.date) -> Score:
    """The score of one pupil from ``facts`` (criterion code → what was found), and why."""
    return scorer(on)(facts)
