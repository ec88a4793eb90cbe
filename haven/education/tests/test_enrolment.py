"""Enrolment that tolerates missing papers: a found girl without a PIN is asked for by the facility and
admitted by the school; the missing PIN opens the commune's obligation; one current enrolment per child
and school year, kept by the database; an older age is a decision with its basis. Refused, with nothing
saved: a second enrolment in a year, a grade the level lacks, an older age without a basis, a child out
of the actor's reach."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from haven.access.scoping import NotVisible
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.education import clocks, services
from haven.education.models import Enrolment, State
from haven.education.tests.conftest import first_day, foundling, in_facility, year
from haven.people.models import Child, Involvement
from haven.protection.models import ProtectionCase


def asked(world, school, child, *, actor=None, grade=1, level="primary"):
    return services.enrolment_request(
        actor=actor or world.officer_a,
        child=child,
        school=school,
        school_year=year(),
        level=level,
        grade=grade,
    )


def test_a_school_sees_only_the_children_it_is_asked_to_enrol_and_never_their_record(world, school, term):
    girl = foundling(world)
    other = foundling(world)
    assert not Child.objects.visible_to(world.school_a, services_verb()).filter(pk=girl.pk).exists()
    asked(world, school, girl)
    seen = Child.objects.visible_to(world.school_a, services_verb())
    assert set(seen.values_list("pk", flat=True)) == {girl.pk}
    assert other.pk not in set(seen.values_list("pk", flat=True))
    # Not the child's record, nor any protection case: the school holds no right to see a child.
    assert not Child.objects.visible_to(world.school_a).exists()
    assert not ProtectionCase.objects.visible_to(world.school_a).exists()


def services_verb():
    from haven.access.policy import Verb

    return Verb.EDUCATION_VIEW


def test_the_school_admits_a_child_without_a_pin_and_the_commune_owes_the_papers(world, school, term):
    girl = foundling(world)
    site = in_facility(world, girl)
    assert site is not None
    request = asked(world, school, girl, actor=world.users["facility_sw"])
    answer = Obligation.objects.get(rule=clocks.ANSWER, subject_id=request.pk)
    assert answer.responsible == school.organisation and answer.status == Status.OPEN
    admitted = services.enrolment_admit(actor=world.school_a, enrolment=request, started_on=first_day())
    assert admitted.state == State.ENROLLED and not girl.pin_index
    answer.refresh_from_db()
    assert answer.status == Status.MET
    papers = Obligation.objects.get(rule=clocks.PAPERS, child=girl)
    assert papers.status == Status.OPEN and papers.responsible == world.orgs["committee_a"]
    assert Involvement.objects.current().filter(child=girl, organisation=school.organisation).exists()


def test_the_school_is_told_on_its_task_list_to_answer_a_request_and_nothing_of_the_communes(
    world, school, term, client
):
    from haven.core.testing import second_factor_given
    from haven.deadlines.selectors import tasks_for

    girl = foundling(world)
    in_facility(world, girl)
    request = asked(world, school, girl, actor=world.users["facility_sw"])
    steps = tasks_for(user=world.school_a)
    listed = [o for bucket in (steps.overdue, steps.today, steps.week, steps.later) for o in bucket]
    assert [(o.rule, o.subject_id) for o in listed] == [(clocks.ANSWER, request.pk)]
    client.force_login(world.school_a)
    second_factor_given(client, world.school_a)
    assert f'href="/education/enrolments/{request.pk}/"' in client.get("/").content.decode()
    # Admitted without a PIN: the papers are the commune's step, never on the school's list.
    services.enrolment_admit(actor=world.school_a, enrolment=request, started_on=first_day())
    steps = tasks_for(user=world.school_a)
    assert not [o for bucket in (steps.overdue, steps.today, steps.week, steps.later) for o in bucket]
    assert Obligation.objects.filter(rule=clocks.PAPERS, child=girl, status=Status.OPEN).exists()
    # Nor does the school read the steps of the child's other cases.
    others = Obligation.objects.visible_to(world.school_a).exclude(subject_type="education.enrolment")
    assert not others.exists()


def test_a_second_enrolment_in_the_same_year_is_refused_with_the_reason(world, school, term):
    girl = foundling(world)
    asked(world, school, girl)
    with pytest.raises(ValidationError) as refused:
        asked(world, school, girl)
    assert "school_year" in refused.value.message_dict
    assert Enrolment.objects.filter(child=girl).count() == 1


def test_a_child_still_on_an_old_schools_roll_is_refused_with_the_way_on(world, school, term):
    # A child who moved, still enrolled where she lived: the refusal says to record her leaving first,
    # and once that is recorded the new school is asked.
    from django.utils import translation

    girl = foundling(world)
    old = services.enrolment_record(
        actor=world.officer_a,
        child=girl,
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        started_on=first_day(),
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        asked(world, school, girl)
    (said,) = refused.value.message_dict["school_year"]
    assert str(school) in said and "record it on that enrolment first" in said
    services.enrolment_leave(actor=world.officer_a, enrolment=old, ended_on=clock.today(), reason="moved")
    assert asked(world, school, girl).state == State.REQUESTED


def test_the_database_keeps_one_current_enrolment_per_child_and_year(world, school):
    girl = foundling(world)
    Enrolment.objects.create(child=girl, school=school, school_year=2030, level="primary", grade=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(child=girl, school=school, school_year=2030, level="primary", grade=2)
    # A left enrolment does not count: a transfer ends one before the next starts.
    Enrolment.objects.filter(child=girl).update(state=State.DECLINED)
    Enrolment.objects.create(child=girl, school=school, school_year=2030, level="primary", grade=2)


@pytest.mark.parametrize(
    ("level", "grade"), [("primary", 6), ("lower_secondary", 5), ("upper_secondary", 10)]
)
def test_a_grade_the_level_does_not_have_or_a_level_the_school_does_not_teach_is_refused(
    world, school, term, level, grade
):
    with pytest.raises(ValidationError):
        asked(world, school, foundling(world), level=level, grade=grade)
    assert not Enrolment.objects.exists()


def test_an_older_child_is_enrolled_only_with_the_lawful_basis_recorded(world, school, term):
    girl = foundling(world, age=9)  # 3 years late for grade 1
    request = asked(world, school, girl)
    with pytest.raises(ValidationError) as refused:
        services.enrolment_admit(actor=world.school_a, enrolment=request, started_on=first_day())
    assert "age_basis" in refused.value.message_dict
    request.refresh_from_db()
    assert request.state == State.REQUESTED
    admitted = services.enrolment_admit(
        actor=world.school_a, enrolment=request, started_on=first_day(), age_basis="orphan"
    )
    assert admitted.over_age_years == 3 and admitted.lawful_over_age


def test_a_first_grade_four_years_late_needs_the_authoritys_decision(world, school, term):
    girl = foundling(world, age=10)
    request = asked(world, school, girl)
    with pytest.raises(ValidationError) as refused:
        services.enrolment_admit(
            actor=world.school_a, enrolment=request, started_on=first_day(), age_basis="orphan"
        )
    assert "age_decision" in refused.value.message_dict
    done = services.enrolment_admit(
        actor=world.school_a,
        enrolment=request,
        started_on=first_day(),
        age_basis="orphan",
        age_decided_by="Sở Giáo dục và Đào tạo Hà Nội",
        age_decision="123/QĐ-SGDĐT ngày 01/09",
    )
    assert done.over_age_years == 4


def test_an_enrolment_for_a_child_out_of_reach_is_not_found(world, school, term):
    in_b = foundling(world, commune=world.commune_b)
    with pytest.raises(NotVisible):
        asked(world, school, in_b, actor=world.officer_a)
    with pytest.raises(NotVisible):
        services.enrolment_record(
            actor=world.school_a,
            child=in_b,
            school=school,
            school_year=year(),
            level="primary",
            grade=1,
            started_on=first_day(),
        )
    assert not Enrolment.objects.exists()


def test_only_the_school_asked_admits(world, school, term):
    request = asked(world, school, foundling(world))
    with pytest.raises(Refused):
        services.enrolment_admit(actor=world.officer_a, enrolment=request, started_on=first_day())
    request.refresh_from_db()
    assert request.state == State.REQUESTED


def test_the_papers_obligation_is_met_once_the_child_has_a_pin(world, school, term):
    from haven.education.services.enrolments import papers_sweep
    from haven.people.services import _set_pin

    girl = foundling(world)
    services.enrolment_record(
        actor=world.officer_a,
        child=girl,
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        started_on=first_day(),
    )
    assert papers_sweep() == 0
    _set_pin(girl, "001" + "3" + f"{girl.date_of_birth.year % 100:02d}" + "123456")
    girl.save()
    assert papers_sweep() == 1
    assert Obligation.objects.get(rule=clocks.PAPERS, child=girl).status == Status.MET
