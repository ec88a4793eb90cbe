"""Everything works without a mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.browser import VERIFY, demo_code
from haven.accounts.synth import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# What Tab stops on, in document order (enough for Haven's markup: no contenteditable, no iframes).
FIRST_TABBABLE = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]'
)].find(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length)?.outerHTML"""


def tab_to(page: Page, target: Locator, *, at_most: int = 15) -> None:
    """Press Tab until ``target`` has the focus (it may have it already: autofocus)."""
    for _ in range(at_most):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_sign_in_needs_only_the_keyboard_and_the_skip_link_comes_first(haven, world):
    page = haven.page
    keyboard = page.keyboard
    haven.visit("/accounts/login/")
    assert 'class="skip-link"' in page.evaluate(FIRST_TABBABLE)

    tab_to(page, page.locator("#id_username"))
    keyboard.type("commune.officer")
    keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    keyboard.type(DEMO_PASSWORD)
    haven.follow(lambda: keyboard.press("Enter"))
    # The officer's role requires a second factor: the code page has the focus in its field.
    assert page.url == haven.base_url + VERIFY
    expect(page.locator("#id_token")).to_be_focused()
    keyboard.type(demo_code("commune.officer"))
    haven.follow(lambda: keyboard.press("Enter"))
    assert page.url == haven.base_url + "/"
    expect(page.locator(".user-menu")).to_contain_text(world.officer_name)

    keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    expect(page.locator("a.skip-link")).to_be_in_viewport()
    keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    haven.check()  # the skip link changed the address to #main
