"""Working days in Viet Nam, and deadlines counted in them (Civil Code 2015 art. 147; Labour Code 2019
art. 112). Dates are chosen in 2027, whose Tết holiday runs from Thursday 4 to Wednesday 10 February."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.core.calendar import VIETNAM, add_calendar_days, add_hours, add_working_days, is_working_day
from haven.core.models import CalendarException

pytestmark = pytest.mark.django_db


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


def end_of(day: dt.date) -> dt.datetime:
    """A working-day deadline ends at the midnight that closes its last day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=VIETNAM)


def test_weekends_are_not_working_days():
    assert is_working_day(dt.date(2027, 1, 8))  # Friday
    assert not is_working_day(dt.date(2027, 1, 9))  # Saturday
    assert not is_working_day(dt.date(2027, 1, 10))  # Sunday


def test_one_working_day_from_a_friday_ends_with_the_monday():
    assert add_working_days(vn(2027, 1, 8, 10, 0), 1) == end_of(dt.date(2027, 1, 11))


def test_every_day_of_tet_is_a_public_holiday():
    tet = [dt.date(2027, 2, 4) + dt.timedelta(days=i) for i in range(7)]
    assert not any(is_working_day(day) for day in tet)
    assert is_working_day(dt.date(2027, 2, 3)) and is_working_day(dt.date(2027, 2, 11))


def test_five_working_days_started_just_before_tet_end_a_week_after_it():
    # Wednesday 3 Feb; Tết 4–10 Feb; then Thu 11, Fri 12, Mon 15, Tue 16, Wed 17.
    assert add_working_days(vn(2027, 2, 3, 16, 30), 5) == end_of(dt.date(2027, 2, 17))


def test_hung_kings_day_is_skipped():
    # Hùng Kings' Commemoration Day, 10th of the 3rd lunar month: Friday 16 April 2027.
    assert not is_working_day(dt.date(2027, 4, 16))
    assert add_working_days(vn(2027, 4, 15, 9, 0), 1) == end_of(dt.date(2027, 4, 19))


def test_a_saturday_made_a_working_day_counts():
    CalendarException.objects.create(
        date=dt.date(2027, 1, 30),
        is_working_day=True,
        name="Làm bù",
        legal_basis="Thông báo của Bộ Nội vụ (ví dụ)",
    )
    assert is_working_day(dt.date(2027, 1, 30))
    assert add_working_days(vn(2027, 1, 29, 10, 0), 1) == end_of(dt.date(2027, 1, 30))


def test_an_extra_day_off_is_skipped():
    CalendarException.objects.create(
        date=dt.date(2027, 1, 11),
        is_working_day=False,
        name="Nghỉ bù",
        legal_basis="Quyết định của Thủ tướng (ví dụ)",
    )
    assert not is_working_day(dt.date(2027, 1, 11))
    assert add_working_days(vn(2027, 1, 8, 10, 0), 1) == end_of(dt.date(2027, 1, 12))


@pytest.mark.parametrize("hour, minute", [(0, 1), (9, 0), (23, 59)])
def test_the_day_of_the_event_is_not_counted(hour, minute):
    # Civil Code 2015 art. 147: from Monday at any hour, one working day is the whole of Tuesday.
    assert add_working_days(vn(2027, 3, 1, hour, minute), 1) == end_of(dt.date(2027, 3, 2))


def test_the_day_of_the_event_is_the_day_in_vietnam_not_in_utc():
    # 20:00 UTC on Tuesday is 03:00 on Wednesday in Hà Nội: Wednesday is the day of the event.
    start = dt.datetime(2027, 3, 2, 20, 0, tzinfo=dt.UTC)
    due = add_working_days(start, 1)
    assert due == end_of(dt.date(2027, 3, 4))
    assert due == dt.datetime(2027, 3, 4, 17, 0, tzinfo=dt.UTC)


def test_calendar_days_and_hours_run_through_weekends_and_tet():
    eve = vn(2027, 2, 5, 8, 0)
    assert add_calendar_days(eve, 7) == vn(2027, 2, 12, 8, 0)
    assert add_hours(eve, 24) == vn(2027, 2, 6, 8, 0)


def test_a_month_on_is_the_same_day_or_the_months_last_day():
    from haven.core.calendar import add_months

    # Civil Code 2015 art. 148(3): a month's period ends on the corresponding day, or on the last day
    # of a month that has none.
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 3, 15), -3) == dt.date(2026, 12, 15)


def test_a_day_that_is_not_worked_rolls_to_the_working_day_before_or_after():
    from haven.core.calendar import Roll, roll

    saturday = dt.date(2027, 1, 9)
    assert roll(saturday, Roll.NONE) == saturday
    assert roll(saturday, Roll.PREVIOUS) == dt.date(2027, 1, 8)
    assert roll(saturday, Roll.NEXT) == dt.date(2027, 1, 11)
    # Tết 2027 runs from Thursday 4 to Wednesday 10 February.
    assert roll(dt.date(2027, 2, 5), Roll.PREVIOUS) == dt.date(2027, 2, 3)
    assert roll(dt.date(2027, 2, 5), Roll.NEXT) == dt.date(2027, 2, 11)
    assert roll(dt.date(2027, 2, 11), Roll.NEXT) == dt.date(2027, 2, 11)


def test_a_day_ends_at_midnight_in_vietnam():
    from haven.core.calendar import day_end, local_day

    assert day_end(dt.date(2027, 3, 1)) == end_of(dt.date(2027, 3, 1)) == vn(2027, 3, 2, 0, 0)
    assert local_day(dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC)) == dt.date(2027, 3, 2)


def test_a_deadline_that_ends_with_its_day_is_shown_on_that_day_not_the_next():
    from django.template import Context, Template

    due = add_working_days(vn(2027, 1, 8, 10, 0), 1)  # the end of Monday 11 January
    shown = Template('{% load durations %}{{ due|due }} · {{ due|due:"d/m/Y" }}').render(
        Context({"due": due})
    )
    assert shown == "11/01/2027 23:59 · 11/01/2027"
    # A deadline within a day (12 hours from a report) is shown at its own time.
    within = add_hours(vn(2027, 1, 8, 9, 30), 12)
    assert (
        Template("{% load durations %}{{ due|due }}").render(Context({"due": within})) == "08/01/2027 21:30"
    )
