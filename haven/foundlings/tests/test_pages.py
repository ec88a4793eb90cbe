"""The found-child pages. Each test first states who is refused."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from haven.audit.models import AuditEvent
from haven.deadlines.sweep import sweep
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, State
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report


@pytest.fixture
def recorded(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    return case


def test_the_case_page_is_refused_to_another_commune_and_to_analysts(world, client, frozen):
    case = report(world, frozen)
    for persona in ("officer_b", "analyst", "facility_director"):
        client.force_login(world.users[persona])
        assert client.get(f"/foundlings/{case.pk}/").status_code == 404
    client.force_login(world.officer_a)
    page = client.get(f"/foundlings/{case.pk}/").content.decode()
    assert f"/foundlings/{case.pk}/acknowledge/" in page  # the next step is offered


def test_the_public_can_report_without_an_account(world, client, frozen):
    response = client.post(
        "/report/",
        {
            "found_at": frozen.at.strftime("%d/%m/%Y %H:%M"),
            "province": world.hanoi.pk,
            "found_commune": world.commune_b.pk,
            "found_place": "Trước cổng chợ",
            "sex": "female",
            "condition": "Trẻ khoảng 1 tháng, quấn khăn",
            "reporter_contact": "0912345678",
        },
    )
    assert response.status_code == 200
    case = FoundlingCase.objects.get()
    assert case.channel == "public" and case.responsible == world.orgs["committee_b"]


def test_a_bot_filling_the_hidden_field_creates_nothing(world, client, frozen):
    client.post(
        "/report/",
        {
            "found_at": frozen.at.strftime("%d/%m/%Y %H:%M"),
            "province": world.hanoi.pk,
            "found_commune": world.commune_b.pk,
            "found_place": "x",
            "sex": "female",
            "condition": "x",
            "website": "http://spam.example",
        },
    )
    assert not FoundlingCase.objects.exists()


def test_a_report_dated_in_the_future_is_refused_with_the_reason(world, client, frozen):
    client.force_login(world.hospital_sw)
    response = client.post(
        "/foundlings/report/",
        {
            "found_at": (frozen.at + dt.timedelta(days=1)).strftime("%d/%m/%Y %H:%M"),
            "province": world.hanoi.pk,
            "found_commune": world.commune_a.pk,
            "found_place": "Cổng",
            "sex": "male",
            "condition": "Khỏe",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not FoundlingCase.objects.exists()


def test_the_discovery_record_pdf_carries_the_fields_of_decree_123_and_two_originals(world, client, recorded):
    client.force_login(world.officer_a)
    response = client.get(f"/foundlings/{recorded.pk}/record.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "BIÊN BẢN",
        RECORD["finder_name"],
        RECORD["finder_id_document"],
        RECORD["physique"],
        "Bản chính số 01/02",
        "Bản chính số 02/02",
        "NGƯỜI LẬP BIÊN BẢN",
        "Cổng bệnh viện",
    ):
        assert expected in text
    assert AuditEvent.objects.filter(action="child.export", child_id=recorded.child_id).exists()


def test_the_timeline_shows_each_step_and_who_took_it(world, client, recorded):
    client.force_login(world.officer_a)
    page = client.get(f"/foundlings/{recorded.pk}/timeline/").content.decode()
    assert (
        page.count("<li>") >= 4 and world.hospital_sw.full_name in page and world.officer_a.full_name in page
    )


def test_a_step_taken_out_of_order_through_the_page_changes_nothing(world, client, frozen):
    case = report(world, frozen)
    client.force_login(world.officer_a)
    response = client.post(f"/foundlings/{case.pk}/post_notice/", {}, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.REPORTED


def test_reconciliation_lists_children_not_yet_safe_with_who_is_responsible_and_how_late(
    world, client, frozen
):
    case = report(world, frozen)
    frozen.advance(hours=3)
    sweep(now=frozen.at)
    client.force_login(world.provincial)
    page = client.get("/foundlings/reconciliation/").content.decode()
    assert str(case.child) in page and world.orgs["committee_a"].name in page
    client.force_login(world.analyst)
    counts_only = client.get("/foundlings/reconciliation/").content.decode()
    assert str(case.child) not in counts_only
    assert 'class="hidden-count"' in counts_only  # one child: hidden from analysts
    assert '<span class="stat-value">1</span>' in page  # exact for the provincial officer
    client.force_login(world.nobody)
    assert client.get("/foundlings/reconciliation/")["Location"] == "/accounts/security/"  # no role: own page


def test_the_home_page_lists_the_tasks_of_the_users_organisation(world, client, frozen):
    report(world, frozen)
    client.force_login(world.officer_a)
    page = client.get("/").content.decode()
    assert "Acknowledge the report of a found child" in page or "Tiếp nhận thông báo về trẻ bị bỏ rơi" in page


def test_only_a_provincial_officer_sets_a_stricter_deadline_and_never_a_longer_one(world, client):
    client.force_login(world.officer_a)
    assert client.get("/deadlines/province/").status_code == 404
    client.force_login(world.provincial)
    longer = client.post(
        "/deadlines/province/",
        {"rule": "foundling.acknowledge", "amount": 3, "unit": "hours", "legal_basis": "QĐ 12/2026"},
    )
    assert longer.status_code == 200 and "errorlist" in longer.content.decode()
    shorter = client.post(
        "/deadlines/province/",
        {"rule": "foundling.record", "amount": 8, "unit": "hours", "legal_basis": "QĐ 12/2026/QĐ-UBND"},
    )
    assert shorter.status_code == 302
    from haven.deadlines.models import DeadlineOverride

    assert list(DeadlineOverride.objects.values_list("rule", "amount")) == [("foundling.record", 8)]


def test_only_the_receiving_facilitys_director_answers_a_handover(world, client, recorded):
    services.foundling_decide_temporary_care(
        actor=world.officer_a, case=recorded, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    client.force_login(world.caregiver_b)  # a caregiver may not answer for the facility
    refused = client.post(f"/foundlings/{recorded.pk}/answer_handover/", {"accept": "1"})
    # She is told the director answers; she is shown nothing of the child.
    assert refused.status_code == 200 and recorded.condition not in refused.content.decode()
    recorded.refresh_from_db()
    assert recorded.state == State.HANDOVER_PENDING
    client.force_login(world.facility_director)
    assert client.get(f"/foundlings/{recorded.pk}/answer_handover/").status_code == 200
    client.post(f"/foundlings/{recorded.pk}/answer_handover/", {"accept": "1"})
    recorded.refresh_from_db()
    assert recorded.state == State.TEMPORARY_CARE and recorded.responsible == world.orgs["facility_b"]
    assert client.get(f"/foundlings/{recorded.pk}/").status_code == 200


def test_the_photo_is_shown_only_to_those_who_see_the_child_and_each_showing_is_recorded(
    world, client, frozen, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    client.force_login(world.hospital_sw)
    client.post(
        "/foundlings/report/",
        {
            "found_at": frozen.at.strftime("%d/%m/%Y %H:%M"),
            "province": world.hanoi.pk,
            "found_commune": world.commune_a.pk,
            "found_place": "Cổng",
            "sex": "male",
            "condition": "Khỏe",
            "photo": SimpleUploadedFile("be.png", buffer.getvalue(), content_type="image/png"),
        },
    )
    case = FoundlingCase.objects.get()
    assert case.photo
    client.force_login(world.officer_b)
    assert client.get(f"/foundlings/{case.pk}/photo/").status_code == 404
    client.force_login(world.officer_a)
    response = client.get(f"/foundlings/{case.pk}/photo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="child.photo_view", actor=world.officer_a).exists()


def test_one_address_cannot_flood_the_public_report(world, client, frozen, settings):
    from django.core.cache import cache

    cache.clear()
    form = {
        "found_at": frozen.at.strftime("%d/%m/%Y %H:%M"),
        "province": world.hanoi.pk,
        "found_commune": world.commune_b.pk,
        "found_place": "x",
        "sex": "female",
        "condition": "x",
    }
    for _ in range(10):
        client.post("/report/", form)
    assert FoundlingCase.objects.count() == 10
    refused = client.post("/report/", form)
    assert "111" in refused.content.decode() and FoundlingCase.objects.count() == 10


def test_the_national_view_rolls_up_by_province_and_drills_down_to_communes(world, client, frozen):
    report(world, frozen)
    services.foundling_report(
        actor=None,
        found_at=frozen.at,
        found_commune=world.other_province.communes().first(),
        found_place="x",
        sex="female",
        condition="x",
    )
    client.force_login(world.ministry)
    national = client.get("/foundlings/reconciliation/").content.decode()
    assert f'?province={world.hanoi.code}"' in national and world.other_province.name in national
    hanoi = client.get(f"/foundlings/reconciliation/?province={world.hanoi.code}").content.decode()
    assert world.commune_a.name in hanoi and world.other_province.name not in hanoi
