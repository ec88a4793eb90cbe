"""A pupil's support on a 360-pixel phone in Vietnamese: the commune officer finds, among the pupils'
support, Haven's proposal of the learning-cost support for a boy with a disability (150,000 đồng a month,
marked as not verified against Decree 238/2025) and the tuition support of a girl at a private school,
which the province has not set ("do tỉnh quy định", no amount); the officer takes the boy's up, the
chairman decides it, and the boy's school page shows the decision and its first semester."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser


def vi(message: str) -> str:
    return t(message, "vi")


def test_the_officer_takes_up_a_pupil_s_support_and_the_chairman_decides_it(open_tab, world):
    officer = open_tab()
    officer.sign_in("commune.officer")
    page = officer.page
    officer.visit("/entitlements/")
    officer.click(page.locator("#school-support-link"))
    waiting = page.locator("#school-waiting")

    # The girl at a private school: tuition support proposed, the province has set no rate.
    officer.click(waiting.get_by_role("link", name=re.compile("Mai Ngọc Minh Anh")))
    expect(page.locator("#tuition-unset")).to_have_text(vi("to be set by the province"))
    expect(page.locator("#school-terms")).not_to_contain_text("đồng")

    officer.visit("/entitlements/school-support/")
    officer.click(page.locator("#school-waiting").get_by_role("link", name=re.compile("Lương Văn Khánh")))
    application = page.url
    expect(page.locator("#learning-costs")).to_contain_text("150.000 đồng")
    expect(page.locator("#learning-unverified")).to_have_text(vi("unverified"))
    expect(page.locator("#step-verify")).to_have_count(0)
    officer.click(page.locator("#step-take_up"))
    expect(page.locator("#id_ground")).to_have_count(0)  # the group comes from the child's record
    page.locator("#id_applicant_name").fill("Lương Thị Hằng")
    officer.follow(lambda: page.get_by_role("button", name=vi("Confirm")).click())
    expect(page.locator("#application-state")).to_have_text(vi("Application received"))

    chairman = open_tab()
    chairman.sign_in("chairman")
    chairman.visit(application.removeprefix(chairman.base_url))
    cpage = chairman.page
    chairman.click(cpage.locator("#step-decide"))
    expect(cpage.get_by_role("heading", name=vi("Decide the pupil's support"))).to_be_visible()
    # Nothing filled in: told what is missing, nothing decided.
    chairman.follow(lambda: cpage.get_by_role("button", name=vi("Confirm")).click())
    expect(cpage.get_by_text(vi("This field is required.")).first).to_be_visible()
    cpage.locator("#id_decision_number").fill("318/QĐ-UBND")
    cpage.locator("#id_step-confirm").check()
    chairman.follow(lambda: cpage.get_by_role("button", name=vi("Confirm")).click())
    expect(cpage.locator("#application-state")).to_have_text(vi("Decided"))
    expect(cpage.locator("#school-terms")).to_contain_text(vi("due to be paid"))

    # The boy's school page, as the commune officer reads it.
    officer.visit(application.removeprefix(officer.base_url))
    child_page = page.get_by_role("link", name=vi("The child's entitlements")).get_attribute("href")
    officer.visit(child_page.replace("/entitlements/", "/education/"))
    support = page.locator("#entitlements")
    expect(support).to_contain_text("318/QĐ-UBND")
    expect(support.locator("#tuition")).to_contain_text(vi("Free (public school)"))
    expect(support.locator("#support-instalments")).to_contain_text("đồng")
