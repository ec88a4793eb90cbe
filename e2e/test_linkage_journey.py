"""Record linkage in the browser (issue #5 item 5): the ministry's reviewer opens the review queue on a
phone, sees two records side by side with each field's weight, rejects one pair and accepts another;
the child's record then shows its register link; the reviewer undoes it with a reason and sees the
history on the pair and on the child's record. (`haven synth` leaves the pairs: haven/linkage/synth.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser


def vi(message: str) -> str:
    return t(message, "vi")


def open_register_pair(reviewer, index: int) -> None:
    page = reviewer.page
    reviewer.click(page.get_by_role("navigation").get_by_role("link", name=vi("Register review"), exact=True))
    page.locator("#f-kind").select_option("register")
    reviewer.click(page.get_by_role("button", name=vi("Filter")))
    reviewer.click(page.locator("main table tbody tr td:first-child a").nth(index))


def test_a_reviewer_rejects_one_pair_accepts_another_and_undoes_the_link(open_tab):
    reviewer = open_tab()
    reviewer.sign_in("ministry")
    page = reviewer.page

    # A pair side by side: each field with its weight, the total and why it was not automatic.
    open_register_pair(reviewer, 0)
    table = page.get_by_test_id("side-by-side")
    expect(table.locator("tbody tr")).to_have_count(9)
    expect(table.locator(".weight-bar").first).to_be_visible()
    expect(page.get_by_test_id("total-weight")).not_to_be_empty()
    reviewer.click(page.get_by_role("button", name=vi("Not the same"), exact=True))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text(vi("Not the same"))

    # Another pair: the same person.
    open_register_pair(reviewer, 0)
    page.locator("#note").fill("Cùng tên, cùng ngày sinh, cùng xã")
    reviewer.click(page.get_by_role("button", name=vi("Same person"), exact=True))
    expect(page.get_by_test_id("status")).to_have_text(vi("Linked"))
    pair_url = page.url

    # The child's record shows the link.
    reviewer.click(page.get_by_role("link", name=vi("Open the child's record")))
    section = page.get_by_test_id("register-link")
    expect(section.locator(".badge-ok")).to_be_visible()
    expect(section).to_contain_text(vi("after review"))

    # Undo it with a reason; the history shows on the pair and on the child's record.
    reviewer.visit(pair_url.removeprefix(reviewer.base_url))
    page.locator("#reason").fill("Nhầm với anh trai cùng hộ")
    reviewer.click(page.get_by_role("button", name=vi("Undo"), exact=True))
    expect(page.get_by_test_id("history")).to_contain_text("Nhầm với anh trai cùng hộ")
    expect(page.get_by_test_id("history")).to_contain_text("Cùng tên, cùng ngày sinh, cùng xã")
    reviewer.click(page.get_by_role("link", name=vi("Open the child's record")))
    section = page.get_by_test_id("register-link")
    expect(section.locator(".badge-ok")).to_have_count(0)
    expect(section).to_contain_text("Nhầm với anh trai cùng hộ")
