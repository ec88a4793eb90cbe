"""A central analyst sees counts, never a child."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser


def test_analyst_sees_figures_but_a_childs_record_is_not_found(haven, world):
    page = haven.page
    nav = page.get_by_role("navigation")
    haven.sign_in("analyst")
    expect(nav.get_by_role("link", name=t("Children", "vi"), exact=True)).to_have_count(0)

    haven.click(nav.get_by_role("link", name=t("Figures", "vi"), exact=True))
    expect(page.locator("h1")).to_have_text(t("Children by area and group", "vi"))
    expect(page.locator("table tbody tr").first).to_be_visible()

    haven.visit(f"/children/{world.child_id}/", status=404)
    expect(page.get_by_text(world.child_name)).to_have_count(0)
    haven.visit("/children/", status=404)
