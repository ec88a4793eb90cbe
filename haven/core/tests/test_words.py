"""The words users read are theirs (issue #13 item 2): legal citations in the reader's language, with
Vietnamese legal naming on Vietnamese pages and papers ("Nghị định 56/2017/NĐ-CP, Điều 28 khoản 1"); no
developer note on a page or a paper (a rule-book section, a file, an issue, a tag of certainty); lengths
of time and units translated; codes shown as their labels; people by name, not username.

Here: the catalogues, every clock's words, every printed paper, and proof that the scan can fail. The
pages themselves are scanned by the one crawl of every persona's pages (test_crawl.py), which is slow
and is not run twice.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.utils import translation

from haven.core.tests.words import ENGLISH_CITATION, NOTES, findings, visible_text

LOCALE = Path(__file__).resolve().parents[3] / "locale"

# A citation in Vietnamese names the instrument with its number and symbol and then the article:
# "Nghị định 56/2017/NĐ-CP, Điều 41", "Thông tư 09/2024/TT-BLĐTBXH, Điều 6", "Luật Trẻ em, Điều 10"
# (or the article first: "khoản 1 Điều 14 Nghị định số 123/2015/NĐ-CP"). Not "Nghị định 56/2017 điều 41".
VIETNAMESE_NAMING = re.compile(
    r"Nghị định (?:số )?\d+/\d{4}(?!/NĐ-CP)"
    r"|Thông tư (?:số )?\d+/\d{4}(?!/TT-)"
    r"|(?:Luật [A-ZĐ][\w ]*?|/NĐ-CP|/TT-[A-ZĐ]+) điều \d"
    r"|\(điều \d|[Đđ]iều \d+\(\d"  # "(điều 60(4))": the clause is "khoản 4"
)


def catalogue(language: str) -> list[tuple[str, list[str]]]:
    """Each message of ``locale/<language>`` as (msgid, its msgstr forms), the header left out."""
    entries, current, field = [], None, None
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for line in [*text.splitlines(), ""]:
        if line.startswith("#~"):
            continue
        keyword = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
        if keyword:
            if keyword.group(1) in ("msgid", "msgctxt") and current and current.get("msgstr"):
                entries.append(current)
                current = None
            current = current or {"msgid": "", "msgstr": []}
            field = keyword.group(1)
            value = ast.literal_eval(keyword.group(2))
            if field.startswith("msgstr"):
                current["msgstr"].append(value)
            elif field == "msgid":
                current["msgid"] = value
        elif line.startswith('"') and current is not None:
            value = ast.literal_eval(line)
            if field.startswith("msgstr"):
                current["msgstr"][-1] += value
            elif field == "msgid":
                current["msgid"] += value
    if current and current.get("msgstr"):
        entries.append(current)
    return [(e["msgid"], e["msgstr"]) for e in entries if e["msgid"]]


def test_the_catalogue_is_read_whole():
    """The scans below read every message: the reader finds a long wrapped one and a plural."""
    messages = dict(catalogue("vi"))
    assert len(messages) > 1000
    assert messages["Decree 123/2015 art. 14(2): 7 consecutive days of posting"] == [
        "Nghị định 123/2015/NĐ-CP, Điều 14 khoản 2: niêm yết 7 ngày liên tục"
    ]
    assert messages["%(n)d day"] == ["%(n)d ngày"]


def test_no_message_carries_a_developer_note_in_either_language():
    noted = [
        f"{msgid!r} → {forms!r}"
        for language in ("vi", "en")
        for msgid, forms in catalogue(language)
        if any(NOTES.search(text) for text in (msgid, *forms))
    ]
    assert not noted, "\n".join(noted)


def test_every_vietnamese_citation_uses_vietnamese_legal_naming():
    wrong = [
        f"{msgid!r} → {forms!r}"
        for msgid, forms in catalogue("vi")
        if any(ENGLISH_CITATION.search(f) or VIETNAMESE_NAMING.search(f) for f in forms)
    ]
    assert not wrong, "\n".join(wrong)


def test_every_clock_reads_in_vietnamese_without_working_notes():
    """Every rule of every app, as the rules page and a case's deadlines show it: its step, its
    deadline, its basis and its citation in Vietnamese, naming the law, never the developers' notes."""
    from haven.deadlines.rules import RULES

    assert {r.app for r in RULES.values()} >= {"foundlings", "protection", "prevention", "care"}
    wrong = []
    for code, r in RULES.items():
        with translation.override("en"):
            english = [str(r.title), r.deadline, str(r.legal_basis)]
        with translation.override("vi"):
            vietnamese = [str(r.title), r.deadline, r.basis.label, str(r.legal_basis)]
        text = " · ".join(vietnamese)
        if english[2] in vietnamese or english[0] in vietnamese:
            wrong.append(f"{code}: not translated: {text}")
        wrong += [f"{code}: {f}" for f in findings(text)]
        wrong += [f"{code}: {f}" for f in findings(" · ".join(english), vietnamese=False)]
    assert not wrong, "\n".join(wrong)


def test_a_deadline_of_one_unit_is_singular_and_a_province_s_deadline_reads_as_words(db):
    from haven.deadlines.models import DeadlineOverride
    from haven.deadlines.rules import Unit, period, rule

    with translation.override("en"):
        assert rule("foundling.acknowledge").deadline == "1 hour"
        assert rule("foundling.post_notice").deadline == "1 working day"
        assert period(8, Unit.HOURS) == "8 hours"
        assert DeadlineOverride(rule="foundling.screen", amount=1, unit=Unit.WORKING_DAYS).deadline == (
            "1 working day"
        )
    with translation.override("vi"):
        assert rule("foundling.acknowledge").deadline == "1 giờ"
        assert DeadlineOverride(rule="foundling.screen", amount=8, unit=Unit.HOURS).deadline == "8 giờ"


def test_an_audit_action_reads_as_words_in_the_access_log():
    from haven.audit.labels import action_label

    with translation.override("vi"):
        assert action_label("child.view") == "Mở hồ sơ"
        assert action_label("foundling.accept_handover") == str(translation.gettext("Handover accepted"))
        assert action_label("care.placement_start") == str(
            translation.gettext("Place a child in a small group")
        )
        for code in (
            "foundling.acknowledge",
            "protection.approve_plan",
            "care.family_decide",
            "prevention.flag",
        ):
            assert "." not in action_label(code), code


# --- The scan itself can fail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, found",
    [
        ("<p>Hạn: §9c (vietnam-process.md)</p>", "developer note"),
        ("<p>Xem issue #4</p>", "developer note"),
        ("<td>Nghị định 103/2017 [S]</td>", "developer note"),
        ("<p>Căn cứ Decree 56/2017 art. 41</p>", "English citation"),
        ("<p>Law on Children, Điều 10</p>", "English citation"),
        ("<span>chậm 456 days, 12:52:09</span>", "English duration"),
        ("<span>1 hours</span>", "English duration"),
        ("<td>foundling.acknowledge</td>", "code"),
        ("<span class='badge'>handover_pending</span>", "code"),
        ("<p>Cộng tác viên: commune.officer</p>", "username"),
        ("<p>Cộng tác viên: collaborator</p>", "username"),
        ("<button title='Decree 56/2017'>x</button>", "English citation"),
    ],
)
def test_the_scan_finds_what_no_reader_may_read(page, found):
    names = {"commune.officer": "Nguyễn Thị Lan", "collaborator": "Lê Thị Hoa"}
    assert any(f.startswith(found) for f in findings(visible_text(page), usernames=names))


def test_the_scan_leaves_what_a_reader_may_read():
    page = (
        "<script>const rule = 'foundling.acknowledge';</script><p>Nghị định 56/2017/NĐ-CP, Điều 28 khoản 1: "
        "trong 5 ngày làm việc · chậm 2 ngày 3 giờ · Nguyễn Thị Lan (commune.officer)</p>"
        "<a href='/foundlings/x/record.pdf'>Biên bản</a><input type='hidden' name='do' value='end_placement'>"
    )
    assert findings(visible_text(page), usernames={"commune.officer": "Nguyễn Thị Lan"}) == []


# --- Every printed paper, once ------------------------------------------------------------------------


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def papers(world, frozen, client):
    """Each printed paper Haven makes, by its name: (the user who may print it, its address)."""
    from haven.care import checklist, families
    from haven.care import services as care
    from haven.care.tests.conftest import build_site
    from haven.care.tests.test_families import register
    from haven.core import clock
    from haven.foundlings import services as foundlings
    from haven.foundlings.tests.test_documents import WITNESS
    from haven.foundlings.tests.test_pathway import RECORD, VITALS
    from haven.foundlings.tests.test_pathway import report as found
    from haven.protection import services as protection
    from haven.protection.tests.test_case import LOW, SPECIFIC
    from haven.protection.tests.test_case import report as reported
    from haven.protection.tests.test_documents import PLAN

    # The test world's organisations carry their key in their name ("… facility_b"): a paper names them
    # as the demo does, without it.
    for key, organisation in world.orgs.items():
        organisation.name = organisation.name.removesuffix(f" {key}")
        organisation.save(update_fields=["name"])
    case = found(world, frozen)
    foundlings.foundling_acknowledge(actor=world.officer_a, case=case)
    foundlings.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    foundlings.foundling_record(actor=world.officer_a, case=case, **RECORD, **WITNESS)
    handover = foundlings.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    foundlings.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    foundlings.foundling_post_notice(actor=world.officer_a, case=case)

    risk = reported(world)
    protection.protection_accept(actor=world.officer_a, case=risk)
    protection.protection_assess_initial(actor=world.officer_a, case=risk, data={**LOW, "verification": "x"})
    protection.protection_assess_specific(actor=world.officer_a, case=risk, data=SPECIFIC)
    protection.protection_draft_plan(actor=world.officer_a, case=risk, data=PLAN)
    approval = protection.protection_approve_plan(
        actor=world.chairman_a, case=risk, decision_number="05/QĐ-UBND", participants="Chủ tịch UBND phường"
    )

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    family = register(world)
    families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    families.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ-UBND")

    site = build_site(world)
    inspection = care.inspection_record(
        actor=world.provincial,
        facility=site.facility,
        inspected_on=clock.today(),
        results={item.code: "met" for item in checklist.ITEMS} | {"sign": "not_met"},
        findings="Lắp biển tên cơ sở ở cổng trước ngày 31/12",
    )
    from haven.reports import services as reports
    from haven.reports.models import PeriodicReport
    from haven.reports.periodic import report_type
    from haven.reports.periods import Kind, containing

    month = containing(clock.today(), Kind.MONTH).previous()
    reports.generate(kind=report_type("monthly"), period=month, areas=[world.commune_a])
    periodic = PeriodicReport.objects.get(area=world.commune_a, period=month.key)
    reports.report_review(actor=world.officer_a, report=periodic, note="Đã đối chiếu sổ theo dõi.")
    reports.report_submit(actor=world.chairman_a, report=periodic)
    from haven.entitlements.tests.conftest import decided, with_pin

    paid = with_pin(world, born=clock.today() - dt.timedelta(days=3 * 365))
    decided(world, paid)
    return {
        "periodic report": (world.provincial, f"/reports/periodic/{periodic.pk}/report.pdf"),
        "allowance statement": (world.officer_a, f"/entitlements/children/{paid.pk}/statement.pdf"),
        "discovery record": (world.officer_a, f"/foundlings/{case.pk}/record.pdf"),
        "public notice": (world.officer_a, f"/foundlings/{case.pk}/notice.pdf"),
        "temporary care decision": (world.officer_a, f"/foundlings/{case.pk}/temporary-care-decision.pdf"),
        "plan approval (Form 05)": (
            world.officer_a,
            f"/protection/{risk.pk}/approvals/{approval.pk}/form-05.pdf",
        ),
        "family decision (Form 12)": (world.chairman_a, f"/care/families/{family.pk}/form-12.pdf"),
        "inspection record": (
            world.facility_director,
            f"/care/facilities/{site.facility.pk}/inspections/{inspection.pk}.pdf",
        ),
    }


def printed_papers() -> list[str]:
    """The addresses of the URLconf that serve a PDF."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix: str) -> list[str]:
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                found += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and str(p.pattern).endswith(".pdf"):
                found.append(prefix + str(p.pattern))
        return found

    return walk(get_resolver().url_patterns, "/")


def test_every_printed_paper_reads_in_vietnamese_without_notes_codes_or_usernames(world, client, papers):
    assert len(papers) == len(printed_papers()), printed_papers()
    names = {u.username: u.full_name for u in world.users.values() if u.full_name}
    wrong = []
    for name, (user, url) in papers.items():
        client.force_login(user)
        text = pdf_text(client.get(url))
        assert "Độc lập - Tự do - Hạnh phúc" in text, name
        wrong += [f"{name}: {f}" for f in findings(text, usernames=names)]
    assert not wrong, "\n".join(wrong)
