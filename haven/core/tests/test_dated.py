"""Dated rows are in force on ``[start, end)``: from the first day, included, to the end, excluded
(core/dated.py). One convention for every "in force on a date" in Haven."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.accounts.models import Membership, Role
from haven.areas.models import Area, Kind, Level
from haven.core.dated import end
from haven.core.errors import Refused
from haven.people.models import Involvement, InvolvementBasis, SpecialCircumstance

pytestmark = pytest.mark.django_db

JAN_1, JAN_10, JAN_20 = dt.date(2027, 1, 1), dt.date(2027, 1, 10), dt.date(2027, 1, 20)


@pytest.fixture
def old_commune():
    """A commune merged away on 10 January: it existed from 1 January up to the 9th."""
    province = Area.objects.provinces().get(code="01")
    return Area.objects.create(
        code="99999",
        name="Xã Cũ",
        level=Level.COMMUNE,
        kind=Kind.COMMUNE,
        parent=province,
        valid_from=JAN_1,
        valid_to=JAN_10,
    )


def test_a_row_is_in_force_on_its_first_day_and_not_on_its_end(old_commune):
    current = Area.objects.filter(pk=old_commune.pk).current
    assert not current(JAN_1 - dt.timedelta(days=1)).exists()
    assert current(JAN_1).exists()
    assert current(JAN_10 - dt.timedelta(days=1)).exists()
    assert not current(JAN_10).exists()
    assert [
        old_commune.in_force_on(d) for d in (dt.date(2026, 12, 31), JAN_1, dt.date(2027, 1, 9), JAN_10)
    ] == [
        False,
        True,
        True,
        False,
    ]


def test_an_open_ended_row_stays_in_force(world):
    assert Area.objects.filter(code="01", level=Level.PROVINCE).current(dt.date(2099, 1, 1)).exists()


def test_the_row_that_follows_starts_the_day_the_other_ends_without_overlap(world):
    officer = world.officer_a
    first = Membership.objects.get(user=officer)
    first.valid_from, first.valid_to = JAN_1, JAN_10
    first.save()
    second = Membership.objects.create(
        user=officer,
        organisation=world.orgs["committee_b"],
        role=Role.COMMUNE_CHILD_PROTECTION_OFFICER,
        valid_from=JAN_10,
    )
    on = {
        day: list(Membership.objects.active(day).filter(user=officer))
        for day in (dt.date(2027, 1, 9), JAN_10)
    }
    assert on == {dt.date(2027, 1, 9): [first], JAN_10: [second]}


def test_in_force_across_a_relation_uses_the_same_convention(world):
    child = world.child()
    SpecialCircumstance.objects.create(
        child=child,
        group="HCDB_B",
        started_on=JAN_1,
        ended_on=JAN_10,
        evidence="Biên bản xác minh",
        recorded_by=world.officer_a,
    )
    in_group = type(child).objects.filter(SpecialCircumstance.in_force_q(JAN_1, prefix="circumstances__"))
    assert child in in_group
    assert child not in type(child).objects.filter(
        SpecialCircumstance.in_force_q(JAN_10, prefix="circumstances__")
    )


def test_moments_follow_the_convention_too(world):
    child = world.child()
    at = dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC)
    link = Involvement.objects.create(
        child=child,
        organisation=world.orgs["hospital_a"],
        basis=InvolvementBasis.HANDOVER,
        started_at=at,
        ended_at=at + dt.timedelta(hours=2),
    )
    rows = Involvement.objects.filter(pk=link.pk)
    assert rows.in_force(at).exists()
    assert not rows.in_force(at + dt.timedelta(hours=2)).exists()


def test_ending_a_row_ends_it_from_that_day_once(old_commune):
    old_commune.valid_to = None
    old_commune.save()
    end(old_commune, JAN_20)
    old_commune.refresh_from_db()
    assert old_commune.valid_to == JAN_20 and not old_commune.in_force_on(JAN_20)
    with pytest.raises(Refused) as again:
        end(old_commune, JAN_20)
    assert again.value.code == "already_ended"


def test_a_row_cannot_end_before_it_starts(old_commune):
    from django.core.exceptions import ValidationError

    old_commune.valid_to = None
    old_commune.save()
    with pytest.raises(ValidationError) as refused:
        end(old_commune, JAN_1 - dt.timedelta(days=1))
    assert refused.value.error_dict["valid_to"][0].code == "before_start"
    old_commune.refresh_from_db()
    assert old_commune.valid_to is None


def test_overlapping_rows_are_those_sharing_a_day(old_commune):
    rows = Area.objects.filter(pk=old_commune.pk)
    assert rows.overlapping(dt.date(2027, 1, 9)).exists()  # open-ended from its last day
    assert not rows.overlapping(JAN_10).exists()  # starting the day it ends
    assert not rows.overlapping(dt.date(2026, 12, 1), JAN_1).exists()  # ending the day it starts
    assert rows.overlapping(dt.date(2026, 12, 1), dt.date(2027, 1, 2)).exists()
