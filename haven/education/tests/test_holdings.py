"""Schools merge, as communes did in 2025: a school closes or merges only by naming the school that
takes over this year's pupils and the children it has been asked to take, which must be registered in
Haven and teach their levels; the pupils move in the same transaction, and the new school's officer
sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.accounts import services
from haven.core import clock
from haven.core.errors import Refused
from haven.core.testing import OrganisationFactory, member
from haven.education import selectors
from haven.education.models import Enrolment, School, State
from haven.education.tests.conftest import foundling, year
from haven.people.models import Involvement, InvolvementBasis


def enrolled(world, school, child) -> Enrolment:
    # As the enrolment service does: the school is involved with the child it teaches.
    Involvement.objects.create(
        child=child, organisation=school.organisation, basis=InvolvementBasis.ENROLMENT
    )
    return Enrolment.objects.create(
        child=child,
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        state=State.ENROLLED,
        started_on=clock.today() - dt.timedelta(days=10),
    )


def other_school(world, *, registered=True, last_level="lower_secondary") -> School | None:
    organisation = OrganisationFactory(
        name="Trường Tiểu học và THCS Ba Đình", kind=world.orgs["school_a"].kind, area=world.commune_a
    )
    if not registered:
        return organisation
    return School.objects.create(
        organisation=organisation, code="01001009", first_level="preschool", last_level=last_level
    )


def test_a_merging_school_hands_its_pupils_to_the_school_that_takes_over(world, frozen, school):
    pupil = enrolled(world, school, foundling(world))
    into = other_school(world)
    officer = member("school.officer.b", into.organisation, "school_officer")
    assert not selectors.enrolments(officer).filter(pk=pupil.pk).exists()

    services.organisation_merge(
        actor=world.users["admin"],
        organisation=school.organisation,
        into=into.organisation,
        reason="Sáp nhập",
    )

    pupil.refresh_from_db()
    assert pupil.school == into and pupil.state == State.ENROLLED
    assert selectors.enrolments(officer).filter(pk=pupil.pk).exists()


def test_a_school_with_pupils_does_not_close_without_a_school_that_takes_them(world, frozen, school):
    pupil = enrolled(world, school, foundling(world))
    with pytest.raises(ValidationError) as problem:
        services.organisation_deactivate(
            actor=world.users["admin"], organisation=school.organisation, reason="Giải thể"
        )
    assert problem.value.error_dict["successor"][0].code == "successor_required"
    unregistered = other_school(world, registered=False)
    with pytest.raises(Refused) as refused:
        services.organisation_deactivate(
            actor=world.users["admin"],
            organisation=school.organisation,
            reason="Giải thể",
            successor=unregistered,
        )
    assert refused.value.code == "successor_not_a_school"
    school.organisation.refresh_from_db()
    pupil.refresh_from_db()
    assert school.organisation.is_active and pupil.school == school


def test_pupils_go_only_to_a_school_that_teaches_their_level(world, frozen, school):
    enrolled(world, school, foundling(world))
    preschool_only = other_school(world, last_level="preschool")
    with pytest.raises(Refused) as refused:
        services.organisation_merge(
            actor=world.users["admin"],
            organisation=school.organisation,
            into=preschool_only.organisation,
            reason="Sáp nhập",
        )
    assert refused.value.code == "successor_levels"
    assert school.organisation.is_active
