"""A province may set a stricter deadline for a step, never a longer one (vietnam-process.md,
warning 3). Only a provincial officer may, and only for their own province."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.access.scoping import NotVisible
from haven.accounts.models import Membership, Role
from haven.audit.models import AuditEvent
from haven.core.calendar import VIETNAM
from haven.core.errors import Refused
from haven.deadlines.models import DeadlineOverride
from haven.deadlines.rules import RULES, Unit
from haven.deadlines.services import due, due_for, override_set

HANDOVER = "foundling.handover_answer"  # 12 hours
CARE_PLAN = "foundling.care_plan"  # 5 working days


def shorten(world, actor=None, *, rule: str = HANDOVER, amount: int, unit: Unit, province=None):
    return override_set(
        actor=actor or world.provincial,
        rule_code=rule,
        province=province or world.hanoi,
        amount=amount,
        unit=unit,
        legal_basis="Quyết định 12/QĐ-SYT của Sở Y tế Hà Nội",
    )


@pytest.mark.parametrize(
    "rule, amount, unit",
    [
        (HANDOVER, 13, Unit.HOURS),
        (HANDOVER, 12, Unit.HOURS),
        (HANDOVER, 1, Unit.CALENDAR_DAYS),
        (HANDOVER, 0, Unit.HOURS),
        (CARE_PLAN, 6, Unit.WORKING_DAYS),
        (CARE_PLAN, 5, Unit.WORKING_DAYS),
        (CARE_PLAN, 7, Unit.CALENDAR_DAYS),
    ],
)
def test_a_longer_or_equal_deadline_is_refused(world, rule, amount, unit):
    with pytest.raises(Refused) as refused:
        shorten(world, rule=rule, amount=amount, unit=unit)
    assert refused.value.code == "override_not_shorter"
    assert not DeadlineOverride.objects.exists()


def test_a_shorter_deadline_applies_to_the_province_only(world, step, frozen):
    override = shorten(world, amount=8, unit=Unit.HOURS)
    assert (override.amount, override.unit, override.province) == (8, Unit.HOURS, world.hanoi)
    event = AuditEvent.objects.get(action="deadline.override_set")
    assert event.actor == world.provincial and event.data == {"rule": HANDOVER, "amount": 8, "unit": "hours"}

    in_hanoi = step(HANDOVER, responsible="facility_b")
    elsewhere = step(HANDOVER, responsible="health_other")
    assert in_hanoi.due_at == frozen.at + dt.timedelta(hours=8)
    assert elsewhere.due_at == frozen.at + dt.timedelta(hours=12)


def test_a_shorter_deadline_in_working_days_is_accepted(world, frozen):
    shorten(world, rule=CARE_PLAN, amount=3, unit=Unit.WORKING_DAYS)
    assert due_for(RULES[CARE_PLAN], frozen.at, world.hanoi) == dt.datetime(2026, 3, 6, tzinfo=VIETNAM)


def test_a_provincial_officer_of_another_province_is_refused(world):
    with pytest.raises(Refused) as refused:
        shorten(world, world.provincial_other, amount=8, unit=Unit.HOURS)
    assert refused.value.code == "outside_area"
    assert not DeadlineOverride.objects.exists()


def test_an_officer_of_two_provinces_acts_through_the_department_of_the_province_concerned(world):
    Membership.objects.create(
        user=world.provincial_other, organisation=world.orgs["health_hanoi"], role=Role.PROVINCIAL_OFFICER
    )
    override = shorten(world, world.provincial_other, amount=8, unit=Unit.HOURS)
    event = AuditEvent.objects.get(action="deadline.override_set")
    assert override.province == world.hanoi and event.organisation == world.orgs["health_hanoi"]


@pytest.mark.parametrize("persona", ["officer_a", "chairman_a", "ministry", "admin"])
def test_only_a_provincial_officer_may_set_a_deadline(world, persona):
    with pytest.raises(NotVisible):
        shorten(world, getattr(world, persona), amount=8, unit=Unit.HOURS)


def test_the_legal_deadline_wins_over_a_longer_stored_override(world, frozen):
    # As if the law had shortened the step after the province set its own deadline.
    DeadlineOverride.objects.create(
        rule=HANDOVER,
        province=world.hanoi,
        amount=2,
        unit=Unit.CALENDAR_DAYS,
        legal_basis="Quyết định cũ",
        created_by=world.provincial,
    )
    assert due_for(RULES[HANDOVER], frozen.at, world.hanoi) == frozen.at + dt.timedelta(hours=12)


def test_due_for_is_never_later_than_the_legal_deadline_even_over_tet(world):
    # Four calendar days for five working days: shorter from any start, over Tết most of all.
    shorten(world, rule=CARE_PLAN, amount=4, unit=Unit.CALENDAR_DAYS)
    for day in range(25, 45):
        start = dt.datetime(2027, 1, 1, 16, 0, tzinfo=VIETNAM) + dt.timedelta(days=day)
        legal = due(start, 5, Unit.WORKING_DAYS)
        assert due_for(RULES[CARE_PLAN], start, world.hanoi) == start + dt.timedelta(days=4) <= legal
