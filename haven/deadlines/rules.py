"""The rule table: every clock in Haven, with its unit, its legal basis and how sure we are of it.

[L] a clock set by law, [R] a recommended service level (policy or design, configurable by a
provincial override that may only shorten it). See shared/domain/vietnam-process.md §9.

The engine holds no domain's rules. Each app declares its own (``haven/<app>/clocks.py``) and
registers them when Django starts (``AppConfig.ready``); ``haven rules`` prints the one table they
make, and docs/rules.md is that table written out.

A rule is due in one of three ways:

- **after a period** from the moment its step starts (hours, calendar days, working days, months) —
  "0 working days" is the same working day, and a rule may name the hour after which a step counts
  from the next working day (``cutoff``: a birth dossier completed after 15:00), or take the date its
  step gives when that comes first (``or_earlier``: a plan reviewed at its end, at most 3 months on);
- **on a date** the step gives (``Unit.ON_DATE``): "pay by the 25th", "the postnatal visit of day 14",
  "at the end of this separation";
- **again and again** (``every``): a rule that re-opens itself — monthly on day N, or every N days or
  months — each occurrence a stored obligation of its own.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from haven.core import calendar
from haven.core.calendar import Roll


class Unit(enum.StrEnum):
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    # Civil Code 2015 art. 148(3): the corresponding day of the last month, or that month's last day.
    MONTHS = "months"
    # Due on the date (or at the moment) the step gives; ``amount`` is unused.
    ON_DATE = "on_date"


# The units a province's stricter deadline may be given in (DeadlineOverride.unit).
OVERRIDE_UNITS = (Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS)


class Basis(enum.StrEnum):
    LAW = "L"
    RECOMMENDED = "R"

    @property
    def label(self) -> str:
        """How the basis reads on a page: words, never its letter."""
        return gettext("Set by law") if self is Basis.LAW else gettext("Recommended")


@dataclass(frozen=True)
class Every:
    """A schedule: the rule re-opens itself. Each occurrence is due at the end of its day.

    ``Every(1, Unit.MONTHS, day=25, roll=Roll.PREVIOUS)``: monthly on the 25th, or the working day
    before it (a monthly payroll). ``Every(6, Unit.MONTHS, from_done=True)``: six months after the last
    one was done (a review). ``Every(14, Unit.CALENDAR_DAYS)``: every fortnight.

    The next occurrence opens when this one is done, or — for a schedule kept by the calendar
    (``from_done`` false) — when this one falls due undone: a missed payroll escalates, and next
    month's is owed all the same. A schedule counted from the last time it was done waits for it.
    Cancelling an occurrence stops the series.
    """

    amount: int = 1
    unit: Unit = Unit.MONTHS
    # Monthly on this day of the month (a 31 falls on the last day of a shorter month).
    day: int | None = None
    # Where an occurrence that falls on a day off moves.
    roll: Roll = Roll.NONE
    # Counted from the day the last one was done, not from the day it was due.
    from_done: bool = False

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise ValueError("a schedule repeats after at least one unit")
        if self.unit not in (Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.MONTHS):
            raise ValueError("a schedule counts days, working days or months")
        if self.day is not None and (
            self.unit is not Unit.MONTHS or self.from_done or not 1 <= self.day <= 31
        ):
            raise ValueError("a day of the month goes with a schedule of months kept by the calendar")

    def _after(self, day: dt.date, n: int) -> dt.date:
        if self.unit is Unit.MONTHS:
            if self.day is not None:
                moved = calendar.add_months(day.replace(day=1), n)
                return calendar.day_of_month(moved.year, moved.month, self.day)
            return calendar.add_months(day, n)
        if self.unit is Unit.CALENDAR_DAYS:
            return day + dt.timedelta(days=n)
        return calendar.local_day(calendar.add_working_days(calendar.day_start(day), n)) - dt.timedelta(
            days=1
        )

    def first(self, start: dt.datetime) -> dt.date:
        """The day the first occurrence is due, for a series started at ``start``: the first day N on or
        after the start's day (moved to a working day, never before the start), or one period on."""
        begun = calendar.local_day(start)
        if self.day is None:
            return self._after(begun, self.amount)
        nominal = calendar.day_of_month(begun.year, begun.month, self.day)
        while calendar.roll(nominal, self.roll) < begun:
            nominal = self._after(nominal, 1)
        return nominal

    def next(self, due_on: dt.date, done_on: dt.date | None) -> dt.date:
        """The day the occurrence after one due on ``due_on`` (its day before any move to a working
        day) is due; ``done_on`` is the day it was done, None when it is still undone."""
        if self.from_done:
            if done_on is None:
                raise ValueError("a schedule counted from the last time waits until it is done")
            return self._after(done_on, self.amount)
        return self._after(due_on, self.amount)

    def due_at(self, nominal: dt.date) -> dt.datetime:
        return calendar.day_end(calendar.roll(nominal, self.roll))

    def __str__(self) -> str:
        """In the user's language: "every 1 month, on day 25 (or the working day before)"."""
        n = self.amount
        units = {
            Unit.CALENDAR_DAYS: ngettext("every %(n)s day", "every %(n)s days", n),
            Unit.WORKING_DAYS: ngettext("every %(n)s working day", "every %(n)s working days", n),
            Unit.MONTHS: ngettext("every %(n)s month", "every %(n)s months", n),
        }
        text = units[self.unit] % {"n": n}
        if self.day is not None:
            text += ", " + gettext("on day %(day)s") % {"day": self.day}
        if self.roll is Roll.PREVIOUS:
            text += " " + gettext("(or the working day before)")
        elif self.roll is Roll.NEXT:
            text += " " + gettext("(or the working day after)")
        if self.from_done:
            text += ", " + gettext("counted from the last time it was done")
        return text


@dataclass(frozen=True)
class Rule:
    code: str
    title: str | Promise
    amount: int
    unit: Unit
    # Shown to users (the rules page, a case's deadlines), in their language: the article, and where
    # the law leaves the start of the clock open, the reading Haven chose and why.
    legal_basis: str | Promise
    basis: Basis
    # After the deadline, each further period without action climbs one level of the ladder.
    escalate_every: dt.timedelta = dt.timedelta(days=1)
    # A timer rather than a duty: when due, the sweep calls this (a function, or its dotted path) with
    # the obligation and the time instead of escalating it (e.g. the end of the 7-day public notice).
    on_due: Callable | str | None = None
    # A province may shorten a duty's deadline, never a period the law guarantees (the 7-day notice).
    overridable: bool = True
    # The highest rung of the ladder the duty climbs (1 the organisation's head, 2 the provincial
    # Department of Health, 3 the Ministry). A missed home visit is the province's business at most.
    top: int = 3
    # A rule that re-opens itself (a recurring schedule).
    every: Every | None = None
    # Rules that are one legal duty of a child share a duty: the child has one clock for it, however
    # many pathways name it, and doing it in any of them meets that clock (so one missed review
    # escalates once). A rule that ``yields`` gives its clock over to another rule of its duty.
    duty: str = ""
    yields: bool = False
    # A same-day procedure's closing hour (working days only): a step started after it, or on a day
    # off, is counted from the next working day (a birth dossier completed after 15:00).
    cutoff: dt.time | None = None
    # The step may give an earlier date (``obligation_open(due=...)``): the rule is due then when it
    # comes before the end of the period (a plan reviewed at its end, and at most 3 months on).
    or_earlier: bool = False
    # The app that declared the rule (set when it registers).
    app: str = ""

    def __post_init__(self) -> None:
        if self.unit is Unit.ON_DATE and self.overridable:
            raise ValueError(f"{self.code}: a date the step gives cannot be shortened by a province")
        if self.every is not None and self.overridable:
            raise ValueError(f"{self.code}: a schedule is not shortened by a province")
        if self.yields and not self.duty:
            raise ValueError(f"{self.code}: only a rule that shares a duty yields its clock")
        if self.cutoff is not None and self.unit is not Unit.WORKING_DAYS:
            raise ValueError(f"{self.code}: a closing hour goes with a deadline in working days")
        if self.or_earlier and (self.unit is Unit.ON_DATE or self.every is not None):
            raise ValueError(f"{self.code}: only a period may end earlier on a date the step gives")
        if self.amount < 0:
            raise ValueError(f"{self.code}: a deadline is not before its start")

    @property
    def deadline(self) -> str:
        """The deadline in words, in the user's language (the rules page, `haven rules`)."""
        if self.every is not None:
            return str(self.every)
        if self.unit is Unit.WORKING_DAYS and self.amount == 0:
            text = gettext("the same working day")
        else:
            text = self._period()
        if self.cutoff is not None:
            text += " " + gettext("(the next working day when it starts after %(time)s)") % {
                "time": self.cutoff.strftime("%H:%M")
            }
        if self.or_earlier:
            text += ", " + gettext("or on the date the step sets, if that comes first")
        return text

    def _period(self) -> str:
        return period(self.amount, self.unit)


def period(amount: int, unit: Unit) -> str:
    """``amount`` of ``unit`` in the user's language: "1 hour", "5 working days", "5 ngày làm việc"."""
    n = amount
    units = {
        Unit.HOURS: ngettext("%(n)s hour", "%(n)s hours", n),
        Unit.CALENDAR_DAYS: ngettext("%(n)s calendar day", "%(n)s calendar days", n),
        Unit.WORKING_DAYS: ngettext("%(n)s working day", "%(n)s working days", n),
        Unit.MONTHS: ngettext("%(n)s month", "%(n)s months", n),
        Unit.ON_DATE: gettext("on the date the step sets"),
    }
    return units[unit] % {"n": n}


H, D, WD, M, ON = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.MONTHS, Unit.ON_DATE
L, R = Basis.LAW, Basis.RECOMMENDED

# Filled by the apps at start-up (register below); read, never written, after that.
RULES: dict[str, Rule] = {}


def register(app: str, rules: Iterable[Rule]) -> None:
    """Add the rules of ``app`` (its label) to the table. A code belongs to one app; registering the
    same rules again (Django may call ``ready`` twice in a test run) changes nothing."""
    for r in rules:
        owned = replace(r, app=app)
        known = RULES.get(r.code)
        if known is not None and known != owned:
            raise ValueError(f"{r.code} is registered twice, differently")
        RULES[r.code] = owned


def rule(code: str) -> Rule:
    return RULES[code]


def timers() -> list[str]:
    return [code for code, r in RULES.items() if r.on_due]


def recurring() -> list[str]:
    return [code for code, r in RULES.items() if r.every is not None]


def of_duty(duty: str) -> list[str]:
    return [code for code, r in RULES.items() if duty and r.duty == duty]


def title_of(code: str) -> str:
    """A rule's title, or its code when no app declares it any more (an old obligation)."""
    found = RULES.get(code)
    return str(found.title) if found is not None else code
