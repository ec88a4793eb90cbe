"""Opening and closing the clocks of the rule table."""

from __future__ import annotations

import datetime as dt

from haven.core.calendar import VIETNAM
from haven.deadlines.models import Escalation, Obligation, Status
from haven.deadlines.services import obligation_open, obligations_close
from haven.deadlines.sweep import sweep


def test_opening_a_step_twice_returns_the_one_open_obligation(world, frozen):
    child = world.child()
    kwargs = {"rule_code": "foundling.care_plan", "subject": child, "child": child}
    first = obligation_open(responsible=world.orgs["committee_a"], **kwargs)
    again = obligation_open(responsible=world.orgs["committee_a"], start=frozen.advance(days=2), **kwargs)
    assert again.pk == first.pk and again.due_at == first.due_at
    assert Obligation.objects.filter(subject_id=child.pk).count() == 1

    obligations_close(subject=child, rules=["foundling.care_plan"], actor=world.officer_a)
    reopened = obligation_open(responsible=world.orgs["committee_a"], **kwargs)
    assert reopened.pk != first.pk and reopened.status == Status.OPEN


def test_an_hours_deadline_runs_through_the_night(step, frozen):
    answer = step("foundling.handover_answer")  # 12 hours
    assert answer.opened_at == frozen.at
    assert answer.due_at == frozen.at + dt.timedelta(hours=12)
    assert answer.next_escalation_at == answer.due_at


def test_a_calendar_days_deadline_runs_through_the_weekend(step, frozen):
    discharge = step("foundling.hospital_discharge", start=frozen.at + dt.timedelta(days=4))  # Friday
    assert discharge.due_at == dt.datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM)  # Monday, 3 days later


def test_a_working_days_deadline_skips_the_weekend_and_ends_at_midnight(step, frozen):
    plan = step("foundling.care_plan")  # 5 working days from Monday: Tuesday to Monday
    assert plan.due_at == dt.datetime(2026, 3, 10, 0, 0, tzinfo=VIETNAM)


def test_a_working_days_deadline_started_before_tet_ends_after_it(step):
    plan = step("foundling.care_plan", start=dt.datetime(2027, 2, 3, 15, 0, tzinfo=VIETNAM))
    assert plan.due_at == dt.datetime(2027, 2, 18, 0, 0, tzinfo=VIETNAM)


def test_closing_a_step_stops_its_escalation(world, step, frozen):
    plan = step("foundling.care_plan")
    child = plan.child
    discharge = obligation_open(
        rule_code="foundling.hospital_discharge",
        subject=child,
        child=child,
        responsible=world.orgs["hospital_a"],
    )
    assert obligations_close(subject=child, rules=["foundling.care_plan"], actor=world.officer_a) == 1

    plan.refresh_from_db()
    assert plan.status == Status.MET and plan.closed_by == world.officer_a and plan.closed_at == frozen.at
    assert plan.next_escalation_at is None
    frozen.advance(days=30)
    assert sweep(now=frozen.at).escalated == 1  # the other step only
    assert not Escalation.objects.filter(obligation=plan).exists()
    assert Escalation.objects.get().obligation_id == discharge.pk
