"""The allowance procedure (Decree 20/2021 art. 7–8 as amended; Decree 147/2025 art. 5): the carer
applies, the commune officer checks the child against the population register, the chairman decides
within 10 working days — from the month of the decision — or refuses in writing; a change is decided
the same way, and a move stops the allowance in one commune and continues it in the next with no gap
month and no month paid twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.audit.models import AuditEvent
from haven.core import calendar, clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.entitlements import services
from haven.entitlements.amounts import RuleBook, month_of, next_month
from haven.entitlements.models import Application, Entitlement, State
from haven.entitlements.selectors import months_of
from haven.entitlements.tests.conftest import applied, at, chairman_b, decided, with_pin
from haven.population import register as population
from haven.population.register import RegisterPerson, RegisterUnavailable

pytestmark = pytest.mark.django_db

D = dt.date


def toddler(world, **kwargs):
    """Two years old today: the under-4 coefficient."""
    today = clock.today()
    return with_pin(world, born=today.replace(year=today.year - 2, day=1), **kwargs)


def clock_of(application: Application) -> Obligation:
    return Obligation.objects.get(subject_id=application.pk, rule="entitlement.decide")


def test_the_carer_applies_the_officer_checks_the_register_and_the_chairman_decides_from_that_month(world):
    child = toddler(world)
    received = clock.today() - dt.timedelta(days=2)
    application = applied(world, child, received_on=received)
    assert application.state == State.RECEIVED
    due = clock_of(application)
    assert due.responsible == world.orgs["committee_a"]
    # The 10 working days run from the day it was received, not from when it was typed in.
    assert due.due_at == calendar.add_working_days(calendar.day_start(received), 10)
    # A start is decided only on a checked PIN.
    with pytest.raises(Refused) as refused:
        services.application_decide(
            actor=world.chairman_a,
            application=application,
            decision_number="15/QĐ-UBND",
            decided_on=clock.today(),
        )
    assert refused.value.code == "not_checked"
    services.application_verify(actor=world.officer_a, application=application)
    services.application_decide(
        actor=world.chairman_a,
        application=application,
        decision_number="15/QĐ-UBND",
        decided_on=clock.today(),
    )
    application.refresh_from_db()
    assert (application.state, application.effective_month) == (State.DECIDED, month_of(clock.today()))
    period = Entitlement.objects.get(child=child)
    assert (period.from_month, period.until_month, period.commune) == (
        month_of(clock.today()),
        None,
        world.commune_a,
    )
    assert clock_of(application).status == Status.MET
    assert [s.action for s in application.steps.all()] == ["apply", "verify", "decide"]
    assert {"entitlement.apply", "entitlement.verify", "entitlement.decide"} <= set(
        AuditEvent.objects.filter(object_id=str(application.pk)).values_list("action", flat=True)
    )
    # What it pays this month is computed: 500,000 × 2.5.
    month = months_of(child, [period], RuleBook.load(), until=month_of(clock.today()))
    assert [m.amount.amount for m in month] == [1_250_000]


def test_a_decision_dated_before_its_application_is_refused_and_changes_nothing(world):
    child = toddler(world)
    application = applied(world, child)
    services.application_verify(actor=world.officer_a, application=application)
    with pytest.raises(ValidationError) as refused:
        services.application_decide(
            actor=world.chairman_a,
            application=application,
            decision_number="15/QĐ-UBND",
            decided_on=clock.today() - dt.timedelta(days=1),
        )
    assert "decided_on" in refused.value.error_dict
    application.refresh_from_db()
    assert application.state == State.VERIFIED and not Entitlement.objects.exists()
    with pytest.raises(ValidationError) as missing:
        services.application_decide(
            actor=world.chairman_a, application=application, decision_number=" ", decided_on=clock.today()
        )
    assert "decision_number" in missing.value.error_dict


def test_a_refusal_is_written_with_its_reasons_and_stops_the_clock(world):
    child = toddler(world)
    application = applied(world, child)
    with pytest.raises(ValidationError):
        services.application_refuse(
            actor=world.chairman_a, application=application, decided_on=clock.today(), reasons=""
        )
    services.application_refuse(
        actor=world.chairman_a,
        application=application,
        decided_on=clock.today(),
        reasons="Trẻ đang được gia đình bác ruột nuôi dưỡng, có nguồn nuôi dưỡng.",
    )
    application.refresh_from_db()
    assert application.state == State.REFUSED and application.refusal_reasons.startswith("Trẻ")
    assert clock_of(application).status == Status.MET
    assert not Entitlement.objects.exists()


def test_only_the_commune_s_chairman_decides_and_other_communes_see_nothing(world):
    child = toddler(world)
    application = applied(world, child)
    services.application_verify(actor=world.officer_a, application=application)
    decision = {"decision_number": "15/QĐ-UBND", "decided_on": clock.today()}
    with pytest.raises(Refused) as refused:
        services.application_decide(actor=world.officer_a, application=application, **decision)
    assert refused.value.code == "not_your_step"
    for outsider in (world.officer_b, world.facility_director, world.provincial_other):
        with pytest.raises(NotVisible):
            services.application_decide(actor=outsider, application=application, **decision)
    # The province sees its communes' applications; its department decides only where it stands in.
    assert Application.objects.visible_to(world.provincial).filter(pk=application.pk).exists()
    with pytest.raises(Refused):
        services.application_decide(actor=world.provincial, application=application, **decision)
    assert not Application.objects.visible_to(world.officer_b).exists()


def test_the_register_down_or_disagreeing_refuses_the_check_and_changes_nothing(world, monkeypatch):
    child = toddler(world)
    application = applied(world, child)

    class Down:
        def person(self, pin):
            raise RegisterUnavailable("timed out")

    class Other:
        def person(self, pin):
            return RegisterPerson(
                id="P1",
                pin=pin,
                family_name=child.family_name,
                middle_name=child.middle_name,
                given_name=child.given_name,
                sex=child.sex,
                date_of_birth=child.date_of_birth - dt.timedelta(days=400),
            )

    for register, code in ((Down(), "register_unavailable"), (Other(), "register_differs")):
        monkeypatch.setattr(population, "register", lambda register=register: register)
        with pytest.raises(Refused) as refused:
            services.application_verify(actor=world.officer_a, application=application)
        assert refused.value.code == code
        application.refresh_from_db()
        assert application.state == State.RECEIVED and application.pin_checked_at is None
    nameless = with_pin(world, born=D(2023, 1, 1))
    nameless.pin_encrypted = ""
    nameless.save()
    monkeypatch.undo()
    with pytest.raises(Refused) as refused:
        services.application_verify(actor=world.officer_a, application=applied(world, nameless))
    assert refused.value.code == "no_pin"


def test_the_decide_clock_escalates_when_the_chairman_is_late(world):
    application = applied(world, toddler(world))
    sweep(now=clock_of(application).due_at + dt.timedelta(days=2))
    assert clock_of(application).escalation_level >= 1


def test_no_second_application_while_one_is_open_nor_a_start_while_paid(world):
    child = toddler(world)
    applied(world, child)
    with pytest.raises(Refused) as refused:
        applied(world, child)
    assert refused.value.code == "already_open"
    other = toddler(world)
    decided(world, other)
    with pytest.raises(Refused) as paid:
        applied(world, other)
    assert paid.value.code == "already_paid"


def test_an_adjustment_ends_one_period_and_opens_the_next_in_the_same_month(world):
    child = toddler(world)
    first = month_of(clock.today())
    period = decided(world, child)
    with pytest.raises(ValidationError) as unchanged:
        services.entitlement_change(
            actor=world.officer_a,
            entitlement=period,
            kind="adjust",
            received_on=clock.today(),
            effective_month=next_month(first),
            reason="Xác minh lại",
        )
    assert unchanged.value.error_dict["ground"][0].code == "unchanged"
    change = services.entitlement_change(
        actor=world.officer_a,
        entitlement=period,
        kind="adjust",
        received_on=clock.today(),
        effective_month=next_month(first),
        ground="orphan",
        reason="Xác định được cha mẹ đã chết",
    )
    services.application_decide(
        actor=world.chairman_a, application=change, decision_number="20/QĐ-UBND", decided_on=clock.today()
    )
    old, new = Entitlement.objects.filter(child=child).order_by("from_month")
    assert old.until_month == new.from_month == next_month(first)
    assert (new.ground, new.decision, old.ended_by) == ("orphan", change, change)


def test_a_move_stops_in_one_commune_and_continues_in_the_next_with_no_gap_and_no_double_month(world):
    chairman = chairman_b(world)
    child = with_pin(world, born=D(2023, 2, 1))
    period = decided(world, child, on=D(2025, 8, 12))  # paid from August 2025 by commune A
    # The child moves to commune B on 20 October 2025; commune A stops from November.
    with at(D(2025, 10, 22)):
        stop = services.entitlement_move(
            actor=world.officer_a,
            entitlement=period,
            moved_to=world.commune_b,
            moved_on=D(2025, 10, 20),
            received_on=D(2025, 10, 22),
        )
        assert stop.effective_month == D(2025, 11, 1)
        services.application_decide(
            actor=world.chairman_a, application=stop, decision_number="31/QĐ-UBND", decided_on=D(2025, 10, 22)
        )
    # Haven proposes the continuation to commune B, which decides only in January.
    proposal = Application.objects.get(child=child, commune=world.commune_b)
    assert (proposal.state, proposal.kind, proposal.effective_month) == (
        State.PROPOSED,
        "continue",
        D(2025, 11, 1),
    )
    with at(D(2026, 1, 6)):
        services.application_take_up(actor=world.officer_b, application=proposal, received_on=D(2026, 1, 6))
        services.application_verify(actor=world.officer_b, application=proposal)
        services.application_decide(
            actor=chairman, application=proposal, decision_number="02/QĐ-UBND", decided_on=D(2026, 1, 6)
        )
    old, new = Entitlement.objects.filter(child=child).order_by("from_month")
    assert (old.commune, new.commune) == (world.commune_a, world.commune_b)
    assert old.until_month == new.from_month == D(2025, 11, 1)  # stop in one, start in the next
    paid = [m.amount.month for m in months_of(child, [old, new], RuleBook.load(), until=D(2026, 1, 1))]
    assert sorted(paid) == [D(2025, m, 1) for m in (8, 9, 10, 11, 12)] + [D(2026, 1, 1)]
    assert len(paid) == len(set(paid))  # no month twice
    assert [m.period.commune for m in months_of(child, [old, new], RuleBook.load(), until=D(2026, 1, 1))][
        :3
    ] == [world.commune_b] * 3


def test_a_second_commune_cannot_start_an_allowance_the_first_still_pays(world):
    child = with_pin(world, born=D(2023, 2, 1))
    decided(world, child, on=D(2025, 8, 12))
    child.current_commune = world.commune_b  # moved, but commune A has not stopped paying
    child.save()
    with at(D(2025, 9, 3)), pytest.raises(Refused) as refused:
        services.application_apply(
            actor=world.officer_b,
            child=child,
            received_on=D(2025, 9, 3),
            ground="abandoned",
            care_situation="community",
            applicant_name="Lê Thị Thu",
        )
    assert refused.value.code == "already_paid"
