"""The persona world's school (school_a, commune A) with its profile, and a found girl of 7 without a
PIN (6 by calendar year unless said) placed in the facility of commune B, whose social worker asks the
school to take her."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.care import services as care
from haven.care.tests.conftest import build_site
from haven.core import clock
from haven.education import ages
from haven.education.models import School
from haven.people.models import CircumstanceGroup, SpecialCircumstance


def school_of(world) -> School:
    return School.objects.get_or_create(
        organisation=world.orgs["school_a"],
        defaults={"code": "01001001", "first_level": "preschool", "last_level": "lower_secondary"},
    )[0]


@pytest.fixture
def school(world) -> School:
    return school_of(world)


def year() -> int:
    return ages.school_year_of(clock.today())


def born_for(age: int) -> dt.date:
    """A birth date that makes a child ``age`` by calendar year this school year."""
    return dt.date(year() - age, 3, 15)


def foundling(world, *, age: int = 6, commune=None):
    """A found girl, her birth year estimated, no PIN, abandoned (art. 10 b)."""
    child = world.child(
        commune=commune or world.commune_a,
        family_name="Nguyễn",
        middle_name="Thị",
        given_name="Bình An",
        sex="female",
        date_of_birth=born_for(age),
        date_of_birth_estimated=True,
    )
    SpecialCircumstance.objects.create(
        child=child, group=CircumstanceGroup.HCDB_B, started_on=child.date_of_birth, evidence="Biên bản"
    )
    return child


def in_facility(world, child):
    from haven.people.models import Involvement, InvolvementBasis

    site = build_site(world)
    Involvement.objects.create(
        child=child, organisation=world.orgs["facility_b"], basis=InvolvementBasis.HANDOVER
    )
    care.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        started_on=clock.today() - dt.timedelta(days=60),
        reason="Tiếp nhận trẻ bị bỏ rơi",
        group=site.older,
    )
    return site


@pytest.fixture
def term(frozen):
    """The clock held at least 20 days into the school year, so that a run of school days fits between
    its first day and today."""
    since = clock.today() - ages.year_start(year())
    if since.days < 20:
        frozen.advance(days=20 - since.days)
    return frozen


def first_day() -> dt.date:
    """The first day of this school year (Haven's counting): never in the future."""
    return ages.year_start(year())
