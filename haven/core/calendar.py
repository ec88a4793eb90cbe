"""Working days in Viet Nam: Monday to Friday, less public holidays (Tết included), plus the
Saturdays made working days when a holiday is moved (Labour Code 2019 art. 112; the Prime Minister's
annual decisions). Holidays come from the `holidays` package; `CalendarException` rows record
official changes it does not know yet.

A deadline "within N working days" of a moment on day D ends when the Nth working day after D ends
(Civil Code 2015 art. 147: the day of the event is not counted). Time is Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
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
    """The end of the Nth working day after the local day of ``start`` (midnight that follows it)."""
    exceptions = _exceptions()
    day = start.astimezone(VIETNAM).date()
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
