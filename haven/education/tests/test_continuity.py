"""Continuity across placements: a school-age child whose placement moves them to another commune gets
an obligation to enrol there at once, answered for by whoever now cares for them; the days out of
school are counted until school resumes."""

from __future__ import annotations

import datetime as dt

from haven.care.tests.conftest import hand_over
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.education import clocks, continuity, services
from haven.education.models import SchoolMove
from haven.education.tests.conftest import first_day, foundling, in_facility, year


def heard(world, child) -> None:
    """Law on Children art. 60(3): a child of 7 is heard before a family is chosen."""
    from haven.people.models import ChildOpinion

    ChildOpinion.objects.create(
        child=child,
        heard_on=clock.today(),
        subject="Về sống với cô",
        opinion="Con muốn ở với cô",
        recorded_by=world.officer_a,
    )


def test_a_move_to_a_family_in_another_commune_opens_the_enrolment_obligation_there(world, school, term):
    girl = foundling(world, age=7)
    in_facility(world, girl)  # the facility of commune B
    enrolment = services.enrolment_record(
        actor=world.users["facility_sw"],
        child=girl,
        school=school,
        school_year=year(),
        level="primary",
        grade=2,
        started_on=first_day(),
    )
    # Taken into the facility of commune B from her commune A: a move, which the facility answers for.
    into_facility = SchoolMove.objects.get(child=girl, to_commune=world.commune_b)
    assert Obligation.objects.get(subject_id=into_facility.pk).responsible == world.orgs["facility_b"]
    services.enrolment_leave(
        actor=world.school_a, enrolment=enrolment, ended_on=clock.today(), reason="moved"
    )
    heard(world, girl)
    hand_over(world, girl, kind="kin")  # a kin family of commune A
    move = SchoolMove.objects.get(child=girl, to_commune=world.commune_a)
    due = Obligation.objects.get(rule=clocks.ENROL_AFTER_MOVE, subject_id=move.pk)
    assert due.status == Status.OPEN and due.responsible == world.orgs["committee_a"]
    assert continuity.days_out(move, clock.today()) == 0  # left today, moved today
    later = clock.today() + dt.timedelta(days=10)
    assert continuity.days_out(move, later) == 10 or later.month in (6, 7, 8)


def test_enrolling_the_child_after_the_move_meets_the_obligation_and_stops_the_count(world, school, term):
    girl = foundling(world, age=7)
    in_facility(world, girl)
    heard(world, girl)
    hand_over(world, girl, kind="kin")
    move = SchoolMove.objects.get(child=girl, to_commune=world.commune_a)
    term.advance(days=3)
    services.enrolment_record(
        actor=world.officer_a,
        child=girl,
        school=school,
        school_year=year(),
        level="primary",
        grade=2,
        started_on=clock.today(),
        age_basis="orphan",
    )
    move.refresh_from_db()
    assert move.resumed_on == clock.today()
    assert Obligation.objects.get(subject_id=move.pk).status == Status.MET
    assert continuity.days_out(move, clock.today() + dt.timedelta(days=30)) == continuity.days_out(move)


def test_a_child_too_young_for_school_moves_without_an_obligation(world, term):
    baby = foundling(world, age=1)
    in_facility(world, baby)
    hand_over(world, baby, kind="kin")
    assert not SchoolMove.objects.exists()
