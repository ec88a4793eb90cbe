"""A child at risk end to end (Decree 56/2017 art. 25–32), each step by the person the law gives it to,
each in their own browser: from a member of the public's report, through the 12-hour clock, the
assessments, the chairman's approval and a referral to the hospital, to the review and closure. And
the 12-hour clock escalating when nobody acts."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

CHILD = ("Hà", "Thị Nguyệt", "Ánh")  # family, middle, given name as the public types them
FORGOTTEN = ("Lò", "Văn", "Quyết")  # the child of the report nobody takes up
INFORMANT = ("Trịnh Thị Duyên", "0912 345 678")
CONDITION = "Cháu bị bỏ đói hai ngày, có vết bầm ở tay"
LIKELY_HARM = "Suy dinh dưỡng, bị đánh tiếp nếu ở lại nhà"
CASE_PATH = re.compile(r"/protection/[0-9a-f-]{36}/")
CONTRADICTED = ("Đinh", "Thị", "Hồng")  # the child of the contradictory Form 02
VERIFIED = "Cô giáo chủ nhiệm và công an xã xác nhận cháu bị đánh nhiều lần"
REOPENED_BECAUSE = "Nhà trường báo cháu có vết bầm mới; kết luận không có căn cứ là nhầm"


def vi(message: str) -> str:
    return t(message, "vi")


def report_publicly(tab: Haven, world, name: tuple[str, str, str], *, informant: bool) -> None:
    """Form 01 from the public page, no login: the report goes to commune A."""
    page = tab.page
    tab.visit("/report/child-at-risk/")
    expect(page.locator("h1")).to_have_text(vi("Report a child at risk"))
    page.locator("#id_province").select_option(world.province_id)
    commune = page.locator("#id_incident_commune")
    expect(commune.locator("option", has_text=world.commune_a)).not_to_have_count(0)  # htmx filled it
    commune.select_option(label=world.commune_a)
    page.locator("#id_incident_place").fill("Nhà số 12, thôn Đông")
    page.locator("#id_family_name").fill(name[0])
    page.locator("#id_middle_name").fill(name[1])
    page.locator("#id_given_name").fill(name[2])
    page.locator("input[name=sex][value=female]").check()
    page.locator("#id_estimated_age_years").fill("5")  # under 7: no child's view is required
    page.locator("#id_condition").fill(CONDITION)
    page.locator("#id_likely_harm").fill(LIKELY_HARM)
    if informant:
        page.locator("#id_informant_consent").check()
        page.locator("#id_informant_name").fill(INFORMANT[0])
        page.locator("#id_informant_phone").fill(INFORMANT[1])
    tab.click(page.get_by_role("button", name=vi("Send the report"), exact=True))
    expect(page.locator("h1")).to_have_text(vi("Thank you: the report was received"))


def find_case(tab: Haven, name: tuple[str, str, str]) -> str:
    """From the Child protection list, open the case of the child; its path."""
    page = tab.page
    tab.click(page.get_by_role("navigation").get_by_role("link", name=vi("Child protection"), exact=True))
    tab.click(page.locator("main table").get_by_role("link", name=" ".join(name), exact=True))
    path = urlsplit(page.url).path
    assert CASE_PATH.fullmatch(path), f"not on a case page: {page.url}"
    return path


def next_steps(tab: Haven):
    return tab.page.get_by_role("region", name=vi("Next steps you can take"))


def take_step(tab: Haven, case_path: str, title: str) -> None:
    """Open the case and follow the link of the step it offers to this person."""
    tab.visit(case_path)
    tab.click(next_steps(tab).get_by_role("link", name=vi(title), exact=True))
    expect(tab.page.locator("h1")).to_have_text(vi(title))


def confirm(tab: Haven, case_path: str, title: str) -> None:
    """Submit the step's form; back on the case page, which says it is done."""
    page = tab.page
    tab.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == case_path, f"{title}: still on {page.url}"
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": vi(title)})).to_be_visible()


def levels(tab: Haven, **chosen: str) -> None:
    for field, level in chosen.items():
        tab.page.locator(f"input[name={field}][value={level}]").check()


def state(tab: Haven, label: str) -> None:
    expect(tab.page.locator("main .badge").first).to_have_text(vi(label))


def deadline(tab: Haven, title: str):
    """The row of the case's Deadlines table for one clock."""
    section = tab.page.get_by_role("region", name=vi("Deadlines"), exact=True).first
    return section.locator("tbody tr", has_text=vi(title))


def test_a_child_at_risk_goes_from_a_public_report_to_closure_on_the_laws_clocks(open_tab, world):
    child_name = " ".join(CHILD)

    # A neighbour reports the child, without an account, and agrees to be called back.
    public = open_tab()
    report_publicly(public, world, CHILD, informant=True)

    # The commune officer finds the case, with the informant the neighbour agreed to give.
    officer = open_tab()
    page = officer.page
    officer.sign_in("commune.officer")
    case_path = find_case(officer, CHILD)
    child_path = urlsplit(page.locator("h1 a").get_attribute("href")).path
    state(officer, "Received")
    informant = page.get_by_role("region", name=vi("The informant"), exact=True)
    expect(informant).to_contain_text(INFORMANT[0])
    expect(informant).to_contain_text(INFORMANT[1])
    expect(page.get_by_role("region", name=vi("The report (Form 01)"))).to_contain_text(CONDITION)

    # An officer of another commune finds neither the case nor the child.
    other_commune = open_tab()
    other_commune.sign_in("commune.officer.b")
    for path in (case_path, child_path):
        other_commune.visit(path, status=404)
        expect(other_commune.page.get_by_text(child_name)).to_have_count(0)

    # The officer takes the report up (one button), then records Form 02: emergency measures needed.
    title = vi("Take up the report")
    officer.click(next_steps(officer).get_by_role("button", name=title, exact=True))
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": title})).to_be_visible()
    state(officer, "With the commune: verifying")
    take_step(officer, case_path, "Record the initial assessment (Form 02)")
    levels(officer, harm="high", danger="high", abuser_access="high")
    page.locator("#id_verification").fill("Đã đến nhà cùng công an xã; hàng xóm và cô giáo xác nhận")
    page.locator("#id_emergency").check()
    confirm(officer, case_path, "Record the initial assessment (Form 02)")
    state(officer, "Emergency measures")

    # The chairman takes the emergency measures, well within the 12 hours.
    chairman = open_tab()
    page = chairman.page
    chairman.sign_in("chairman")
    take_step(chairman, case_path, "Record the emergency measures")
    page.locator("#id_measures").fill("Đưa cháu đến nhà bà ngoại; công an xã cảnh cáo người cha")
    confirm(chairman, case_path, "Record the emergency measures")
    state(chairman, "Specific assessment")
    twelve_hours = deadline(chairman, "Emergency measures or temporary separation")
    expect(twelve_hours).to_contain_text(vi("Done"))
    expect(twelve_hours.locator(".badge-danger")).to_have_count(0)
    measures_taken = page.locator("ol.timeline > li", has_text=vi("Emergency measures taken"))
    expect(measures_taken).to_contain_text(vi("on time"))

    # The officer records the specific assessment (Form 03) and drafts the plan (Form 04).
    page = officer.page
    take_step(officer, case_path, "Record the specific assessment (Form 03)")
    levels(officer, physical="medium", psychological="high", family="high", education="medium")
    page.locator("#id_needs").fill("Khám sức khỏe, hỗ trợ tâm lý, theo dõi gia đình")
    page.locator("#id_meeting").fill("Cán bộ xã, bà ngoại, cô giáo chủ nhiệm: thống nhất nhu cầu")
    confirm(officer, case_path, "Record the specific assessment (Form 03)")
    take_step(officer, case_path, "Draft the support plan (Form 04)")
    page.locator("#id_objectives").fill("Cháu an toàn, đủ ăn, đi học đều")
    page.locator("#id_measures").fill("Khám sức khỏe tại bệnh viện — cán bộ xã — trong tuần")
    today = dt.date.today()  # the browser's day: the plan starts no earlier than the report
    page.locator("#id_start").fill(f"{today:%d/%m/%Y}")
    page.locator("#id_end").fill(f"{today + dt.timedelta(days=90):%d/%m/%Y}")
    confirm(officer, case_path, "Draft the support plan (Form 04)")
    state(officer, "Plan drafted, awaiting approval")

    # Only the chairman approves: the officer is not offered the step, and is refused if they try.
    approve = "Approve the plan (Form 05)"
    expect(next_steps(officer).get_by_role("link", name=vi(approve), exact=True)).to_have_count(0)
    # Typed in by hand, the step's address brings the officer back to the case with the reason.
    officer.visit(case_path + "approve_plan/")
    expect(page).to_have_url(re.compile(re.escape(case_path) + "$"))
    expect(page.get_by_role("status").first).to_be_visible()
    state(officer, "Plan drafted, awaiting approval")
    expect(page.get_by_text("99/QĐ-UBND")).to_have_count(0)

    # The chairman approves after the meeting, its participants recorded (Form 05).
    page = chairman.page
    take_step(chairman, case_path, approve)
    page.locator("#id_decision_number").fill("15/QĐ-UBND")
    page.locator("#id_participants").fill("Chủ tịch UBND xã, cán bộ xã, trưởng thôn, bà ngoại của cháu")
    # The chairman sees the plan he approves, and confirms an irreversible decision.
    expect(
        page.get_by_role("region", name=re.compile(re.escape(vi("The plan to decide on"))))
    ).to_contain_text("Khám sức khỏe tại bệnh viện")
    page.locator("#id_step-confirm").check()
    confirm(chairman, case_path, approve)
    state(chairman, "Plan approved: intervention")
    expect(page.get_by_role("article").filter(has_text="15/QĐ-UBND")).to_contain_text("trưởng thôn")

    # The officer refers the child to the hospital for medical care, with consent.
    page = officer.page
    officer.visit(case_path)
    officer.click(page.get_by_role("link", name=vi("Refer to another organisation"), exact=True))
    page.locator("#id_to_organisation").select_option(label=world.hospital_a)
    page.locator("#id_service").select_option("medical")
    page.locator("#id_note").fill("Khám tổng quát và điều trị vết bầm ở tay")
    page.locator("#id_consent").check()
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == case_path
    refer = vi("Refer to another organisation")
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": refer})).to_be_visible()

    # The hospital's social worker sees the referral, and only the referral.
    hospital = open_tab()
    page = hospital.page
    hospital.sign_in("hospital.sw")
    hospital.click(page.get_by_role("navigation").get_by_role("link", name=vi("Referrals"), exact=True))
    hospital.click(page.locator("main table").get_by_role("link", name=child_name, exact=True))
    expect(page.locator("main")).to_contain_text(vi("Medical care"))
    for secret in (INFORMANT[0], INFORMANT[1], CONDITION, LIKELY_HARM, "15/QĐ-UBND"):
        expect(page.locator("body")).not_to_contain_text(secret)
    hospital.click(page.get_by_role("button", name=vi("Accept"), exact=True))
    expect(page.locator("main .badge").first).to_have_text(vi("Accepted"))
    page.locator("#id_outcome").fill("Đã khám, vết bầm đã lành, cân nặng đang tăng")
    hospital.click(page.get_by_role("button", name=vi("Report the service done"), exact=True))
    expect(page.locator("main .badge").first).to_have_text(vi("Done"))
    for path in (case_path, child_path):
        hospital.visit(path, status=404)
        expect(page.get_by_text(child_name)).to_have_count(0)

    # The provincial officer follows the case, but is not told who reported it.
    province = open_tab()
    page = province.page
    province.sign_in("province")
    province.visit(case_path)
    expect(page.locator("h1")).to_contain_text(child_name)
    expect(page.get_by_role("region", name=vi("The informant"), exact=True)).to_have_count(0)
    for secret in INFORMANT:
        expect(page.locator("body")).not_to_contain_text(secret)

    # The officer sees the referral done, and records the review (Form 06): every risk Low.
    page = officer.page
    take_step(officer, case_path, "Record the review (Form 06)")
    levels(officer, harm="low", abuser_access="low", obstacles="low", resilience="high")
    page.locator("#id_summary").fill("Cháu ở với bà ngoại, đi học đều, khỏe mạnh")
    confirm(officer, case_path, "Record the review (Form 06)")
    state(officer, "Reviewed")
    referral_row = page.get_by_role("region", name=vi("Referrals"), exact=True).first.locator("tbody tr")
    expect(referral_row).to_contain_text(world.hospital_a)
    expect(referral_row).to_contain_text(vi("Done"))

    # The chairman closes the case: the child is safe and stable.
    page = chairman.page
    take_step(chairman, case_path, "Close the case")
    page.locator("#id_reason").fill("Không còn nguy cơ; cháu ổn định với bà ngoại")
    page.locator("#id_step-confirm").check()
    confirm(chairman, case_path, "Close the case")
    state(chairman, "Closed")
    # Closed: the only step left is to reopen it, should it have been closed in error.
    expect(next_steps(chairman).get_by_role("link")).to_have_text([vi("Reopen the case")])


def test_the_12_hour_clock_escalates_when_nobody_acts(open_tab, world, server, clock):
    public = open_tab()
    report_publicly(public, world, FORGOTTEN, informant=False)

    officer = open_tab()
    page = officer.page
    officer.sign_in("commune.officer")
    case_path = find_case(officer, FORGOTTEN)
    twelve_hours = deadline(officer, "Emergency measures or temporary separation")
    expect(twelve_hours).to_contain_text(vi("open"))
    expect(page.get_by_role("region", name=vi("The informant"), exact=True)).to_contain_text(
        vi("The informant is not recorded (no consent, or anonymous).")
    )

    # Nobody takes the report up: 13 hours later the sweep escalates the 12-hour clock.
    clock("13h")
    server.haven("sweep")
    officer.visit(case_path)
    state(officer, "Received")
    overdue = vi("overdue, escalated to level %(level)s").split("%(level)s")[0].strip()
    expect(twelve_hours.locator(".badge-danger")).to_contain_text(overdue)


def shoot(tab: Haven, name: str) -> None:
    """A screenshot of the whole page, kept in HAVEN_E2E_SHOTS when set (to look at afterwards)."""
    folder = os.environ.get("HAVEN_E2E_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_contradictory_form_02_is_refused_and_a_case_closed_in_error_is_reopened(open_tab, world):
    """Decree 56/2017 art. 26: Form 02 cannot call a report unfounded while it scores the risks High
    and asks for emergency measures; the reasons are shown and what was typed is kept. Then a report
    concluded unfounded is reopened by the commune chairman, with a reason, its deadlines running again."""
    public = open_tab()
    report_publicly(public, world, CONTRADICTED, informant=False)

    officer = open_tab()
    page = officer.page
    officer.sign_in("commune.officer")
    case_path = find_case(officer, CONTRADICTED)
    officer.click(next_steps(officer).get_by_role("button", name=vi("Take up the report"), exact=True))

    form_02 = "Record the initial assessment (Form 02)"
    take_step(officer, case_path, form_02)
    levels(officer, harm="high", danger="high", abuser_access="high")
    page.locator("#id_verification").fill(VERIFIED)
    page.locator("#id_unfounded").check()
    page.locator("#id_emergency").check()
    page.locator("#id_step-confirm").check()
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    # Refused: still on the form, every reason next to its answer, what was typed kept.
    assert urlsplit(page.url).path == case_path + "assess_initial/", page.url
    expect(page.get_by_role("alert")).to_contain_text(
        vi("Nothing was saved. Please correct the fields marked below.")
    )
    high = vi("This risk is scored High: the report cannot be concluded unfounded.")
    expect(page.locator(".errorlist", has_text=high)).to_have_count(3)
    emergency = vi(
        "Emergency measures within 12 hours were chosen: the report cannot be concluded unfounded "
        "(Decree 56/2017, Article 26(3))."
    )
    expect(page.locator("#id_emergency_error")).to_contain_text(emergency)
    expect(page.locator("#id_unfounded_error")).to_be_visible()
    expect(page.locator("#id_verification")).to_have_value(VERIFIED)
    for field in ("harm", "danger", "abuser_access"):
        expect(page.locator(f"input[name={field}][value=high]")).to_be_checked()
    expect(page.locator("#id_unfounded")).to_be_checked()
    shoot(officer, "protection-form02-contradiction-refused-phone")

    # Nothing was saved: the case still waits for Form 02, its 12-hour clock running.
    officer.visit(case_path)
    state(officer, "With the commune: verifying")
    expect(deadline(officer, "Emergency measures or temporary separation")).to_contain_text(vi("open"))

    # The officer (wrongly) concludes the report unfounded, every risk Low: the report closes.
    take_step(officer, case_path, form_02)
    levels(officer, harm="low", danger="low", abuser_access="low")
    page.locator("#id_verification").fill("Gia đình nói cháu bị ngã; không gặp được nhà trường")
    page.locator("#id_unfounded").check()
    expect(page.get_by_role("note")).to_contain_text(vi("Initial assessment: unfounded"))
    page.locator("#id_step-confirm").check()
    confirm(officer, case_path, form_02)
    state(officer, "Closed: unfounded")
    expect(deadline(officer, "Emergency measures or temporary separation")).to_contain_text(
        vi("No longer needed")
    )
    expect(next_steps(officer)).to_have_count(0)  # the officer cannot reopen it

    # The school calls the chairman: the child has new bruises. He reopens the case, with the reason.
    chairman = open_tab()
    page = chairman.page
    chairman.sign_in("chairman")
    reopen = "Reopen the case"
    take_step(chairman, case_path, reopen)
    expect(page.get_by_role("region", name=vi("How the case was closed"))).to_contain_text(
        vi("Initial assessment: unfounded")
    )
    page.locator("#id_reason").fill(REOPENED_BECAUSE)
    chairman.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    # Not confirmed yet: the reason typed is kept and the box is asked for.
    expect(page.locator(".alert-error")).to_contain_text(vi("Tick the box to confirm this step."))
    expect(page.locator("#id_reason")).to_have_value(REOPENED_BECAUSE)
    shoot(chairman, "protection-reopen-form-phone")
    page.locator("#id_step-confirm").check()
    confirm(chairman, case_path, reopen)
    state(chairman, "With the commune: verifying")
    # Its deadlines run again from now: Form 02 once more, the 12-hour clock.
    for clock_title in ("Initial assessment (Form 02)", "Emergency measures or temporary separation"):
        expect(deadline(chairman, clock_title).filter(has_text=vi("open"))).to_have_count(1)
    reopened = page.locator("ol.timeline > li", has_text=vi("Reopened"))
    expect(reopened).to_contain_text(REOPENED_BECAUSE)
    shoot(chairman, "protection-reopened-case-phone")

    # The officer is offered Form 02 again.
    officer.visit(case_path)
    expect(next_steps(officer).get_by_role("link", name=vi(form_02), exact=True)).to_have_count(1)
