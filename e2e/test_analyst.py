"""A central analyst sees counts, never a child; a province officer goes from a red scorecard cell to
who is late."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser


def test_analyst_sees_figures_but_a_childs_record_is_not_found(haven, world):
    page = haven.page
    nav = page.get_by_role("navigation", name=t("Main menu", "vi"))
    haven.sign_in("analyst")
    expect(nav.get_by_role("link", name=t("Children", "vi"), exact=True)).to_have_count(0)

    haven.click(nav.get_by_role("link", name=t("Indicators", "vi"), exact=True))
    expect(page.locator("h1")).to_contain_text(t("Indicators", "vi"))
    # Each figure is a chart beside its table, on a phone too.
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("section.card table").first).to_be_visible()
    haven.click(page.get_by_role("link", name=t("Children in special circumstances", "vi"), exact=True))
    expect(page.locator("table tbody tr").first).to_be_visible()

    haven.visit(f"/children/{world.child_id}/", status=404)
    expect(page.get_by_text(world.child_name)).to_have_count(0)
    haven.visit("/children/", status=404)


def test_a_province_officer_goes_from_a_red_cell_to_who_is_late(haven, world):
    page = haven.page
    haven.sign_in("province")
    haven.visit("/reports/scorecard/")
    late = page.get_by_role("link", name=t("Who is late", "vi")).first
    expect(late).to_be_visible()
    haven.click(late)
    expect(page.locator("h1")).to_contain_text(t("Who is late", "vi"))
