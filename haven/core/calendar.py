"""Working days in Viet Nam: Monday to Friday, less public holidays (Tết included), plus the
Saturdays made working days when a holiday is moved (Labour Code 2019 art. 112; the Prime Minister's
annual decisions). Holidays come from the `holidays` package; `CalendarException` rows record
official changes it does not know yet.

A deadline "within N working days" of a moment on day D ends when the Nth working day after D ends
(Civil Code 2015 art. 147: the day of the event is not counted). A period of months ends on the
corresponding day of the last month, or on that month's last day when it has none (art. 148(3)). A
step due "on" a day may be done all that day: it is due when the day ends (art. 148(6): at 24:00).
Time is Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
import enum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=[year])


def _exceptions() -> dict[dt.date, bool]:
    from haven.core.models import CalendarException

    return dict(CalendarException.objects.values_list("date", "is_working_day"))


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    exceptions = _exceptions() if exceptions is None else exceptions
    if day in exceptions:
        return exceptions[day]
    return _public_holidays(day.year).is_working_day(day)


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """The end of the Nth working day after the local day of ``start`` (midnight that follows it).
    Zero is the same working day: the end of ``start``'s day, or of the next working day when that is a
    day off."""
    exceptions = _exceptions()
    day = start.astimezone(VIETNAM).date()
    if n == 0:
        return day_end(roll(day, Roll.NEXT, exceptions))
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day, exceptions):
            counted += 1
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=VIETNAM)


def add_calendar_days(start: dt.datetime, n: int) -> dt.datetime:
    """N consecutive days, weekends and holidays included (e.g. a 7-day public notice)."""
    return start + dt.timedelta(days=n)


def add_hours(start: dt.datetime, n: int) -> dt.datetime:
    return start + dt.timedelta(hours=n)


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Viet Nam of a moment, whatever the server's zone."""
    return moment.astimezone(VIETNAM).date()


def day_end(day: dt.date) -> dt.datetime:
    """The end of ``day`` in Viet Nam: the midnight that starts the next day (Civil Code 2015 art.
    148(6)). A step due on a day may be done all that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=VIETNAM)


def as_shown(moment: dt.datetime) -> dt.datetime:
    """A deadline as a person reads it: one that ends at the midnight closing a day (``day_end``) is
    shown as 23:59 of that day, since "by 00:00 on the 16th" reads as a day more than the law gives."""
    local = moment.astimezone(VIETNAM)
    if local.time() == dt.time(0):
        return local - dt.timedelta(minutes=1)
    return local


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in Viet Nam."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=VIETNAM)


def day_of_month(year: int, month: int, day: int) -> dt.date:
    """Day ``day`` of a month, or the month's last day when it is shorter (the 31st of February is the
    28th or 29th)."""
    return dt.date(year, month, min(day, _months.monthrange(year, month)[1]))


def add_months(day: dt.date, n: int) -> dt.date:
    """The corresponding day ``n`` months on, or the last day of that month when it has none (Civil
    Code 2015 art. 148(3)): 31 January + 1 month is 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + n
    return day_of_month(index // 12, index % 12 + 1, day.day)


class Roll(enum.StrEnum):
    """Where a date that is not a working day moves."""

    # The date stands, working day or not (a visit is made on a Sunday too).
    NONE = "none"
    # To the working day before it (pay before the Tết holiday, not after it).
    PREVIOUS = "previous"
    # To the working day after it (Civil Code 2015 art. 148(5): a period whose last day is a day off
    # ends with the next working day).
    NEXT = "next"


def roll(day: dt.date, how: Roll | str, exceptions: dict[dt.date, bool] | None = None) -> dt.date:
    """``day`` itself when it is a working day (or ``how`` is NONE), else the working day before or after."""
    how = Roll(how)
    if how is Roll.NONE:
        return day
    exceptions = _exceptions() if exceptions is None else exceptions
    step = dt.timedelta(days=-1 if how is Roll.PREVIOUS else 1)
    while not is_working_day(day, exceptions):
        day += step
    return day
