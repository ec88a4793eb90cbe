"""No found child's case that no one can move: whoever the case is routed to takes its steps, a child on
a hospital hold leaves the hospital after the discharge, and a handover nobody answered can be
withdrawn.

Refused: a provincial officer (or the Ministry) on a commune whose People's Committee is in Haven — the
committee takes its steps; the hospital moving its own child on, or anyone moving a child the doctors
have not discharged; anyone but the commune (or the body standing in for it) withdrawing a handover,
or withdrawing one already answered. A refusal gives its reason and changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.selectors import tasks_for
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, Handover, HandoverStatus, State
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report
from haven.notifications.models import Notification


def rule_status(case, rule: str) -> list[str]:
    return list(
        Obligation.objects.filter(subject_id=case.pk, rule=rule)
        .order_by("opened_at")
        .values_list("status", flat=True)
    )


def commune_not_in_haven(world):
    """A commune of Hà Nội with no People's Committee in Haven (only A and B have one)."""
    return world.hanoi.communes().exclude(pk__in=[world.commune_a.pk, world.commune_b.pk]).order_by("code")[0]


def found_in(world, frozen, commune) -> FoundlingCase:
    return services.foundling_report(
        actor=world.hotline,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=commune,
        found_place="Chợ đầu mối",
        sex="female",
        estimated_age_days=5,
        condition="Trẻ sơ sinh, khỏe",
    )


# --- 1. The province stands in for a commune not yet in Haven (Decree 123/2015 art. 14) ---------------


def test_the_provincial_department_takes_the_steps_of_a_commune_not_yet_in_haven(world, frozen, client):
    case = found_in(world, frozen, commune_not_in_haven(world))
    # The case and its clocks go to the Department of Health, which stands in for the commune...
    assert case.responsible == world.orgs["health_hanoi"]
    province = ApiClient(world.provincial)
    # ...and its officer sees the next step on the page and takes it, there and through the API.
    client.force_login(world.provincial)
    assert f"/foundlings/{case.pk}/acknowledge/" in client.get(f"/foundlings/{case.pk}/").content.decode()
    answer = province.post(f"/foundlings/{case.pk}/acknowledge")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "acknowledged" and "decide_temporary_care" in answer.json()["actions"]
    assert (
        province.post(
            f"/foundlings/{case.pk}/screen", {**VITALS_API, "screened_at": frozen.at.isoformat()}
        ).status_code
        == 200
    )
    assert province.post(f"/foundlings/{case.pk}/record", RECORD).status_code == 200
    decided = province.post(
        f"/foundlings/{case.pk}/temporary-care",
        {"kind": "facility", "to_organisation_id": world.orgs["facility_b"].pk},
    )
    assert decided.status_code == 200 and decided.json()["state"] == "handover_pending"
    services.foundling_handover_answer(
        actor=world.facility_director, handover=case.handovers.get(), accept=True
    )
    assert province.post(f"/foundlings/{case.pk}/notice", {}).json()["state"] == "notice_period"


VITALS_API = {**{k: v for k, v in VITALS.items() if k != "temperature_c"}, "temperature_c": "36.8"}


def test_the_standing_in_department_supervises_a_registered_family_itself(world, frozen):
    case = found_in(world, frozen, commune_not_in_haven(world))
    services.foundling_acknowledge(actor=world.provincial, case=case)
    services.foundling_screen(actor=world.provincial, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.provincial, case=case, **RECORD)
    services.foundling_decide_temporary_care(
        actor=world.provincial, case=case, kind="family", family="Gia đình bà Lê Thị Hạnh, thôn 3"
    )
    case.refresh_from_db()
    # As the commune would be for a family of its own, it answers for the family: nothing to wait for.
    assert case.state == State.TEMPORARY_CARE and case.temporary_care == "family"
    assert case.responsible == world.orgs["health_hanoi"]


def test_a_provincial_officer_does_not_take_the_steps_of_a_commune_that_is_in_haven(world, frozen, client):
    case = report(world, frozen)  # found in commune A, whose committee is in Haven
    with pytest.raises(Refused) as refused:
        services.foundling_acknowledge(actor=world.provincial, case=case)
    assert refused.value.code == "not_your_step" and "14" in refused.value.message
    case.refresh_from_db()
    assert case.state == State.REPORTED and case.steps.count() == 1
    assert ApiClient(world.provincial).post(f"/foundlings/{case.pk}/acknowledge").status_code == 409
    client.force_login(world.provincial)
    page = client.get(f"/foundlings/{case.pk}/").content.decode()
    assert f"/foundlings/{case.pk}/acknowledge/" not in page


def test_the_ministry_stands_in_only_where_the_province_has_no_department_in_haven(world, frozen):
    hanoi_case = found_in(world, frozen, commune_not_in_haven(world))
    ministry = ApiClient(world.ministry)
    refused = ministry.post(f"/foundlings/{hanoi_case.pk}/acknowledge")
    assert refused.status_code == 409 and world.orgs["health_hanoi"].name in refused.json()["message"]
    # A province with no Department of Health in Haven: the Ministry answers and acts.
    lone = (
        type(world.hanoi)
        .objects.provinces()
        .exclude(pk__in=[world.hanoi.pk, world.other_province.pk])
        .order_by("code")[0]
    )
    case = found_in(world, frozen, lone.communes().order_by("code")[0])
    assert case.responsible == world.orgs["ministry"]
    assert ministry.post(f"/foundlings/{case.pk}/acknowledge").json()["state"] == "acknowledged"


# --- 2. A hospital hold ends with the discharge (Notice 432-TB/VPTW §2, the Từ Dũ lesson) ------------


@pytest.fixture
def on_hold(world, frozen):
    """A child reported by the hospital of commune A and kept there on a hospital hold."""
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    hold = services.foundling_decide_temporary_care(
        actor=world.officer_a,
        case=case,
        kind="hospital_hold",
        to_organisation=world.orgs["hospital_a"],
        reason="Trẻ sinh non, cần theo dõi tại khoa sơ sinh",
    )
    services.foundling_handover_answer(actor=world.hospital_sw, handover=hold, accept=True)
    case.refresh_from_db()
    assert case.state == State.TEMPORARY_CARE and case.temporary_care == "hospital_hold"
    return case


def test_after_the_discharge_the_commune_moves_the_child_to_a_facility_which_accepts(world, frozen, on_hold):
    case = on_hold
    with pytest.raises(Refused) as refused:
        services.foundling_move_after_discharge(
            actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
        )
    assert refused.value.code == "not_discharged"
    services.foundling_discharge(actor=world.hospital_sw, case=case, discharged_at=frozen.at)
    services.foundling_post_notice(actor=world.officer_a, case=case)
    with pytest.raises(Refused):  # the hospital does not pass the child on by itself
        services.foundling_move_after_discharge(
            actor=world.hospital_sw, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
        )
    move = services.foundling_move_after_discharge(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    case.refresh_from_db()
    # Nobody passes a child on without someone accepting: until then the hospital still holds the child,
    # and the notice runs on.
    assert case.state == State.NOTICE_PERIOD and case.responsible == world.orgs["hospital_a"]
    assert Notification.objects.filter(
        organisation=world.orgs["facility_b"], kind="foundling.move_after_discharge"
    ).exists()
    tasks = tasks_for(user=world.facility_director)
    assert "foundling.handover_answer" in {
        o.rule for o in (*tasks.overdue, *tasks.today, *tasks.week, *tasks.later)
    }
    services.foundling_handover_answer(actor=world.facility_director, handover=move, accept=True)
    case.refresh_from_db()
    assert case.state == State.NOTICE_PERIOD and case.responsible == world.orgs["facility_b"]
    assert case.temporary_care == "facility"
    assert rule_status(case, "foundling.hospital_discharge") == [Status.MET]
    assert rule_status(case, "foundling.notice_period") == [Status.OPEN]
    with pytest.raises(NotVisible):  # the hospital no longer holds the child
        services.foundling_discharge(actor=world.hospital_sw, case=case, discharged_at=frozen.at)


def test_a_refused_move_leaves_the_child_at_the_hospital_with_its_clock_running(world, frozen, on_hold):
    case = on_hold
    services.foundling_discharge(actor=world.hospital_sw, case=case, discharged_at=frozen.at)
    api = ApiClient(world.officer_a)
    moved = api.post(
        f"/foundlings/{case.pk}/move-after-discharge",
        {"kind": "facility", "to_organisation_id": world.orgs["facility_b"].pk},
    )
    assert moved.status_code == 200 and moved.json()["state"] == "temporary_care"
    handover = moved.json()["pending_handover"]
    assert handover["to_organisation"]["id"] == world.orgs["facility_b"].pk
    refused = ApiClient(world.facility_director).post(
        f"/foundlings/{case.pk}/handovers/{handover['id']}/answer", {"accept": False, "reason": "Hết chỗ"}
    )
    assert refused.status_code == 204
    case.refresh_from_db()
    assert case.responsible == world.orgs["hospital_a"] and case.temporary_care == "hospital_hold"
    assert rule_status(case, "foundling.hospital_discharge") == [Status.OPEN]
    assert "move_after_discharge" in api.get(f"/foundlings/{case.pk}").json()["actions"]


def test_a_hospital_hold_is_not_a_place_to_move_to_after_the_discharge(world, frozen, on_hold):
    services.foundling_discharge(actor=world.hospital_sw, case=on_hold, discharged_at=frozen.at)
    answer = ApiClient(world.officer_a).post(
        f"/foundlings/{on_hold.pk}/move-after-discharge",
        {"kind": "hospital_hold", "to_organisation_id": world.orgs["hospital_a"].pk},
    )
    assert answer.status_code == 422
    assert not on_hold.handovers.filter(status=HandoverStatus.PENDING).exists()


def test_the_move_is_a_page_the_commune_finds_on_the_case(world, frozen, client, on_hold):
    services.foundling_discharge(actor=world.hospital_sw, case=on_hold, discharged_at=frozen.at)
    client.force_login(world.officer_a)
    url = f"/foundlings/{on_hold.pk}/move_after_discharge/"
    assert url in client.get(f"/foundlings/{on_hold.pk}/").content.decode()
    posted = client.post(url, {"kind": "facility", "to_organisation": world.orgs["facility_b"].pk})
    assert posted.status_code == 302
    client.force_login(world.facility_director)
    client.post(f"/foundlings/{on_hold.pk}/answer_handover/", {"accept": "1"})
    on_hold.refresh_from_db()
    assert on_hold.responsible == world.orgs["facility_b"]


# --- 3. A handover nobody answered can be withdrawn ------------------------------------------------


@pytest.fixture
def pending(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    case.refresh_from_db()
    return case


def test_the_commune_withdraws_an_unanswered_handover_and_the_receiver_is_told(world, frozen, pending):
    case = pending
    handover = case.handovers.get()
    with pytest.raises(Refused):  # the sender's hospital does not withdraw the commune's decision
        services.foundling_handover_withdraw(actor=world.hospital_sw, handover=handover, reason="Nhầm")
    with pytest.raises(ValidationError):  # the reason is required
        services.foundling_handover_withdraw(actor=world.officer_a, handover=handover, reason="  ")
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING
    services.foundling_handover_withdraw(
        actor=world.officer_a, handover=handover, reason="Đã tìm được gia đình chăm sóc thay thế"
    )
    case.refresh_from_db()
    handover.refresh_from_db()
    # Back to the state before the handover, the receiver's task ended, the commune's clock running again.
    assert case.state == State.ACKNOWLEDGED and case.responsible == world.orgs["hospital_a"]
    assert handover.status == HandoverStatus.WITHDRAWN and handover.reason.startswith("Đã tìm")
    assert rule_status(case, "foundling.handover_answer") == [Status.CANCELLED]
    assert rule_status(case, "foundling.temporary_care") == [Status.MET, Status.OPEN]
    told = Notification.objects.get(organisation=world.orgs["facility_b"], kind="foundling.withdraw_handover")
    assert told.link == f"/foundlings/{case.pk}/answer_handover/"
    event = AuditEvent.objects.get(action="foundling.withdraw_handover")
    assert event.actor == world.officer_a and event.data["handover"] == handover.pk
    # Nothing is left for the facility to answer.
    with pytest.raises(Refused):
        services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)


def test_an_answered_handover_is_not_withdrawn(world, frozen, pending):
    handover = pending.handovers.get()
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    answer = ApiClient(world.officer_a).post(
        f"/foundlings/{pending.pk}/handovers/{handover.pk}/withdraw", {"reason": "Nhầm cơ sở"}
    )
    assert answer.status_code == 409
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.ACCEPTED


def test_the_withdrawal_through_the_api_and_the_page(world, frozen, client, pending):
    handover = pending.handovers.get()
    api = ApiClient(world.officer_a)
    assert "withdraw_handover" in api.get(f"/foundlings/{pending.pk}").json()["actions"]
    assert (
        api.post(f"/foundlings/{pending.pk}/handovers/{handover.pk}/withdraw", {"reason": ""}).status_code
        == 422
    )
    withdrawn = api.post(
        f"/foundlings/{pending.pk}/handovers/{handover.pk}/withdraw", {"reason": "Nhầm cơ sở"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "acknowledged"
    # Through the page, a second handover withdrawn the same way.
    services.foundling_decide_temporary_care(
        actor=world.officer_a, case=pending, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    client.force_login(world.officer_a)
    url = f"/foundlings/{pending.pk}/withdraw_handover/"
    assert url in client.get(f"/foundlings/{pending.pk}/").content.decode()
    assert client.post(url, {"reason": "Cơ sở ở quá xa"}).status_code == 302
    assert Handover.objects.filter(case=pending, status=HandoverStatus.WITHDRAWN).count() == 2
    client.force_login(world.facility_director)
    page = client.get(f"/foundlings/{pending.pk}/answer_handover/").content.decode()
    assert "Cơ sở ở quá xa" in page


def test_a_move_out_of_hospital_not_yet_answered_can_be_withdrawn_too(world, frozen, on_hold):
    services.foundling_discharge(actor=world.hospital_sw, case=on_hold, discharged_at=frozen.at)
    move = services.foundling_move_after_discharge(
        actor=world.officer_a, case=on_hold, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_withdraw(
        actor=world.officer_a, handover=move, reason="Gia đình họ hàng đến nhận"
    )
    on_hold.refresh_from_db()
    assert on_hold.state == State.TEMPORARY_CARE and on_hold.responsible == world.orgs["hospital_a"]
    assert rule_status(on_hold, "foundling.handover_answer")[-1] == Status.CANCELLED
    assert rule_status(on_hold, "foundling.hospital_discharge") == [Status.OPEN]
