"""The printed papers of a found child's case (Decree 123/2015 art. 14): the discovery record names its
witness, the public notice carries its posting and signature and nothing the public must not see, and
the temporary-care decision is a signed Vietnamese decision. Each is refused (404) to those who may
not export the child's papers, and every download is audited."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import AuditEvent
from haven.core import documents
from haven.foundlings import services
from haven.foundlings.models import DiscoveryRecord, FoundlingCase
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report

WITNESS = {
    "witness_name": "Phạm Thị Nhung",
    "witness_id_document": "CCCD 001190054321",
    "witness_address": "Số 9 ngõ 12, Phường Ba Đình",
}
DATE_LINE = re.compile(r"\w+, ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4}")
STAFF_ONLY = ("Thông báo chỉ nêu những thông tin cần thiết", "The notice carries only")


def text_of(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())  # lines wrap anywhere


def exports(case, document: str) -> int:
    return AuditEvent.objects.filter(
        action="child.export", child_id=case.child_id, data__document=document
    ).count()


@pytest.fixture
def recorded(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD, **WITNESS)
    return case


@pytest.fixture
def noticed(world, recorded):
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=recorded, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    services.foundling_post_notice(actor=world.officer_a, case=recorded)
    recorded.refresh_from_db()
    return recorded


def test_the_discovery_record_names_its_witness_under_the_witness_signature(world, client, recorded):
    client.force_login(world.officer_a)
    text = text_of(client.get(f"/foundlings/{recorded.pk}/record.pdf"))
    for copy in text.split("Bản chính số 02/02"):  # both originals
        finder = copy[copy.index("NGƯỜI PHÁT HIỆN") : copy.index("NGƯỜI LÀM CHỨNG")]
        witness = copy[copy.index("NGƯỜI LÀM CHỨNG") : copy.index("NGƯỜI LẬP BIÊN BẢN")]
        assert RECORD["finder_name"] in finder and WITNESS["witness_name"] in witness
        assert WITNESS["witness_id_document"] in copy and WITNESS["witness_address"] in copy
        assert "Độc lập - Tự do - Hạnh phúc" in copy and DATE_LINE.search(copy)
    assert exports(recorded, "discovery_record") == 1


def test_a_witness_recorded_without_a_name_is_refused_and_nothing_is_saved(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    with pytest.raises(ValidationError) as refused:
        services.foundling_record(
            actor=world.officer_a, case=case, **RECORD, witness_id_document="CCCD 001190054321"
        )
    assert "witness_name" in refused.value.message_dict
    assert not DiscoveryRecord.objects.exists()


def test_the_record_form_keeps_the_witness_it_is_given(world, client, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    client.force_login(world.officer_a)
    response = client.post(f"/foundlings/{case.pk}/record/", {**RECORD, **WITNESS})
    assert response.status_code == 302
    record = DiscoveryRecord.objects.get(case=case)
    assert (record.witness_name, record.witness_id_document, record.witness_address) == tuple(
        WITNESS.values()
    )


def test_the_public_notice_carries_its_posting_the_motto_and_the_signature_block(world, client, noticed):
    client.force_login(world.officer_a)
    text = text_of(client.get(f"/foundlings/{noticed.pk}/notice.pdf"))
    posted, ends = noticed.notice_posted_at, noticed.notice_ends_at
    for expected in (
        "THÔNG BÁO",
        "Về việc tìm cha, mẹ đẻ của trẻ bị bỏ rơi",
        "khoản 2 Điều 14 Nghị định số 123/2015/NĐ-CP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Ngày niêm yết: {documents.day(posted)}",
        f"07 ngày liên tục, từ {documents.moment(posted)} đến {documents.moment(ends)}",
        f"Nơi niêm yết: Trụ sở Ủy ban nhân dân {documents.in_text(world.commune_a)}",
        documents.date_line(documents.proper_name(world.commune_a), documents.local(posted).date()),
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        world.chairman_a.full_name,
        "Giới tính: nam",
        "khoảng 3 ngày tuổi",
    ):
        assert expected in text, expected
    assert exports(noticed, "public_notice") == 1


def test_the_printed_seven_days_are_those_counted_not_shortened_by_an_earlier_posting_time(
    world, client, noticed
):
    # Decree 123/2015 art. 14(2): an earlier posting time that is not confirmed leaves the 7 days counted
    # from the recording; the notice shows when it was posted and the 7 days that end when it ends.
    entered = noticed.notice_posted_at - dt.timedelta(days=3)
    FoundlingCase.objects.filter(pk=noticed.pk).update(notice_posted_at=entered)
    client.force_login(world.officer_a)
    text = text_of(client.get(f"/foundlings/{noticed.pk}/notice.pdf"))
    ends = noticed.notice_ends_at
    assert f"Ngày niêm yết: {documents.day(entered)}" in text
    assert f"từ {documents.moment(ends - dt.timedelta(days=7))} đến {documents.moment(ends)}" in text
    assert documents.moment(entered) not in text


def test_the_public_notice_carries_nothing_the_public_must_not_see(world, client, noticed):
    client.force_login(world.officer_a)
    text = text_of(client.get(f"/foundlings/{noticed.pk}/notice.pdf"))
    for hidden in (
        *STAFF_ONLY,
        RECORD["finder_name"],
        RECORD["finder_id_document"],
        WITNESS["witness_name"],
        noticed.condition,  # the child's health
        world.orgs["facility_b"].name,  # where the child is now
        str(noticed.child),
    ):
        assert hidden not in text, hidden


def test_the_notice_page_keeps_the_staff_only_line_off_the_print(world, client, noticed):
    client.force_login(world.officer_a)
    page = client.get(f"/foundlings/{noticed.pk}/notice/").content.decode()
    assert re.search(r'class="[^"]*\bno-print\b[^"]*">[^<]*(Thông báo chỉ nêu|The notice carries only)', page)
    assert f"/foundlings/{noticed.pk}/notice.pdf" in page and "TM. ỦY BAN NHÂN DÂN" in page


def test_the_temporary_care_decision_is_a_signed_vietnamese_decision(world, client, noticed):
    client.force_login(world.officer_a)
    detail = client.get(f"/foundlings/{noticed.pk}/").content.decode()
    assert f"/foundlings/{noticed.pk}/temporary-care-decision.pdf" in detail
    text = text_of(client.get(f"/foundlings/{noticed.pk}/temporary-care-decision.pdf"))
    for expected in (
        "QUYẾT ĐỊNH",
        "Về việc giao trẻ bị bỏ rơi cho cá nhân, tổ chức tạm thời nuôi dưỡng",
        "khoản 1 Điều 14 Nghị định số 123/2015/NĐ-CP",
        "khoản 3 Điều 27 Nghị định số 20/2021/NĐ-CP",
        f"Biên bản xác nhận việc phát hiện trẻ bị bỏ rơi số {noticed.discovery_record.number}",
        world.orgs["facility_b"].name,
        "Độc lập - Tự do - Hạnh phúc",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        world.chairman_a.full_name,
        "Nơi nhận:",
    ):
        assert expected in text, expected
    assert DATE_LINE.search(text)
    assert exports(noticed, "temporary_care_decision") == 1


def test_the_papers_are_refused_to_those_who_may_not_export_them_and_nothing_is_audited(
    world, client, noticed
):
    urls = [
        f"/foundlings/{noticed.pk}/{name}"
        for name in ("record.pdf", "notice.pdf", "temporary-care-decision.pdf")
    ]
    # Another commune, an analyst, and the hospital (which sees the child but does not print its papers).
    for persona in ("officer_b", "analyst", "hospital_sw", "nobody"):
        client.force_login(world.users[persona])
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
    assert not AuditEvent.objects.filter(action="child.export").exists()


def test_the_case_page_offers_papers_only_to_those_who_may_print_them(world, client, recorded):
    client.force_login(world.hospital_sw)  # still holds the child, sees the case, prints nothing
    page = client.get(f"/foundlings/{recorded.pk}/")
    assert page.status_code == 200 and "record.pdf" not in page.content.decode()
    client.force_login(world.officer_a)
    assert (
        f"/foundlings/{recorded.pk}/record.pdf" in client.get(f"/foundlings/{recorded.pk}/").content.decode()
    )


def test_no_paper_before_its_step(world, client, recorded):
    client.force_login(world.officer_a)
    assert client.get(f"/foundlings/{recorded.pk}/notice.pdf").status_code == 404
    assert client.get(f"/foundlings/{recorded.pk}/temporary-care-decision.pdf").status_code == 404
