"""Staffing norms of Circular 09/2024/TT-BLĐTBXH art. 6 as data (vietnam-process.md §5, [V]).

A caregiver is responsible for one child under 18 months, or at most 6 typical children aged 18 months
to under 6, or at most 10 aged 6 to under 16; for children with disabilities, mental disorders or
HIV/AIDS at most 4 and 5. In a group of mixed ages each child takes a share of a caregiver (1/limit);
the group needs the sum, rounded up, on every shift.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.people.models import CircumstanceGroup

CIRCULAR_09 = _("Circular 09/2024/TT-BLĐTBXH art. 6")


@dataclass(frozen=True)
class Band:
    code: str
    title: str | Promise
    from_months: int
    to_months: int | None  # exclusive; None: no upper bound
    children_per_caregiver: int
    children_per_caregiver_special: int
    legal_basis: str | Promise
    confidence: str


BANDS: tuple[Band, ...] = (
    Band("infant", _("under 18 months"), 0, 18, 1, 1, CIRCULAR_09, "V"),
    Band("young", _("18 months to under 6 years"), 18, 72, 6, 4, CIRCULAR_09, "V"),
    # The Circular stops at 16; a child of 16 or 17 still in a group is counted as the 6–16 band
    # (design choice, [U]: no norm for older children was found).
    Band("school", _("6 years and over"), 72, None, 10, 5, CIRCULAR_09, "V"),
)

BY_CODE: dict[str, Band] = {band.code: band for band in BANDS}
# A small group may be kept for one band (a preschool group, a group of school-age children); blank is a
# group of mixed ages. A child outside the group's band is placed only with a recorded override.
AGE_BAND_CHOICES = [(band.code, band.title) for band in BANDS]

# Children counted at the lower ratio: with disabilities (art. 10 d) or living with HIV (art. 10 đ).
# A mental disorder is recorded as a disability (Law on Persons with Disabilities art. 3).
SPECIAL_NEEDS = frozenset({CircumstanceGroup.HCDB_D, CircumstanceGroup.HCDB_DD})


# Case management: the most children one social-work staff member follows, by grade (same article).
CASELOADS: dict[str, int] = {"sw_principal": 30, "sw_officer": 25, "sw_staff": 20}


def months_between(born: dt.date, on: dt.date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def band_for(born: dt.date | None, on: dt.date) -> Band:
    # A child whose birth date is unknown is counted in the strictest band that fits a found infant.
    if born is None:
        return BANDS[0]
    months = months_between(born, on)
    for band in BANDS:
        if months >= band.from_months and (band.to_months is None or months < band.to_months):
            return band
    return BANDS[0]


def share(born: dt.date | None, special: bool, on: dt.date) -> Fraction:
    """The share of one caregiver that this child takes."""
    band = band_for(born, on)
    return Fraction(1, band.children_per_caregiver_special if special else band.children_per_caregiver)


def caregivers_needed(children: list[tuple[dt.date | None, bool]], on: dt.date) -> int:
    """Caregivers a group needs on each shift for ``children`` given as (birth date, special needs)."""
    return math.ceil(sum((share(born, special, on) for born, special in children), Fraction(0)))


def caseload_capacity(kinds: list[str]) -> int:
    """How many children the facility's social-work staff may follow together."""
    return sum(CASELOADS.get(kind, 0) for kind in kinds)
