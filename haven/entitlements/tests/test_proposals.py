"""Haven proposes, people decide: a found child whose birth is registered, a 4th birthday, a 16th
without studies and an adoption each produce a proposal to the commune that must act — once — and
nothing is paid until the chairman decides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from haven.care.models import CareForm, Placement, PlacementState
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.jobs import JOBS
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.entitlements import proposals, services
from haven.entitlements.amounts import RuleBook
from haven.entitlements.models import Application, Entitlement, Kind, State
from haven.entitlements.selectors import months_of
from haven.entitlements.tests.conftest import at, decided, with_pin
from haven.foundlings import services as foundlings
from haven.foundlings.models import FoundlingCase
from haven.foundlings.models import State as CaseState
from haven.notifications.models import Notification

pytestmark = pytest.mark.django_db

D = dt.date
VITALS = {
    "temperature_c": Decimal("36.8"),
    "heart_rate": 140,
    "respiratory_rate": 45,
    "weight_grams": 2900,
    "estimated_age_days": 3,
    "findings": "Trẻ sơ sinh khỏe",
    "referrals": "",
}
RECORD = {
    "drafter_title": "Chủ tịch UBND phường",
    "drawn_up_place": "Trụ sở UBND phường",
    "physique": "Bé gái, da hồng, nặng khoảng 3 kg",
    "health": "Bình thường",
    "belongings": "Một chăn màu xanh",
    "finder_name": "Trần Văn Hậu",
    "finder_id_document": "CCCD 001089012345",
    "finder_address": "Số 5 ngõ 12, Phường Ba Đình",
}


def sweep_proposals(day: dt.date) -> int:
    with at(day):
        return proposals.proposals_sweep(now=clock.now())


def found_and_registered(world, frozen, django_capture_on_commit_callbacks) -> FoundlingCase:
    """A girl found in commune A, cared for by a registered family, the notice expired, her birth
    registered and her PIN received."""
    case = foundlings.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="female",
        estimated_age_days=3,
        condition="Trẻ sơ sinh, khóc to",
    )
    foundlings.foundling_acknowledge(actor=world.officer_a, case=case)
    foundlings.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    foundlings.foundling_record(actor=world.officer_a, case=case, **RECORD)
    foundlings.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="family", family="Gia đình bà Lê Thị Hạnh, số 5 ngõ 12"
    )
    foundlings.foundling_post_notice(actor=world.officer_a, case=case)
    frozen.advance(days=7, minutes=1)
    sweep(now=frozen.at)
    with django_capture_on_commit_callbacks(execute=True):
        foundlings.foundling_register_birth(
            actor=world.civil_status_a, case=case, family_name="Nguyễn", middle_name="Thị", given_name="Bình"
        )
    case.refresh_from_db()
    assert case.state == CaseState.BIRTH_REGISTERED and case.child.pin
    return case


def test_sweep_runs_the_proposals():
    assert JOBS["allowance proposals"] is proposals.proposals_sweep


def test_a_found_child_whose_birth_is_registered_is_proposed_and_paid_only_once_the_chairman_decides(
    world, frozen, django_capture_on_commit_callbacks
):
    case = found_and_registered(world, frozen, django_capture_on_commit_callbacks)
    assert proposals.proposals_sweep(now=frozen.at) == 1
    assert proposals.proposals_sweep(now=frozen.at) == 0  # proposed once
    proposal = Application.objects.get(child=case.child)
    assert (proposal.state, proposal.kind, proposal.applied_by, proposal.commune) == (
        State.PROPOSED,
        Kind.START,
        "haven",
        world.commune_a,
    )
    assert "khai sinh" in proposals.why(proposal) or "birth" in proposals.why(proposal)
    assert (
        Obligation.objects.get(subject_id=proposal.pk, rule="entitlement.proposal").responsible
        == world.orgs["committee_a"]
    )
    assert Notification.objects.filter(
        organisation=world.orgs["committee_a"], kind="entitlement.propose"
    ).exists()
    # A proposal never pays by itself, and the chairman cannot decide it before the commune takes it up.
    assert not Entitlement.objects.exists()
    with pytest.raises(Refused):
        services.application_decide(
            actor=world.chairman_a,
            application=proposal,
            decision_number="15/QĐ-UBND",
            decided_on=frozen.at.date(),
        )
    services.application_take_up(
        actor=world.officer_a,
        application=proposal,
        received_on=frozen.at.date(),
        applicant_name="Lê Thị Hạnh",
    )
    assert Obligation.objects.get(subject_id=proposal.pk, rule="entitlement.proposal").status == Status.MET
    # A start is checked against the register before the chairman decides: the check tells the
    # chairman, not the taking up.
    assert not Notification.objects.filter(kind="entitlement.take_up").exists()
    services.application_verify(actor=world.officer_a, application=proposal)
    assert Notification.objects.filter(
        organisation=world.orgs["committee_a"], kind="entitlement.verify"
    ).exists()
    services.application_decide(
        actor=world.chairman_a,
        application=proposal,
        decision_number="15/QĐ-UBND",
        decided_on=frozen.at.date(),
    )
    # The found child's case has its allowance paper from the same decision, with the computed amount.
    case.refresh_from_db()
    assert (case.allowance_decision, case.allowance_monthly_vnd) == ("15/QĐ-UBND", 1_250_000)
    assert not Obligation.objects.filter(
        subject_id=case.pk, rule="foundling.allowance", status=Status.OPEN
    ).exists()


def test_an_adjustment_taken_up_tells_the_chairman_who_decides_it_next(world):
    child = with_pin(world, born=D(2021, 9, 15))  # 4 on 15 September 2025, so on 1 October
    decided(world, child, on=D(2025, 8, 12))
    sweep_proposals(D(2025, 9, 10))
    proposal = Application.objects.get(child=child, state=State.PROPOSED)
    with at(D(2025, 9, 12)):
        services.application_take_up(actor=world.officer_a, application=proposal, received_on=D(2025, 9, 12))
    told = Notification.objects.filter(kind="entitlement.take_up")
    assert [(n.organisation, n.link) for n in told] == [
        (world.orgs["committee_a"], f"/entitlements/applications/{proposal.pk}/")
    ]


def test_a_child_in_a_facility_is_not_proposed_the_community_allowance(
    world, frozen, django_capture_on_commit_callbacks
):
    case = found_and_registered(world, frozen, django_capture_on_commit_callbacks)
    FoundlingCase.objects.filter(pk=case.pk).update(responsible=world.orgs["facility_b"])
    assert proposals.proposals_sweep(now=frozen.at) == 0


def test_the_4th_birthday_is_proposed_as_an_adjustment_from_the_next_month(world):
    child = with_pin(world, born=D(2021, 9, 15))  # 4 on 15 September 2025, so on 1 October
    period = decided(world, child, on=D(2025, 8, 12))
    assert sweep_proposals(D(2025, 8, 20)) == 0  # September is still under 4 (3 on 1 September)
    assert sweep_proposals(D(2025, 9, 10)) == 1
    assert sweep_proposals(D(2025, 9, 11)) == 0
    proposal = Application.objects.get(child=child, state=State.PROPOSED)
    assert (proposal.kind, proposal.effective_month, proposal.entitlement) == (
        Kind.ADJUST,
        D(2025, 10, 1),
        period,
    )
    with at(D(2025, 9, 12)):
        services.application_take_up(actor=world.officer_a, application=proposal, received_on=D(2025, 9, 12))
        services.application_decide(
            actor=world.chairman_a,
            application=proposal,
            decision_number="40/QĐ-UBND",
            decided_on=D(2025, 9, 12),
        )
    periods = list(Entitlement.objects.filter(child=child).order_by("from_month"))
    assert [p.until_month for p in periods] == [D(2025, 10, 1), None]
    paid = months_of(child, periods, RuleBook.load(), until=D(2025, 10, 1))
    assert [(m.amount.month, m.amount.amount) for m in paid] == [
        (D(2025, 10, 1), 750_000),
        (D(2025, 9, 1), 1_250_000),
        (D(2025, 8, 1), 1_250_000),
    ]


def test_at_16_the_allowance_is_proposed_to_stop_unless_the_young_person_studies(world):
    leaving = with_pin(world, born=D(2009, 10, 20))  # 16 on 1 November 2025
    studying = with_pin(world, born=D(2009, 10, 21))
    decided(world, leaving, on=D(2025, 8, 12))
    period = decided(world, studying, on=D(2025, 8, 12))
    Entitlement.objects.filter(pk=period.pk).update(studying=True)
    assert sweep_proposals(D(2025, 10, 5)) == 1
    stop = Application.objects.get(state=State.PROPOSED)
    assert (stop.child, stop.kind, stop.effective_month) == (leaving, Kind.STOP, D(2025, 11, 1))
    # Set aside (the young person enrolled in vocational training): not proposed again for the same reason.
    with at(D(2025, 10, 6)):
        services.application_dismiss(
            actor=world.officer_a, application=stop, reason="Em đã nhập học trung cấp nghề"
        )
    assert sweep_proposals(D(2025, 10, 7)) == 0


def test_an_adoption_is_proposed_as_a_stop_from_the_month_after(world):
    child = with_pin(world, born=D(2022, 3, 3))
    decided(world, child, on=D(2025, 8, 12))
    Placement.objects.create(
        child=child,
        form=CareForm.ADOPTED,
        started_on=D(2025, 9, 18),
        reason="Quyết định cho nhận con nuôi",
        placed_by=world.officer_a,
        state=PlacementState.IN_FAMILY,
    )
    assert sweep_proposals(D(2025, 9, 20)) == 1
    stop = Application.objects.get(state=State.PROPOSED)
    assert (stop.kind, stop.effective_month) == (Kind.STOP, D(2025, 10, 1))
    assert "nuôi" in proposals.why(stop) or "adopted" in proposals.why(stop)
