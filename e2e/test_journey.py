"""The foundation journey: find a child, open the record, see one's own access in its log."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser


def test_officer_finds_own_communes_child_without_diacritics_and_is_in_its_access_log(open_tab, world):
    officer = open_tab()
    page = officer.page
    officer.sign_in("commune.officer")
    officer.click(page.get_by_role("navigation").get_by_role("link", name=t("Children", "vi"), exact=True))

    assert world.child_folded.isascii(), "typed without Vietnamese diacritics"
    results = officer.search_children(world.child_folded)
    officer.click(results.get_by_role("link", name=world.child_name, exact=True))
    expect(page.locator("h1")).to_have_text(world.child_name)
    record_path = urlsplit(page.url).path

    officer.click(page.get_by_role("link", name=t("Access log", "vi"), exact=True))
    mine = page.locator("tbody tr").filter(has_text=world.officer_name)
    opened = mine.filter(has_text=t("Opened the record", "vi"))
    expect(opened.first).to_be_visible()
    # Reading the log is itself recorded, as its own action.
    expect(mine.filter(has_text=t("Read the access log", "vi")).first).to_be_visible()
    officer.switch_language("en")
    expect(mine.filter(has_text="Opened the record").first).to_be_visible()

    other_commune = open_tab()
    other_commune.sign_in("commune.officer.b")
    other_commune.visit(record_path, status=404)
    expect(other_commune.page.get_by_text(world.child_name)).to_have_count(0)
