"""The chairman's approval of a support and intervention plan (Decree 56/2017, Form 05) as a printed
Vietnamese decision: refused (404) to those who may not export the child's papers, and audited."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from haven.audit.models import AuditEvent
from haven.protection import services
from haven.protection.tests.test_case import LOW, SPECIFIC, report

# The plan runs from tomorrow: its dates lie on the case's timeline (after the report).
START = dt.date.today() + dt.timedelta(days=1)
PLAN = {
    "objectives": "Trẻ an toàn, đi học đều",
    "measures": "Tư vấn tâm lý — trạm y tế — 2 tuần\nKèm cặp học tập — nhà trường — 3 tháng",
    "start": START.isoformat(),
    "end": (START + dt.timedelta(days=92)).isoformat(),
}
DATE_LINE = re.compile(r"\w+, ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4}")


def text_of(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def approved(world, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=PLAN)
    approval = services.protection_approve_plan(
        actor=world.chairman_a,
        case=case,
        decision_number="05/QĐ-UBND",
        participants="Chủ tịch UBND phường\nCán bộ bảo vệ trẻ em\nTổ trưởng dân phố\nMẹ của trẻ",
    )
    return case, approval


def test_the_form_05_approval_is_a_signed_vietnamese_decision(world, client, approved):
    case, approval = approved
    url = f"/protection/{case.pk}/approvals/{approval.pk}/form-05.pdf"
    client.force_login(world.officer_a)
    assert url in client.get(f"/protection/{case.pk}/").content.decode()  # offered on the case page
    text = text_of(client.get(url))
    for expected in (
        "Mẫu số 05",
        "QUYẾT ĐỊNH",
        "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp",
        "Số: 05/QĐ-UBND",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "Căn cứ Luật Trẻ em năm 2016",
        "Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017",
        "Độc lập - Tự do - Hạnh phúc",
        str(case.child),
        "Trẻ an toàn, đi học đều",
        "Kèm cặp học tập — nhà trường — 3 tháng",
        f"từ ngày {START:%d/%m/%Y} đến ngày {START + dt.timedelta(days=92):%d/%m/%Y}",
        "Tổ trưởng dân phố",
        "Nơi nhận:",
        "CHỦ TỊCH (Ký, ghi rõ họ tên, đóng dấu)",
        world.chairman_a.full_name,
    ):
        assert expected in text, expected
    # The chairman decides in their own name: no "on behalf of the committee" (Decree 30/2020).
    assert "TM. ỦY BAN NHÂN DÂN" not in text and DATE_LINE.search(text)
    assert AuditEvent.objects.filter(
        action="child.export", child_id=case.child_id, data__document="protection_form_05"
    ).exists()


def test_the_form_05_pdf_is_refused_to_those_who_may_not_export_the_case(world, client, approved):
    case, approval = approved
    url = f"/protection/{case.pk}/approvals/{approval.pk}/form-05.pdf"
    # Another commune and an analyst do not see the case; the hotline sees it but does not export it.
    for persona in ("officer_b", "analyst", "hotline", "nobody"):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 404, persona
    client.force_login(world.officer_a)
    assert client.get(f"/protection/{case.pk}/approvals/{approval.pk + 1}/form-05.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="child.export").exists()
