"""Reporting periods: a month, a quarter, a half-year or a year, each a half-open span of days
``[start, end)`` with a stable key ("2025-07", "2025-Q3", "2025-H2", "2025") and a name in the reader's
language ("Quý III/2025").

Circular 13/2021/TT-BLĐTBXH publishes its indicators by year (some by six months); the ministry's
administrative reports also ask for months and quarters (Decree 09/2019/NĐ-CP art. 12), so every
indicator may be read at any of the four.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.core import calendar, clock


class Kind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.MONTH: _("Month"),
    Kind.QUARTER: _("Quarter"),
    Kind.HALF: _("Half-year"),
    Kind.YEAR: _("Year"),
}
MONTHS_IN = {Kind.MONTH: 1, Kind.QUARTER: 3, Kind.HALF: 6, Kind.YEAR: 12}
ROMAN = ("I", "II", "III", "IV")
KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|H(?P<half>[12])))?$")


class BadPeriod(ValueError):
    """A period key that names no period."""


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    kind: Kind

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return calendar.add_months(self.start, MONTHS_IN[self.kind])

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        y, m = self.start.year, self.start.month
        if self.kind is Kind.MONTH:
            return f"{y}-{m:02d}"
        if self.kind is Kind.QUARTER:
            return f"{y}-Q{(m - 1) // 3 + 1}"
        if self.kind is Kind.HALF:
            return f"{y}-H{(m - 1) // 6 + 1}"
        return str(y)

    def __str__(self) -> str:
        """The period as a report names it: "Tháng 7/2025", "Quý III/2025", "6 tháng cuối năm 2025"."""
        y, m = self.start.year, self.start.month
        if self.kind is Kind.MONTH:
            return gettext("Month %(month)s/%(year)s") % {"month": m, "year": y}
        if self.kind is Kind.QUARTER:
            return gettext("Quarter %(quarter)s/%(year)s") % {"quarter": ROMAN[(m - 1) // 3], "year": y}
        if self.kind is Kind.HALF:
            if m == 1:
                return gettext("First half of %(year)s") % {"year": y}
            return gettext("Second half of %(year)s") % {"year": y}
        return gettext("Year %(year)s") % {"year": y}

    def previous(self) -> Period:
        return Period(calendar.add_months(self.start, -MONTHS_IN[self.kind]), self.kind)

    def next(self) -> Period:
        return Period(self.end, self.kind)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    @property
    def opens_at(self) -> dt.datetime:
        return calendar.day_start(self.start)

    @property
    def closes_at(self) -> dt.datetime:
        """The moment the period ends (midnight at its end, Vietnam time): stocks are counted then."""
        return calendar.day_start(self.end)


def containing(day: dt.date, kind: Kind) -> Period:
    months = MONTHS_IN[kind]
    first = (day.month - 1) // months * months + 1
    return Period(dt.date(day.year, first, 1), kind)


def current(kind: Kind) -> Period:
    return containing(clock.today(), kind)


def parse(key: str) -> Period:
    """A period from its key; BadPeriod (with a message in the reader's language) when it names none."""
    found = KEY.match((key or "").strip())
    if not found:
        raise BadPeriod(
            gettext("“%(key)s” is not a period: write 2025, 2025-H1, 2025-Q3 or 2025-07.") % {"key": key}
        )
    year = int(found["year"])
    if not 2000 <= year <= 2100:
        raise BadPeriod(gettext("The year must be between 2000 and 2100."))
    if found["month"]:
        month = int(found["month"])
        if not 1 <= month <= 12:
            raise BadPeriod(gettext("A month is numbered from 01 to 12."))
        return Period(dt.date(year, month, 1), Kind.MONTH)
    if found["quarter"]:
        return Period(dt.date(year, (int(found["quarter"]) - 1) * 3 + 1, 1), Kind.QUARTER)
    if found["half"]:
        return Period(dt.date(year, (int(found["half"]) - 1) * 6 + 1, 1), Kind.HALF)
    return Period(dt.date(year, 1, 1), Kind.YEAR)
