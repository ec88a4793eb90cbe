"""The temporary separation's end is on the deadline engine (Decree 56/2017 art. 32: at most 15 days
unless a decision of the competent authority extends it): one clock, due at the separation's own end,
moved when a decision extends it, met when it ends, escalating when it passes."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.deadlines.models import Escalation, Obligation, Status
from haven.deadlines.sweep import sweep
from haven.protection import services
from haven.protection.tests.test_case import LOW, report

CLOCK = "protection.separation_review"


def separated(world, frozen, days: int = 5, **extra):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "x", "emergency": True}
    )
    services.protection_emergency(
        actor=world.chairman_a,
        case=case,
        measures="Đưa trẻ đến nhà bà ngoại",
        separate=True,
        shelter="Nhà bà ngoại, tổ 2",
        separation_days=days,
        **extra,
    )
    return case


def clock_of(case) -> Obligation:
    return Obligation.objects.get(rule=CLOCK, subject_id=case.pk)


def test_a_five_day_separation_is_due_at_its_own_end_not_on_day_12(world, frozen):
    case = separated(world, frozen, days=5)
    ends = case.separations.get().ends_at
    assert ends == frozen.at + dt.timedelta(days=5)
    assert clock_of(case).due_at == ends and clock_of(case).status == Status.OPEN


def test_a_separation_that_passes_its_end_escalates(world, frozen):
    case = separated(world, frozen, days=5)
    ends = case.separations.get().ends_at
    escalations = Escalation.objects.filter(obligation=clock_of(case))
    sweep(now=ends - dt.timedelta(minutes=1))
    assert not escalations.exists()
    sweep(now=ends)
    assert list(escalations.values_list("level", flat=True)) == [1]


def test_ending_the_separation_meets_its_clock(world, frozen):
    case = separated(world, frozen, days=5)
    frozen.advance(days=3)
    services.protection_end_separation(actor=world.officer_a, case=case, reason="Gia đình an toàn")
    assert clock_of(case).status == Status.MET
    sweep(now=frozen.at + dt.timedelta(days=30))
    assert not Escalation.objects.filter(obligation=clock_of(case)).exists()


def test_an_extension_moves_the_clock_to_the_new_end(world, frozen):
    case = separated(world, frozen, days=15)
    first_end = case.separations.get().ends_at
    frozen.advance(days=13)
    separation = services.protection_extend_separation(
        actor=world.chairman_a, case=case, days=10, decision="25/QĐ-UBND"
    )
    assert separation.ends_at == first_end + dt.timedelta(days=10)
    assert separation.extension_decision == "25/QĐ-UBND"
    assert clock_of(case).due_at == separation.ends_at
    # The old end passes without an escalation; the new one does not.
    escalations = Escalation.objects.filter(obligation=clock_of(case))
    sweep(now=first_end + dt.timedelta(days=1))
    assert not escalations.exists()
    sweep(now=separation.ends_at)
    assert list(escalations.values_list("level", flat=True)) == [1]
    step = case.steps.get(action="extend_separation")
    assert (step.actor, step.note, step.to_state) == (world.chairman_a, "25/QĐ-UBND", case.state)
    event = AuditEvent.objects.get(action="protection.extend_separation")
    assert event.data["days"] == 10 and event.actor == world.chairman_a


def test_an_extension_after_the_end_passed_counts_the_next_rung_from_the_new_end(world, frozen):
    case = separated(world, frozen, days=5)
    ends = case.separations.get().ends_at
    sweep(now=ends)
    frozen.at = ends + dt.timedelta(hours=2)
    services.protection_extend_separation(actor=world.chairman_a, case=case, days=7, decision="30/QĐ-UBND")
    clock = clock_of(case)
    assert (clock.escalation_level, clock.next_escalation_at) == (1, ends + dt.timedelta(days=7))
    sweep(now=ends + dt.timedelta(days=6))
    assert list(Escalation.objects.filter(obligation=clock).values_list("level", flat=True)) == [1]


def test_an_extension_needs_a_decision_and_a_separated_child(world, frozen):
    case = separated(world, frozen, days=5)
    ends = case.separations.get().ends_at
    with pytest.raises(ValidationError) as no_decision:
        services.protection_extend_separation(actor=world.chairman_a, case=case, days=10, decision=" ")
    assert no_decision.value.error_dict["decision"][0].code == "required"
    with pytest.raises(ValidationError):
        services.protection_extend_separation(actor=world.chairman_a, case=case, days=0, decision="1/QĐ")
    assert case.separations.get().ends_at == ends == clock_of(case).due_at
    with pytest.raises(Refused) as police:
        services.protection_extend_separation(actor=world.police_a, case=case, days=10, decision="1/QĐ")
    assert police.value.code == "not_your_step"
    services.protection_end_separation(actor=world.officer_a, case=case, reason="Gia đình an toàn")
    with pytest.raises(Refused) as ended:
        services.protection_extend_separation(actor=world.chairman_a, case=case, days=10, decision="1/QĐ")
    assert ended.value.code == "out_of_order"


def test_the_migration_moves_open_day_12_clocks_to_the_separations_end(world, frozen):
    case = separated(world, frozen, days=5)
    clock = clock_of(case)
    # As the old rule left it: day 12, whatever the separation's length.
    Obligation.objects.filter(pk=clock.pk).update(
        due_at=frozen.at + dt.timedelta(days=12), next_escalation_at=frozen.at + dt.timedelta(days=12)
    )
    migration = importlib.import_module("haven.protection.migrations.0005_separation_clock_at_its_end")
    migration.forwards(apps, None)
    clock.refresh_from_db()
    assert clock.due_at == clock.next_escalation_at == case.separations.get().ends_at
