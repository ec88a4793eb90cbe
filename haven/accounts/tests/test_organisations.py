"""Organisations and their people are created, deactivated and merged by the system administrator,
and no open work is left with a body that no longer acts: an organisation holding open cases, running
deadlines or handovers addressed to it closes only by naming who takes them over, and they move in the
same transaction, audited.

Refused: anyone but the system administrator (404, as for a page that does not exist); closing an
organisation that holds open work without a successor, or with one of another kind; closing a
facility with children placed in its small groups (only a decision on each child's care moves them,
Form 16: Law on Children art. 69); a person who follows women at risk or is assigned cases, without a
colleague taking over. Every refusal gives its reason in Vietnamese and changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from haven.access.scoping import NotVisible
from haven.accounts import services
from haven.accounts.models import ApiToken, Membership, Organisation, OrganisationKind, Role
from haven.audit.models import AuditEvent
from haven.audit.services import verify
from haven.core.errors import Refused
from haven.core.testing import OrganisationFactory, member
from haven.deadlines.models import Obligation, Status
from haven.foundlings import services as foundlings
from haven.foundlings.models import HandoverStatus
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report
from haven.foundlings.tests.test_someone_moves_it import commune_not_in_haven, found_in
from haven.notifications.models import Notification
from haven.people.models import Involvement, InvolvementBasis
from haven.protection import services as protection
from haven.protection.tests.factories import report as protection_report

K = OrganisationKind


def running(organisation) -> int:
    return Obligation.objects.filter(responsible=organisation, status=Status.OPEN).count()


def another(world, key: str, **fields) -> Organisation:
    org = world.orgs[key]
    return OrganisationFactory(name=f"{org.name} (2)", kind=org.kind, area=org.area, **fields)


def test_only_the_system_administrator_runs_organisations(world, frozen, client):
    for persona in ("provincial", "officer_a", "ministry", "analyst"):
        with pytest.raises(NotVisible):
            services.organisation_deactivate(
                actor=world.users[persona], organisation=world.orgs["school_a"], reason="Giải thể"
            )
        client.force_login(world.users[persona])
        assert client.get("/accounts/organisations/").status_code == 404
        assert client.get(f"/accounts/organisations/{world.orgs['school_a'].pk}/").status_code == 404
    assert world.orgs["school_a"].is_active


def test_a_hospital_holding_a_found_child_closes_only_naming_who_takes_the_child_over(world, frozen):
    case = report(world, frozen)  # the hospital of commune A answers for the child (Notice 432 §2)
    hospital = world.orgs["hospital_a"]
    held_before = running(hospital)
    assert held_before
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        services.organisation_deactivate(
            actor=world.admin, organisation=hospital, reason="Sáp nhập bệnh viện"
        )
    message = refused.value.message_dict["successor"][0]
    assert hospital.name in message and "hồ sơ trẻ bị bỏ rơi" in message
    hospital.refresh_from_db()
    case.refresh_from_db()
    assert hospital.is_active and case.responsible == hospital and running(hospital) == held_before
    with pytest.raises(ValidationError) as wrong_kind:
        services.organisation_deactivate(
            actor=world.admin, organisation=hospital, reason="x", successor=world.orgs["facility_b"]
        )
    assert wrong_kind.value.error_dict["successor"][0].code == "wrong_kind"

    successor = another(world, "hospital_a")
    services.organisation_deactivate(
        actor=world.admin, organisation=hospital, reason="Sáp nhập bệnh viện", successor=successor
    )
    case.refresh_from_db()
    hospital.refresh_from_db()
    assert not hospital.is_active and case.responsible == successor
    assert running(hospital) == 0 and running(successor) >= held_before
    # Its people lose their role there; the successor sees the child, its timeline says so, it is told.
    assert not Membership.objects.active().filter(organisation=hospital).exists()
    assert Involvement.objects.current().filter(child=case.child, organisation=successor).exists()
    assert not Involvement.objects.current().filter(organisation=hospital).exists()
    assert case.steps.filter(action="take_over", actor=world.admin).exists()
    assert Notification.objects.filter(organisation=successor, kind="foundling.take_over").exists()
    event = AuditEvent.objects.get(action="account.organisation_deactivate")
    assert event.data["successor"] == successor.pk and event.data["moved"]["foundling.cases"] == 1
    assert verify().ok


def test_a_merged_facility_brings_its_people_and_the_handover_waiting_for_its_answer(world, frozen):
    case = report(world, frozen)
    foundlings.foundling_acknowledge(actor=world.officer_a, case=case)
    foundlings.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    foundlings.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = foundlings.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    into = another(world, "facility_b")
    services.organisation_merge(
        actor=world.admin, organisation=world.orgs["facility_b"], into=into, reason="Hợp nhất hai cơ sở"
    )
    handover.refresh_from_db()
    assert handover.to_organisation == into and handover.status == HandoverStatus.PENDING
    answer = Obligation.objects.get(subject_id=case.pk, rule="foundling.handover_answer")
    assert answer.responsible == into and answer.status == Status.OPEN
    # The director is now the director of the merged facility, and answers for it.
    assert Membership.objects.active().filter(user=world.facility_director, organisation=into).exists()
    foundlings.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    case.refresh_from_db()
    assert case.responsible == into


def test_a_facility_with_children_placed_is_not_closed_by_an_administrator(world, frozen):
    from haven.care.models import Facility

    facility = world.orgs["facility_b"]
    Facility.objects.create(
        organisation=facility,
        ownership="public",
        licence_number="12/GP-SYT",
        licence_issued_on=dt.date(2019, 5, 2),
        address="15 Phố Vọng, Hà Nội",
    )
    Involvement.objects.create(child=world.child(), organisation=facility, basis=InvolvementBasis.PLACEMENT)
    with translation.override("vi"), pytest.raises(Refused) as refused:
        services.organisation_merge(
            actor=world.admin, organisation=facility, into=another(world, "facility_b"), reason="Hợp nhất"
        )
    assert refused.value.code == "holds_children" and "Mẫu số 16" in refused.value.message
    facility.refresh_from_db()
    assert facility.is_active and Involvement.objects.current().filter(organisation=facility).count() == 1


def test_a_commune_committee_joining_haven_takes_over_what_the_province_held_in_its_place(world, frozen):
    commune = commune_not_in_haven(world)
    case = found_in(world, frozen, commune)
    case_there = protection_report(world, incident_commune=commune)
    province = world.orgs["health_hanoi"]
    assert case.responsible == province and case_there.responsible == province
    committee = services.organisation_create(
        actor=world.admin, name=f"UBND {commune.name}", kind=K.COMMUNE_COMMITTEE, area=commune
    )
    case.refresh_from_db()
    case_there.refresh_from_db()
    assert case.responsible == committee and case_there.responsible == committee
    assert not Obligation.objects.filter(
        subject_id__in=[case.pk, case_there.pk], responsible=province, status=Status.OPEN
    ).exists()
    # The province no longer stands in; the commune's own officers act.
    officer = member("officer_c", committee, Role.COMMUNE_CHILD_PROTECTION_OFFICER)
    with pytest.raises(Refused):
        foundlings.foundling_acknowledge(actor=world.provincial, case=case)
    foundlings.foundling_acknowledge(actor=officer, case=case)
    # Where a province has no Department of Health in Haven the Ministry stands in, until one joins.
    lone = type(commune).objects.provinces().exclude(pk__in=[world.hanoi.pk, world.other_province.pk])[0]
    far = found_in(world, frozen, lone.communes().order_by("code")[0])
    assert far.responsible == world.orgs["ministry"]
    department = services.organisation_create(
        actor=world.admin, name=f"Sở Y tế {lone.name}", kind=K.PROVINCIAL_HEALTH, area=lone
    )
    far.refresh_from_db()
    assert far.responsible == department
    # A second committee for the same commune would make it unclear who answers.
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=world.admin, name="UBND trùng", kind=K.COMMUNE_COMMITTEE, area=commune
        )
    with pytest.raises(ValidationError):  # a commune body sits in a commune
        services.organisation_create(
            actor=world.admin, name="UBND", kind=K.COMMUNE_COMMITTEE, area=world.hanoi
        )


def test_a_case_worker_leaves_only_once_a_colleague_takes_her_cases(world, frozen):
    case = protection_report(world)
    protection.protection_accept(actor=world.officer_a, case=case)
    case.refresh_from_db()
    assert case.assigned_to == world.officer_a
    ApiToken.issue(user=world.officer_a, name="điện thoại")
    with pytest.raises(ValidationError) as refused:
        services.user_deactivate(actor=world.admin, user=world.officer_a, reason="Nghỉ hưu")
    assert refused.value.error_dict["successor"][0].code == "successor_required"
    with pytest.raises(Refused):  # a colleague from elsewhere does not lead this commune's cases
        services.user_deactivate(
            actor=world.admin, user=world.officer_a, reason="Nghỉ hưu", successor=world.officer_b
        )
    case.refresh_from_db()
    assert world.officer_a.is_active and case.assigned_to == world.officer_a
    services.user_deactivate(
        actor=world.admin, user=world.officer_a, reason="Nghỉ hưu", successor=world.chairman_a
    )
    case.refresh_from_db()
    world.officer_a.refresh_from_db()
    assert case.assigned_to == world.chairman_a and not world.officer_a.is_active
    assert not Membership.objects.active().filter(user=world.officer_a).exists()
    assert not ApiToken.objects.filter(user=world.officer_a, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        action="account.user_deactivate", object_id=str(world.officer_a.pk)
    ).exists()


def test_a_person_is_created_in_a_role_their_organisation_has(world):
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            actor=world.admin,
            username="giamdoc",
            full_name="Lê Văn Tâm",
            password="short",
            organisation=world.orgs["committee_a"],
            role=Role.FACILITY_DIRECTOR,
        )
    assert set(refused.value.error_dict) == {"role", "password"}
    user = services.user_create(
        actor=world.admin,
        username="canbo.xa",
        full_name="Lê Thị Tâm",
        password="Mật-khẩu-đủ-dài-2026",
        organisation=world.orgs["committee_a"],
        role=Role.COMMUNE_CHILD_PROTECTION_OFFICER,
    )
    assert user.check_password("Mật-khẩu-đủ-dài-2026")
    assert Membership.objects.active().filter(user=user, organisation=world.orgs["committee_a"]).exists()


def test_the_administrators_pages_close_an_organisation_and_say_why_not(world, frozen, client):
    report(world, frozen)
    hospital = world.orgs["hospital_a"]
    client.force_login(world.admin)
    assert "/accounts/organisations/" in client.get("/").content.decode()
    page = client.get(f"/accounts/organisations/{hospital.pk}/")
    assert page.status_code == 200 and "hồ sơ trẻ bị bỏ rơi" in page.content.decode()
    refused = client.post(
        f"/accounts/organisations/{hospital.pk}/", {"action": "deactivate", "deactivate-reason": "Sáp nhập"}
    )
    assert refused.status_code == 200 and "chọn tổ chức tiếp nhận" in refused.content.decode()
    hospital.refresh_from_db()
    assert hospital.is_active
    successor = another(world, "hospital_a")
    done = client.post(
        f"/accounts/organisations/{hospital.pk}/",
        {"action": "deactivate", "deactivate-reason": "Sáp nhập", "deactivate-successor": successor.pk},
    )
    assert done.status_code == 302
    hospital.refresh_from_db()
    assert not hospital.is_active
    created = client.post(
        "/accounts/organisations/",
        {"name": "Bệnh viện Xanh Pôn", "kind": K.HEALTH_FACILITY, "area": world.commune_a.pk},
    )
    assert created.status_code == 302 and Organisation.objects.filter(name="Bệnh viện Xanh Pôn").exists()
