"""Printed papers of family-like care: the chairman's Form 12 decision (Decree 56/2017) and the record
of a facility's inspection (Decree 103/2017 checklist). Each in Vietnamese with its legal basis and the
signature of the one who decides or inspects, refused (404) to those who may not see it, audited."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from haven.audit.models import AuditEvent
from haven.care import checklist, families, services
from haven.care.pdf import ITEM_BASIS
from haven.care.tests.test_families import register
from haven.core import clock

pytestmark = pytest.mark.django_db
DATE_LINE = re.compile(r"\w+, ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4}")


def text_of(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def decided(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    family = register(world)
    families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    families.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ-UBND")
    family.refresh_from_db()
    return family


def test_the_form_12_decision_is_a_signed_vietnamese_decision(world, client, decided):
    url = f"/care/families/{decided.pk}/form-12.pdf"
    client.force_login(world.chairman_a)
    assert url in client.get(f"/care/families/{decided.pk}/").content.decode()  # offered on the family page
    text = text_of(client.get(url))
    for expected in (
        "Mẫu số 12",
        "QUYẾT ĐỊNH",
        "Về việc giao, nhận chăm sóc thay thế cho trẻ em",
        "Số: 12/QĐ-UBND",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "Căn cứ Luật Trẻ em năm 2016",
        "Nghị định số 56/2017/NĐ-CP",
        "(Mẫu số 11)",
        "Độc lập - Tự do - Hạnh phúc",
        str(decided.decided_child),
        "ông/bà Trần Thị Hạnh, sinh ngày 02/04/1980",
        "Số 5 ngõ 12 Đội Cấn",
        "cá nhân, gia đình không phải là người thân thích",
        "15 ngày làm việc",
        "CHỦ TỊCH (Ký, ghi rõ họ tên, đóng dấu)",
        world.chairman_a.full_name,
    ):
        assert expected in text, expected
    assert DATE_LINE.search(text)
    event = AuditEvent.objects.get(action="child.export", data__document="care_form_12")
    assert event.child_id == decided.decided_child_id and event.actor == world.chairman_a


def test_the_form_12_pdf_is_refused_to_those_who_may_not_see_the_family(world, client, decided):
    url = f"/care/families/{decided.pk}/form-12.pdf"
    # Another commune, the hotline and an analyst do not read the commune's register of families.
    for persona in ("officer_b", "hotline", "analyst", "nobody"):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 404, persona
    assert not AuditEvent.objects.filter(data__document="care_form_12").exists()


def test_a_family_without_a_decision_has_no_form_12(world, client):
    family = register(world)
    client.force_login(world.chairman_a)
    assert client.get(f"/care/families/{family.pk}/form-12.pdf").status_code == 404
    assert "form-12.pdf" not in client.get(f"/care/families/{family.pk}/").content.decode()


@pytest.fixture
def inspected(world, site):
    results = {item.code: "met" for item in checklist.ITEMS} | {"sign": "not_met"}
    return services.inspection_record(
        actor=world.provincial,
        facility=site.facility,
        inspected_on=clock.today(),
        results=results,
        findings="Lắp biển tên cơ sở ở cổng trước ngày 31/12",
    )


def test_the_inspection_record_lists_each_item_with_its_basis_and_result(world, client, site, inspected):
    url = f"/care/facilities/{site.facility.pk}/inspections/{inspected.pk}.pdf"
    client.force_login(world.facility_director)  # the facility reads the record of its inspection
    assert url in client.get(f"/care/facilities/{site.facility.pk}/").content.decode()
    text = text_of(client.get(url))
    for expected in (
        "BIÊN BẢN",
        "Kiểm tra cơ sở trợ giúp xã hội",
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        "SỞ Y TẾ",
        "Nghị định số 103/2017/NĐ-CP",
        "Điều 40 Nghị định số 103/2017/NĐ-CP",
        "khoản 1 Điều 68 Luật Trẻ em năm 2016",
        "Không đạt",
        "Có 1 nội dung không đạt",
        "Lắp biển tên cơ sở ở cổng trước ngày 31/12",
        "12/GP-SYT",
        "NGƯỜI KIỂM TRA",
        world.provincial.full_name,
        "ĐẠI DIỆN CƠ SỞ",
        world.facility_director.full_name,
        "Độc lập - Tự do - Hạnh phúc",
    ):
        assert expected in text, expected
    assert text.count("Đạt") >= len(checklist.ITEMS) - 1 and DATE_LINE.search(text)
    # Every word Vietnamese: no citation written for developers reaches the paper.
    assert not re.search(r"Decree|Circular|Notice|\[[SVU]\]|§", text)
    assert AuditEvent.objects.filter(action="care.inspection_export", object_id=str(inspected.pk)).exists()


def test_the_inspection_record_is_refused_to_those_who_may_not_see_the_facility(
    world, client, site, inspected
):
    url = f"/care/facilities/{site.facility.pk}/inspections/{inspected.pk}.pdf"
    # Another province's department, an analyst and another commune do not see this facility's board.
    for persona in ("provincial_other", "analyst", "officer_a", "nobody"):
        client.force_login(world.users[persona])
        assert client.get(f"/care/facilities/{site.facility.pk}/").status_code == 404, persona
        assert client.get(url).status_code == 404, persona
    assert not AuditEvent.objects.filter(action="care.inspection_export").exists()


def test_every_checklist_item_has_a_vietnamese_basis():
    assert set(ITEM_BASIS) == {item.code for item in checklist.ITEMS}
