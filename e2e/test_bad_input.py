"""A wrong entry in the browser is explained on its field and saves nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser

NAME = ("Lò", "Văn", "Pin Sai")
# Right length, sex digit and year for a boy born in 2018; 999 is no province's code.
WRONG_PROVINCE_PIN = "999218123456"


def children_listed(haven) -> int:
    haven.visit("/children/")
    summary = haven.page.locator("#results p").first.inner_text()
    return int(re.search(r"\d+", summary).group())


def test_registering_a_child_with_an_invalid_pin_shows_the_field_error_and_creates_nothing(haven, world):
    page = haven.page
    haven.sign_in("commune.officer")
    before = children_listed(haven)
    expect(haven.search_children(" ".join(NAME)).get_by_role("link")).to_have_count(0)

    haven.visit("/children/new/")
    page.locator("#id_family_name").fill(NAME[0])
    page.locator("#id_middle_name").fill(NAME[1])
    page.locator("#id_given_name").fill(NAME[2])
    page.locator("#id_sex").select_option("male")
    page.locator("#id_nationality").select_option("VN")
    page.locator("#id_date_of_birth").fill("15/03/2018")
    page.locator("#id_current_commune").select_option(label=world.commune_a)
    page.locator("#id_pin").fill(WRONG_PROVINCE_PIN)
    haven.click(page.locator("form.form button[type=submit]"))

    assert page.url.endswith("/children/new/")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_pin_error")).to_have_text(
        t("The first three digits are not a province code.", "vi")
    )
    expect(page.locator("#id_pin")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_pin")).to_have_value(WRONG_PROVINCE_PIN)

    assert children_listed(haven) == before
    expect(haven.search_children(" ".join(NAME)).get_by_role("link")).to_have_count(0)
