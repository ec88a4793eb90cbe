"""A found child, from the report to a placement, by the right people, on the deadline engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from haven.access.scoping import NotVisible
from haven.audit.services import verify
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, State

VITALS = {
    "temperature_c": Decimal("36.8"),
    "heart_rate": 140,
    "respiratory_rate": 45,
    "weight_grams": 2900,
    "estimated_age_days": 3,
    "findings": "Trẻ sơ sinh khỏe, dây rốn đã cắt",
    "referrals": "",
}
RECORD = {
    "drafter_title": "Chủ tịch UBND phường",
    "drawn_up_place": "Trụ sở UBND phường",
    "physique": "Bé trai, da hồng, nặng khoảng 3 kg",
    "health": "Bình thường",
    "belongings": "Một chăn màu xanh, một bình sữa",
    "finder_name": "Trần Văn Hậu",
    "finder_id_document": "CCCD 001089012345",
    "finder_address": "Số 5 ngõ 12, Phường Ba Đình",
}


def report(world, frozen, actor=None) -> FoundlingCase:
    return services.foundling_report(
        actor=actor or world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="male",
        estimated_age_days=3,
        condition="Trẻ sơ sinh, khóc to",
        belongings="Chăn xanh",
    )


def open_rules(case) -> set[str]:
    return set(
        Obligation.objects.filter(subject_id=case.pk, status=Status.OPEN).values_list("rule", flat=True)
    )


def test_the_whole_journey_from_report_to_placement(world, frozen, django_capture_on_commit_callbacks):
    case = report(world, frozen)
    assert case.state == State.REPORTED and case.responsible == world.orgs["hospital_a"]
    assert open_rules(case) == {"foundling.acknowledge", "foundling.screen"}

    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    assert open_rules(case) == {"foundling.temporary_care"}

    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    case.refresh_from_db()
    assert case.state == State.HANDOVER_PENDING and case.responsible == world.orgs["hospital_a"]
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    case.refresh_from_db()
    assert case.state == State.TEMPORARY_CARE and case.responsible == world.orgs["facility_b"]

    services.foundling_post_notice(actor=world.officer_a, case=case)
    frozen.advance(days=7, minutes=1)
    assert sweep(now=frozen.at).fired == 1
    case.refresh_from_db()
    assert case.state == State.NOTICE_EXPIRED and open_rules(case) == {"foundling.register_birth"}

    with django_capture_on_commit_callbacks(execute=True):
        services.foundling_register_birth(
            actor=world.civil_status_a, case=case, family_name="Nguyễn", middle_name="Minh", given_name="An"
        )
    case.refresh_from_db()
    child = case.child
    assert child.full_name == "Nguyễn Minh An" and len(child.pin) == 12 and child.pin.startswith("0012")
    assert case.birth_registration.annotation == "Trẻ bị bỏ rơi"
    assert child.date_of_birth.day == frozen.at.date().day or child.date_of_birth_estimated

    services.foundling_record_paper(
        actor=world.facility_director,
        case=case,
        paper="health_insurance",
        health_insurance_number="TE1010123456789",
        health_insurance_from=frozen.at.date(),
    )
    services.foundling_record_paper(
        actor=world.facility_director, case=case, paper="residence", residence_registered_on=frozen.at.date()
    )
    services.foundling_record_paper(
        actor=world.chairman_a,
        case=case,
        paper="allowance",
        allowance_decision="15/QĐ-UBND",
        allowance_from=frozen.at.date(),
        allowance_monthly_vnd=1_250_000,
    )
    case.refresh_from_db()
    assert case.state == State.BENEFITS_ENROLLED and open_rules(case) == {"foundling.care_plan"}

    services.foundling_plan_care(actor=world.officer_a, case=case, note="Tìm gia đình nhận chăm sóc thay thế")
    services.foundling_place(
        actor=world.officer_a, case=case, placement="foster", detail="Gia đình bà Lê Thị Hạnh"
    )
    case.refresh_from_db()
    # The child's six-monthly review runs on the family placement (care.monitoring), not on the case
    # as well: one clock for one duty (docs/decisions/0012). The health-insurance card recorded among
    # the papers is the child's entitlement too, with its renewal clock years ahead.
    assert case.state == State.PLACED and open_rules(case) == set()
    assert set(
        Obligation.objects.filter(child=case.child, status=Status.OPEN).values_list("rule", flat=True)
    ) == {"care.monitoring", "entitlement.health_card"}
    assert [s.action for s in case.steps.all()][:4] == ["report", "acknowledge", "screen", "record"]
    assert verify().ok


def test_a_step_out_of_order_is_refused_and_changes_nothing(world, frozen):
    case = report(world, frozen)
    with pytest.raises(Refused) as refused:
        services.foundling_post_notice(actor=world.officer_a, case=case)
    assert refused.value.code == "out_of_order"
    case.refresh_from_db()
    assert case.state == State.REPORTED and case.steps.count() == 1


def test_temporary_care_needs_the_screening_and_the_discovery_record(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    with pytest.raises(Refused) as refused:
        services.foundling_decide_temporary_care(
            actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
        )
    assert refused.value.code == "screening_missing"


def test_a_handover_to_an_organisation_that_cannot_receive_is_refused(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.foundling_decide_temporary_care(
            actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["school_a"]
        )
    case.refresh_from_db()
    assert case.state == State.ACKNOWLEDGED


def test_a_refused_handover_leaves_the_child_with_the_sender_and_escalates(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    # Only the receiving organisation answers.
    with pytest.raises(NotVisible):
        services.foundling_handover_answer(actor=world.officer_b, handover=handover, accept=True)
    services.foundling_handover_answer(
        actor=world.facility_director, handover=handover, accept=False, reason="Hết chỗ"
    )
    case.refresh_from_db()
    assert case.state == State.ACKNOWLEDGED and case.responsible == world.orgs["hospital_a"]
    frozen.advance(hours=25)
    assert sweep(now=frozen.at).escalated >= 1
    overdue = Obligation.objects.get(subject_id=case.pk, rule="foundling.temporary_care", status=Status.OPEN)
    assert overdue.escalation_level == 1


def test_an_unanswered_handover_escalates(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    frozen.advance(hours=13)
    sweep(now=frozen.at)
    waiting = Obligation.objects.get(subject_id=case.pk, rule="foundling.handover_answer")
    assert waiting.escalation_level == 1 and waiting.responsible == world.orgs["facility_b"]


def test_a_member_of_the_public_reports_without_an_account(world, frozen):
    case = services.foundling_report(
        actor=None,
        found_at=frozen.at,
        found_commune=world.commune_b,
        found_place="Chợ phường",
        sex="female",
        condition="Khoảng 1 tháng tuổi",
    )
    assert case.channel == "public" and case.responsible == world.orgs["committee_b"]
    assert case.reported_by is None


def test_the_child_older_than_7_must_be_heard_before_placement(world, frozen):
    from haven.foundlings.models import State as S

    case = report(world, frozen)
    case.state = S.CARE_PLANNING
    case.save()
    case.child.date_of_birth = dt.date(2015, 1, 1)
    case.child.save()
    with pytest.raises(Refused) as refused:
        services.foundling_place(actor=world.officer_a, case=case, placement="kin", detail="Bà ngoại")
    assert refused.value.code == "child_view_missing"


def test_a_child_kept_in_hospital_3_days_after_discharge_escalates(world, frozen):
    case = report(world, frozen)
    services.foundling_discharge(actor=world.hospital_sw, case=case, discharged_at=frozen.at)
    frozen.advance(days=3, minutes=1)
    sweep(now=frozen.at)
    held = Obligation.objects.get(subject_id=case.pk, rule="foundling.hospital_discharge")
    assert held.escalation_level == 1 and held.responsible == world.orgs["committee_a"]


def test_moving_the_child_out_of_hospital_stops_the_discharge_clock(world, frozen):
    case = report(world, frozen)
    services.foundling_discharge(actor=world.hospital_sw, case=case, discharged_at=frozen.at)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    assert "foundling.hospital_discharge" not in open_rules(case)
    # The hospital no longer holds the child, so no longer sees the record.
    from haven.people.models import Child

    assert not Child.objects.visible_to(world.hospital_sw).filter(pk=case.child_id).exists()


def test_a_second_report_of_the_same_child_is_flagged_never_merged(world, frozen):
    from haven.foundlings.models import PossibleDuplicate

    first = report(world, frozen)
    second = services.foundling_report(
        actor=None,
        found_at=frozen.at,
        found_commune=world.commune_b,
        found_place="Gần bệnh viện",
        sex="male",
        estimated_age_days=4,
        condition="Trẻ sơ sinh",
    )
    pair = PossibleDuplicate.objects.get(case=second)
    assert pair.other == first and FoundlingCase.objects.count() == 2
    services.duplicate_decide(actor=world.officer_b, pair=pair, same_child=True)
    second.refresh_from_db()
    assert second.state == State.DUPLICATE and second.closed_at is not None
    assert not Obligation.objects.filter(subject_id=second.pk, status=Status.OPEN).exists()
    first.refresh_from_db()
    assert first.state == State.REPORTED  # the first report is untouched


def test_reports_days_apart_or_of_another_sex_are_not_flagged(world, frozen):
    from haven.foundlings.models import PossibleDuplicate

    report(world, frozen)
    services.foundling_report(
        actor=None,
        found_at=frozen.at,
        found_commune=world.commune_b,
        found_place="x",
        sex="female",
        estimated_age_days=3,
        condition="x",
    )
    services.foundling_report(
        actor=None,
        found_at=frozen.at - dt.timedelta(days=5),
        found_commune=world.commune_b,
        found_place="x",
        sex="male",
        estimated_age_days=3,
        condition="x",
    )
    assert not PossibleDuplicate.objects.exists()


def test_the_birth_date_of_an_unknown_birthday_is_the_day_found_with_an_estimated_year(world, frozen):
    case = report(world, frozen)
    case.estimated_age_days = 400
    born, estimated = services._birth_details(case, None)
    found = clock.localdate(case.found_at)  # the day found, in Vietnam
    assert estimated
    assert (born.month, born.day) == (found.month, found.day) or (found.month, found.day) == (2, 29)
    assert born.year == found.year - 1  # 400 days old: born the year before


def test_a_hospital_hold_is_accepted_by_the_hospital_itself(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a,
        case=case,
        kind="hospital_hold",
        to_organisation=world.orgs["hospital_a"],
        reason="Trẻ cần theo dõi vàng da",
    )
    case.refresh_from_db()
    assert case.state == State.HANDOVER_PENDING
    services.foundling_handover_answer(actor=world.hospital_sw, handover=handover, accept=True)
    case.refresh_from_db()
    assert case.state == State.TEMPORARY_CARE and case.temporary_care == "hospital_hold"


def test_a_placement_settles_who_answers_for_the_child(world, frozen, django_capture_on_commit_callbacks):
    from haven.people.models import Child

    case = report(world, frozen)
    services.foundling_discharge(actor=world.hospital_sw, case=case, discharged_at=frozen.at)
    case.state = State.CARE_PLANNING
    case.save()
    services.foundling_place(actor=world.officer_a, case=case, placement="foster", detail="Gia đình bà Hạnh")
    case.refresh_from_db()
    assert case.responsible == world.orgs["committee_a"]
    assert "foundling.hospital_discharge" not in open_rules(case)
    assert not Child.objects.visible_to(world.hospital_sw).filter(pk=case.child_id).exists()
    # The decision joins the child's one care history (haven/care).
    from haven.care.models import Placement

    placement = Placement.objects.get(child_id=case.child_id)
    assert (placement.form, placement.carer_name, placement.ended_on) == ("foster", "Gia đình bà Hạnh", None)


def test_a_province_cannot_shorten_the_legal_notice_period(world):
    from haven.deadlines.rules import Unit
    from haven.deadlines.services import override_set

    with pytest.raises(Refused) as refused:
        override_set(
            actor=world.provincial,
            rule_code="foundling.notice_period",
            province=world.hanoi,
            amount=1,
            unit=Unit.CALENDAR_DAYS,
            legal_basis="QĐ 1",
        )
    assert refused.value.code == "not_overridable"


def test_a_claim_runs_on_a_12_hour_clock(world, frozen):
    case = report(world, frozen)
    case.state = State.NOTICE_PERIOD
    case.notice_posted_at = frozen.at
    case.save()
    services.foundling_claim(actor=world.officer_a, case=case, claimant="Bà Lê Thị Nga, bà ngoại")
    assert "foundling.claim_decision" in open_rules(case)
    frozen.advance(hours=13)
    sweep(now=frozen.at)
    assert Obligation.objects.get(subject_id=case.pk, rule="foundling.claim_decision").escalation_level == 1
    services.foundling_claim_decide(actor=world.officer_a, case=case, reunify=True, reason="Xác minh ADN")
    assert "foundling.claim_decision" not in open_rules(case)
