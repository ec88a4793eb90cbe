"""The interface speaks Vietnamese by default and English on request, and back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser


def test_language_switch_changes_the_interface_to_english_and_back(open_tab, world):
    # A borrowed laptop set to English still greets a commune officer in Vietnamese.
    haven = open_tab(locale="en-US")
    page = haven.page
    html = page.locator("html")
    nav = page.get_by_role("navigation")
    haven.sign_in("commune.officer")
    expect(html).to_have_attribute("lang", "vi")
    expect(nav.get_by_role("link", name=t("Today", "vi"), exact=True)).to_be_visible()

    haven.switch_language("en")
    expect(html).to_have_attribute("lang", "en")
    expect(nav.get_by_role("link", name="Today", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_have_text(f"Hello, {world.officer_name}")
    expect(page.locator(".lang-switch button[value=en]")).to_have_attribute("aria-pressed", "true")

    haven.switch_language("vi")
    expect(html).to_have_attribute("lang", "vi")
    expect(nav.get_by_role("link", name=t("Today", "vi"), exact=True)).to_be_visible()
    expect(page.locator(".lang-switch button[value=vi]")).to_have_attribute("aria-pressed", "true")
