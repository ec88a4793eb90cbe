"""Targets as dated data: the value an indicator should reach, from when to when, on what basis, and
whether Haven's team could check the value against the text itself.

Decision 23/QĐ-TTg (7 January 2021) sets the National Programme of Action for Children 2021–2030.
Its targets reached Haven through summaries of the Decision (luatvietnam.vn, thuvienphapluat.vn), not
its own text, so each is marked unverified and the page says so. The other targets come from the
rules Haven already enforces: a clock set by law is met every time (deadlines/rules.py), so its
target is all of them.

A target is green when met, amber when within ``amber`` of it (a band, in the indicator's unit), red
otherwise.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields


class Better(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Status(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return str(
            {
                Status.GREEN: _("target met"),
                Status.AMBER: _("close to target"),
                Status.RED: _("target missed"),
            }[self]
        )


@dataclass(frozen=True)
class Target(DatedFields):
    indicator: str
    value: Decimal
    # Whether a higher value is better (a share met) or a lower one (a rate of abuse, breaches).
    better: Better
    # How far from the target a value is still amber; None: no amber band.
    amber: Decimal | None
    basis: str | Promise
    valid_from: dt.date
    valid_to: dt.date | None
    # False when the value could not be checked against the text that sets it.
    verified: bool
    # For the page: what could not be checked.
    caveat: str | Promise = ""

    def status(self, value: float | None) -> Status | None:
        if value is None:
            return None
        v, t = Decimal(str(value)), self.value
        met = v >= t if self.better is Better.HIGHER else v <= t
        if met:
            return Status.GREEN
        if self.amber is not None:
            near = v >= t - self.amber if self.better is Better.HIGHER else v <= t + self.amber
            if near:
                return Status.AMBER
        return Status.RED

    @property
    def comparator(self) -> str:
        return "≥" if self.better is Better.HIGHER else "≤"


DECISION_23 = _("Decision 23/QĐ-TTg of 7 January 2021, National Programme of Action for Children 2021–2030")
DECISION_23_CAVEAT = _(
    "Taken from summaries of the Decision, not its own text; the summaries give the rate in per cent, "
    "which could also be a rate per 100,000 children. To be checked against the Decision before use."
)
ALL_CLOCKS = _(
    "Each deadline set by law or recommended is met every time (the rule table of deadlines, with its "
    "legal basis for each step)"
)

TARGETS: tuple[Target, ...] = (
    # Decision 23/QĐ-TTg, Part II.2: the share of children abused, below 4.5 % by 2025 and 4 % by 2030.
    Target(
        "HV.ABUSE.RATE",
        Decimal("4500"),
        Better.LOWER,
        None,
        DECISION_23,
        dt.date(2021, 1, 7),
        dt.date(2026, 1, 1),
        verified=False,
        caveat=DECISION_23_CAVEAT,
    ),
    Target(
        "HV.ABUSE.RATE",
        Decimal("4000"),
        Better.LOWER,
        None,
        DECISION_23,
        dt.date(2026, 1, 1),
        dt.date(2031, 1, 1),
        verified=False,
        caveat=DECISION_23_CAVEAT,
    ),
    Target(
        "HV.CLOCKS", Decimal(100), Better.HIGHER, Decimal(10), ALL_CLOCKS, dt.date(2021, 1, 1), None, True
    ),
    # Law on Identification 2023 art. 12: the number is given with the birth registration, so a found
    # child has it within 30 days of discovery (7 days of notice, then registration) every time.
    Target(
        "HV.FOUND.PIN30",
        Decimal(100),
        Better.HIGHER,
        Decimal(10),
        _("Law on Identification 2023, art. 12; Decree 123/2015, art. 14"),
        dt.date(2024, 7, 1),
        None,
        True,
    ),
    # Notice 432-TB/VPTW, part 1: nobody at high risk goes without a social collaborator.
    Target(
        "HV.RISK.FOLLOWED",
        Decimal(100),
        Better.HIGHER,
        Decimal(10),
        _("Notice 432-TB/VPTW, part 1"),
        dt.date(2025, 11, 26),
        None,
        True,
    ),
    Target(
        "HV.RISK.VISITS",
        Decimal(100),
        Better.HIGHER,
        Decimal(10),
        _("Notice 432-TB/VPTW, part 1 (the contact schedule is recommended by Haven)"),
        dt.date(2025, 11, 26),
        None,
        True,
    ),
    # Circular 09/2024/TT-BLĐTBXH art. 6: no small group beyond its places or its staffing ratio.
    Target(
        "HV.CARE.BREACHES",
        Decimal(0),
        Better.LOWER,
        None,
        _("Circular 09/2024/TT-BLĐTBXH, art. 6"),
        dt.date(2024, 7, 1),
        None,
        True,
    ),
)


def target_for(code: str, on: dt.date) -> Target | None:
    """The target of indicator ``code`` in force on ``on`` (the period's last day)."""
    return next((t for t in TARGETS if t.indicator == code and t.in_force_on(on)), None)
