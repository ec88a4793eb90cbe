"""A complaint end to end on a phone, in Vietnamese (Law on Complaints 2011): a carer sends it from the
public form and says a child is harmed; the commune officer finds it on the list with its deadline,
accepts it and opens a child-protection case from it (linked both ways); the chairman settles it; the
other commune never sees it. Each in their own browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

COMPLAINANT = ("Trịnh Thị Duyên", "0912 345 678")
CONTENT = "Cháu ngoại tôi chưa nhận trợ cấp ba tháng nay; người chăm cháu còn đánh cháu."
COMPLAINT_PATH = re.compile(r"/complaints/[0-9a-f-]{36}/")


def vi(message: str) -> str:
    return t(message, "vi")


def send_publicly(tab: Haven, world) -> str:
    page = tab.page
    tab.visit("/report/complaint/")
    expect(page.locator("h1")).to_have_text(vi("Send a complaint or feedback"))
    page.locator("#id_province").select_option(world.province_id)
    commune = page.locator("#id_commune")
    expect(commune.locator("option", has_text=world.commune_a)).not_to_have_count(0)
    commune.select_option(label=world.commune_a)
    page.locator("#id_category").select_option(label="Trợ cấp không được chi trả")
    page.locator("#id_content").fill(CONTENT)
    page.locator("#id_reveals_harm").check()
    page.locator("#id_complainant_name").fill(COMPLAINANT[0])
    page.locator("#id_complainant_phone").fill(COMPLAINANT[1])
    tab.click(page.get_by_role("button", name=vi("Send"), exact=True))
    expect(page.locator("h1")).to_have_text(vi("Thank you: your message was received"))
    return page.locator("#complaint-reference strong").inner_text()


def open_complaint(tab: Haven, reference: str) -> str:
    page = tab.page
    tab.click(page.get_by_role("navigation").get_by_role("link", name=vi("Complaints"), exact=True))
    row = page.locator("#complaints li", has_text=reference)
    expect(row).to_contain_text(vi("On track"))
    tab.click(row.get_by_role("link", name=reference, exact=True))
    path = urlsplit(page.url).path
    assert COMPLAINT_PATH.fullmatch(path), page.url
    return path


def test_a_complaint_from_the_public_form_to_the_chairmans_decision(open_tab, world):
    reference = send_publicly(open_tab(), world)
    assert re.fullmatch(r"KN-[0-9A-F]{8}", reference)

    officer = open_tab()
    officer.sign_in("commune.officer")
    path = open_complaint(officer, reference)
    page = officer.page
    expect(page.locator("#complainant")).to_contain_text(COMPLAINANT[0])
    expect(page.locator("#complaint-state")).to_have_text(vi("Received: acceptance to decide"))
    officer.click(page.locator("#step-accept"))
    expect(page.locator("h1")).to_have_text(vi("Accept the complaint"))
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    expect(page.locator("#complaint-state")).to_have_text(vi("Accepted: being settled (first time)"))

    # The complaint says a child is harmed: a Form 01 report from it, through the protection domain.
    officer.click(page.locator("#step-open_protection"))
    page.locator("#id_incident_place").fill("Tổ dân phố 3")
    page.locator("#id_condition").fill("Người khiếu nại cho biết cháu bị người chăm sóc đánh.")
    page.locator("#id_likely_harm").fill("Bạo lực tiếp diễn.")
    page.locator("#id_given_name").fill("Bình")
    page.locator("input[name=sex][value=male]").check()
    page.locator("#id_estimated_age_years").fill("6")
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    officer.click(page.locator("#protection-case"))
    expect(page.locator("#case-origin")).to_contain_text(reference)
    officer.click(page.locator("#case-origin a"))
    assert urlsplit(page.url).path == path

    chairman = open_tab()
    chairman.sign_in("chairman")
    chairman.visit(path)
    cp = chairman.page
    chairman.click(cp.locator("#step-settle"))
    cp.locator("#id_decision_number").fill("88/QĐ-UBND")
    cp.locator("input[name=outcome][value=upheld]").check()
    cp.locator("#id_reasons").fill("Chi trả bổ sung ba tháng trợ cấp trong tháng này.")
    cp.locator("#id_step-confirm").check()
    chairman.click(cp.get_by_role("button", name=vi("Confirm"), exact=True))
    expect(cp.locator("#complaint-state")).to_have_text(vi("Settled: first-time decision"))
    expect(cp.locator("#appeal-until")).not_to_be_empty()

    other = open_tab()
    other.sign_in("commune.officer.b")
    other.visit(path, status=404)
