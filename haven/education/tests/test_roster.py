"""The school-age roster is computed from the register: every child of school age Haven follows, with
the level and grade expected from the year of birth, and a status; a lawful over-age child is enrolled,
not failing; the five-dimension profile counts the out-of-school by the age of a level."""

from __future__ import annotations

from haven.core import clock
from haven.education import roster, services
from haven.education.models import Enrolment, State
from haven.education.tests.conftest import first_day, foundling, year
from haven.people.models import Child


def record(world, school, child, grade, **age):
    return services.enrolment_record(
        actor=world.officer_a,
        child=child,
        school=school,
        school_year=year(),
        level="primary",
        grade=grade,
        started_on=first_day(),
        **age,
    )


def test_each_child_of_school_age_has_a_status(world, school, term):
    never = foundling(world, age=8)
    asked = foundling(world, age=6)
    services.enrolment_request(
        actor=world.officer_a, child=asked, school=school, school_year=year(), level="primary", grade=1
    )
    on_time = foundling(world, age=6)
    record(world, school, on_time, 1)
    lawful = foundling(world, age=9)
    record(world, school, lawful, 1, age_basis="orphan")
    dropped = foundling(world, age=7)
    e = record(world, school, dropped, 2)
    services.enrolment_leave(actor=world.school_a, enrolment=e, ended_on=clock.today(), reason="dropped_out")
    toddler = foundling(world, age=2)
    rows = {r.child_id: r for r in roster.compute(Child.objects.all(), clock.today())}
    assert rows[never.pk].status is roster.Status.NEVER_ENROLLED
    assert rows[never.pk].expected.grade == 3 and rows[never.pk].estimated
    assert rows[asked.pk].status is roster.Status.LATE_ENTRY
    assert rows[on_time.pk].status is roster.Status.ENROLLED and rows[on_time.pk].without_pin
    assert rows[lawful.pk].status is roster.Status.ENROLLED and rows[lawful.pk].lawful_over_age
    assert rows[dropped.pk].status is roster.Status.DROPPED_OUT
    assert toddler.pk not in rows
    counts = roster.profile(list(rows.values()))[world.commune_a.pk]
    assert counts["school_age"] == 5 and counts["dim2"] == 3


def test_an_over_age_pupil_without_a_recorded_basis_is_over_age_by_k(world, school, term):
    child = foundling(world, age=8)
    e = record(world, school, child, 3)  # the standard grade for 8
    Enrolment.objects.filter(pk=e.pk).update(grade=1, state=State.ENROLLED)  # recorded before the rule
    (row,) = roster.compute(Child.objects.filter(pk=child.pk), clock.today())
    assert row.status is roster.Status.OVER_AGE and row.over_by == 2
    assert row.status_label.endswith("2 year(s)") or "2" in row.status_label
