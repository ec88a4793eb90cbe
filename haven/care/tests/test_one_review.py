"""One missed review escalates once (Law on Children art. 68; Circular 14/2020 art. 13: a placed child
is reviewed every 6 months). A found child placed in care used to run two clocks for that one duty —
the case's ``foundling.review`` and the placement's ``care.review`` (or ``care.monitoring``) — and a
missed review escalated twice. The placement's clock is now the child's one clock (rule duty
``placement.review``); the case's clock gives way to it, and a review recorded on either meets it."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from haven.care import services as care
from haven.core import clock
from haven.deadlines.models import Escalation, Obligation, Status
from haven.deadlines.sweep import sweep
from haven.foundlings import services as foundlings
from haven.foundlings.models import FoundlingCase, State

REVIEW_DUTY = ("foundling.review", "care.review", "care.monitoring")


class Frozen:
    def __init__(self, monkeypatch) -> None:
        self.at = clock.real_now().replace(microsecond=0) - dt.timedelta(days=30)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **kwargs) -> dt.datetime:
        self.at += dt.timedelta(**kwargs)
        return self.at


@pytest.fixture
def frozen(monkeypatch) -> Frozen:
    return Frozen(monkeypatch)


def planned(world, frozen, on_commit) -> FoundlingCase:
    """A found child in facility_b's temporary care, with papers and a care plan: ready to be placed."""
    case = foundlings.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="male",
        estimated_age_days=3,
        condition="Trẻ sơ sinh, khóc to",
    )
    foundlings.foundling_acknowledge(actor=world.officer_a, case=case)
    foundlings.foundling_screen(
        actor=world.hospital_sw,
        case=case,
        screened_at=frozen.at,
        temperature_c=Decimal("36.8"),
        heart_rate=140,
        respiratory_rate=45,
        weight_grams=2900,
        estimated_age_days=3,
        findings="Trẻ sơ sinh khỏe",
        referrals="",
    )
    foundlings.foundling_record(
        actor=world.officer_a,
        case=case,
        drafter_title="Chủ tịch UBND phường",
        drawn_up_place="Trụ sở UBND phường",
        physique="Bé trai, nặng khoảng 3 kg",
        health="Bình thường",
        belongings="Một chăn màu xanh",
        finder_name="Trần Văn Hậu",
        finder_id_document="CCCD 001089012345",
        finder_address="Số 5 ngõ 12, Phường Ba Đình",
    )
    handover = foundlings.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    foundlings.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    case.refresh_from_db()
    foundlings.foundling_post_notice(actor=world.officer_a, case=case)
    sweep(now=frozen.advance(days=7, minutes=1))
    case.refresh_from_db()
    with on_commit(execute=True):  # the PIN is asked of the register once the birth is registered
        foundlings.foundling_register_birth(
            actor=world.civil_status_a, case=case, family_name="Nguyễn", middle_name="Minh", given_name="An"
        )
    case.refresh_from_db()
    today = clock.today()
    foundlings.foundling_record_paper(
        actor=world.facility_director,
        case=case,
        paper="health_insurance",
        health_insurance_number="TE1010123456789",
        health_insurance_from=today,
    )
    foundlings.foundling_record_paper(
        actor=world.facility_director, case=case, paper="residence", residence_registered_on=today
    )
    foundlings.foundling_record_paper(
        actor=world.chairman_a,
        case=case,
        paper="allowance",
        allowance_decision="15/QĐ-UBND",
        allowance_from=today,
        allowance_monthly_vnd=1_250_000,
    )
    foundlings.foundling_plan_care(actor=world.officer_a, case=case, note="Chăm sóc tại nhóm nhỏ")
    case.refresh_from_db()
    assert case.state == State.CARE_PLANNING
    return case


def review_clocks(child) -> list[Obligation]:
    return list(Obligation.objects.filter(child=child, rule__in=REVIEW_DUTY, status=Status.OPEN))


def placed_in_the_facility(world, frozen, site, on_commit):
    case = planned(world, frozen, on_commit)
    foundlings.foundling_place(
        actor=world.officer_a, case=case, placement="facility_group", detail="Nhóm Sơ sinh, Nhà Hoa Sen"
    )
    [case_clock] = review_clocks(case.child)
    assert case_clock.rule == "foundling.review"  # until the facility places the child in a group
    frozen.advance(days=3)
    placement = care.placement_start(
        actor=world.facility_director,
        child=case.child,
        form="facility_group",
        started_on=clock.today(),
        reason="Tiếp nhận theo quyết định của UBND phường",
        group=site.infants,
    )
    return case, placement, case_clock


def test_the_facility_placement_takes_over_the_case_clock_and_keeps_its_start(
    world, frozen, site, django_capture_on_commit_callbacks
):
    case, placement, case_clock = placed_in_the_facility(
        world, frozen, site, django_capture_on_commit_callbacks
    )
    [clock_] = review_clocks(case.child)
    assert clock_.pk == case_clock.pk  # one clock, now the placement's
    assert (clock_.rule, clock_.subject_id, clock_.responsible) == (
        "care.review",
        placement.pk,
        world.orgs["facility_b"],
    )
    # The six months run from the placement decision, not from the day the group was chosen.
    assert (clock_.opened_at, clock_.due_at) == (case_clock.opened_at, case_clock.due_at)


def test_a_missed_review_escalates_once(world, frozen, site, django_capture_on_commit_callbacks):
    case, _placement, _ = placed_in_the_facility(world, frozen, site, django_capture_on_commit_callbacks)
    [clock_] = review_clocks(case.child)
    for hours in (1, 2, 30):  # sweeps keep running
        sweep(now=clock_.due_at + dt.timedelta(hours=hours))
    first_rung = Escalation.objects.filter(
        obligation__child=case.child, obligation__rule__in=REVIEW_DUTY, level=1
    )
    assert first_rung.count() == 1


def test_a_review_recorded_on_the_case_meets_the_facility_clock_which_runs_on(
    world, frozen, site, django_capture_on_commit_callbacks
):
    case, placement, _ = placed_in_the_facility(world, frozen, site, django_capture_on_commit_callbacks)
    frozen.advance(days=150)
    foundlings.foundling_review(actor=world.officer_a, case=case, note="Trẻ phát triển tốt")
    met = Obligation.objects.get(child=case.child, rule="care.review", status=Status.MET)
    [running] = review_clocks(case.child)
    assert met.closed_at == frozen.at
    assert (running.rule, running.subject_id, running.opened_at) == ("care.review", placement.pk, frozen.at)
    # And the facility's own review meets it in turn: still one clock.
    frozen.advance(days=100)
    care.placement_review(
        actor=world.facility_director, placement=placement, note="Ổn định", needs_family=True
    )
    [after] = review_clocks(case.child)
    assert after.rule == "care.review" and after.opened_at == frozen.at


def test_a_family_placement_runs_only_the_monitoring_clock(world, frozen, django_capture_on_commit_callbacks):
    case = planned(world, frozen, django_capture_on_commit_callbacks)
    foundlings.foundling_place(
        actor=world.officer_a, case=case, placement="foster", detail="Gia đình bà Lê Thị Hạnh"
    )
    assert [o.rule for o in review_clocks(case.child)] == ["care.monitoring"]


def test_the_migration_leaves_one_clock_where_two_ran(
    world, frozen, site, django_capture_on_commit_callbacks
):
    case, _placement, _ = placed_in_the_facility(world, frozen, site, django_capture_on_commit_callbacks)
    [care_clock] = review_clocks(case.child)
    # As before: the case's own clock, running beside the facility's and already escalated once.
    earlier = care_clock.due_at - dt.timedelta(days=3)
    case_clock = Obligation.objects.create(
        rule="foundling.review",
        child=case.child,
        subject_type="foundlings.foundlingcase",
        subject_id=case.pk,
        responsible=world.orgs["committee_a"],
        opened_at=care_clock.opened_at - dt.timedelta(days=3),
        due_at=earlier,
        escalation_level=1,
        next_escalation_at=earlier + dt.timedelta(days=1),
    )
    importlib.import_module("haven.foundlings.migrations.0006_one_placement_review_clock").forwards(
        apps, None
    )
    case_clock.refresh_from_db()
    care_clock.refresh_from_db()
    assert case_clock.status == Status.CANCELLED
    assert review_clocks(case.child) == [care_clock]
    assert (care_clock.due_at, care_clock.escalation_level) == (earlier, 1)
    assert care_clock.next_escalation_at == earlier + dt.timedelta(days=1)
