"""Attendance by the school: a day not marked is unknown; a file with problems saves nothing and says
which lines; five consecutive days absent without leave report the child to the commune through the
protection pathway and open a home visit on the deadline engine — and the school still sees no case,
only "contact the commune officer"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.education import clocks, selectors, services, sheets
from haven.education.models import AbsenceAlert, Attendance
from haven.education.services.attendance import Line, LinesRefused
from haven.education.tests.conftest import first_day, foundling, year
from haven.protection.models import Channel, ProtectionCase


def enrolled(world, school, child=None):
    return services.enrolment_record(
        actor=world.officer_a,
        child=child or foundling(world),
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        started_on=first_day(),
    )


def days_back(n: int) -> list[dt.date]:
    today = clock.today()
    return [today - dt.timedelta(days=k) for k in range(n, 0, -1)]


def mark(world, school, enrolment, days, mark="unexcused"):
    return services.attendance_record(
        actor=world.school_a,
        school=school,
        lines=[Line(i + 1, str(enrolment.pk), d, mark) for i, d in enumerate(days)],
    )


def test_a_day_not_marked_is_unknown_never_present(world, school, term):
    e = enrolled(world, school)
    mark(world, school, e, days_back(1), "present")
    shown = dict(selectors.attendance_of(e))
    assert shown[clock.today() - dt.timedelta(days=1)] == "present"
    assert shown[clock.today() - dt.timedelta(days=2)] is None


def test_a_future_day_a_pupil_of_another_school_and_a_bad_mark_are_refused_by_line(world, school, term):
    e = enrolled(world, school)
    lines = [
        Line(2, str(e.pk), clock.today() - dt.timedelta(days=1), "present"),
        Line(3, str(e.pk), clock.today() + dt.timedelta(days=1), "present"),
        Line(4, "00000000-0000-4000-8000-000000000000", clock.today(), "present"),
        Line(5, str(e.pk), clock.today(), ""),
        Line(6, str(e.pk), clock.today() - dt.timedelta(days=1), "late"),
    ]
    with pytest.raises(LinesRefused) as refused:
        services.attendance_record(actor=world.school_a, school=school, lines=lines)
    assert set(refused.value.lines) == {3, 4, 5, 6}
    assert not Attendance.objects.exists()


def test_the_good_lines_are_saved_only_when_asked(world, school, term):
    e = enrolled(world, school)
    lines = [
        Line(2, str(e.pk), clock.today() - dt.timedelta(days=1), "present"),
        Line(3, str(e.pk), clock.today() + dt.timedelta(days=1), "present"),
    ]
    outcome = services.attendance_record(actor=world.school_a, school=school, lines=lines, partial=True)
    assert outcome.saved == 1 and set(outcome.problems) == {3}
    assert Attendance.objects.count() == 1


def test_only_the_school_marks_its_pupils(world, school, term):
    e = enrolled(world, school)
    with pytest.raises(NotVisible):
        services.attendance_record(
            actor=world.officer_a, school=school, lines=[Line(1, str(e.pk), clock.today(), "present")]
        )


def test_five_consecutive_days_without_leave_ask_the_commune_for_a_home_visit(world, school, term):
    e = enrolled(world, school)
    mark(world, school, e, days_back(4))
    assert not AbsenceAlert.objects.exists()
    outcome = mark(world, school, e, [clock.today()])
    (alert,) = outcome.alerts
    assert alert.days == 5
    case = ProtectionCase.objects.get(child=e.child)
    assert (
        alert.case == case
        and case.channel == Channel.SCHOOL
        and case.responsible == world.orgs["committee_a"]
    )
    visit = Obligation.objects.get(rule=clocks.HOME_VISIT, subject_id=alert.pk)
    assert visit.status == Status.OPEN and visit.responsible == world.orgs["committee_a"]
    # The commune is told on its task list the day it opens (five working days end past the list's
    # seven-day horizon: a list that waited would say there is nothing to do).
    from haven.deadlines.selectors import tasks_for

    steps = tasks_for(user=world.officer_a)
    listed = [o.pk for bucket in (steps.overdue, steps.today, steps.week, steps.later) for o in bucket]
    assert visit.pk in listed
    # The school never sees the case: only whom to contact.
    assert not ProtectionCase.objects.visible_to(world.school_a).exists()
    assert selectors.contact_flag(e.child).authority == world.orgs["committee_a"]
    # Marking the same run again asks nothing twice.
    assert mark(world, school, e, [clock.today()]).alerts == []
    assert ProtectionCase.objects.filter(child=e.child).count() == 1


def test_a_present_day_breaks_the_run_and_an_unmarked_day_does_not(world, school, term):
    e = enrolled(world, school)
    days = days_back(7)
    mark(world, school, e, days[:2])
    mark(world, school, e, [days[2]], "present")
    mark(world, school, e, days[3:5] + days[6:])  # days[5] not marked: unknown
    assert not AbsenceAlert.objects.exists()  # 3 days without leave since the present day
    mark(world, school, e, [clock.today()])
    assert not AbsenceAlert.objects.exists()
    mark(world, school, e, [days[5]])
    assert AbsenceAlert.objects.get().days == 5


def test_the_commune_records_the_visit_and_its_clock_is_met(world, school, term):
    e = enrolled(world, school)
    (alert,) = mark(world, school, e, days_back(5)).alerts
    with pytest.raises(ValidationError):
        services.absence_visit(actor=world.officer_a, alert=alert, visited_on=clock.today(), note="")
    services.absence_visit(
        actor=world.officer_a, alert=alert, visited_on=clock.today(), note="Mẹ ốm, trẻ trông em"
    )
    assert Obligation.objects.get(rule=clocks.HOME_VISIT).status == Status.MET


def test_a_file_from_excel_is_read_with_its_line_numbers(world, school, term):
    e = enrolled(world, school)
    yesterday = (clock.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    text = (
        f"Mã ghi danh;Họ tên;Ngày;Điểm danh\r\n{e.pk};Bình An;{yesterday};C\r\n"
        f"{e.pk};Bình An;31/02/2025;K\r\n"
    )
    lines = sheets.read(("\ufeff" + text).encode(), "diem-danh.csv")
    assert [(line.number, line.mark) for line in lines] == [(2, "present"), (3, "unexcused")]
    assert lines[1].day is None
    with pytest.raises(LinesRefused) as refused:
        services.attendance_record(actor=world.school_a, school=school, lines=lines)
    assert set(refused.value.lines) == {3}


def test_a_workbook_is_read_too(world, school, term):
    import io

    from openpyxl import Workbook

    e = enrolled(world, school)
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã ghi danh", "Ngày", "Điểm danh"])
    sheet.append([str(e.pk), clock.today() - dt.timedelta(days=1), "P"])
    data = io.BytesIO()
    book.save(data)
    (line,) = sheets.read(data.getvalue(), "diem-danh.xlsx")
    assert (line.number, line.day, line.mark) == (2, clock.today() - dt.timedelta(days=1), "excused")


def test_a_file_without_the_columns_is_refused_whole(world, school):
    with pytest.raises(ValidationError):
        sheets.read(b"a,b\n1,2\n", "x.csv")
