"""Forms that neither break nor lose what was typed, on a 360-pixel phone in Vietnamese (walkthrough D3,
D8 and the long unbroken word of D5/D17): the commune officer presses "Phân công" and "Thêm" with
nothing filled in and is told what is missing (it was an HTTP 500); the collaborator's first contact
shows and keeps the risk factors, the due date and the notes recorded at the flag (they were wiped);
a 300-letter word in the notes does not widen the page."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

RISKS = {
    "unintended_pregnancy": "Unintended or unwanted pregnancy",
    "single_mother": "Single mother, no support from the father",
    "says_cannot_keep": "Says she cannot keep the baby",
}
LONG_WORD = "Khôngcáchnào" * 25  # 300 letters and no space: a pasted or mistyped note


def vi(message: str) -> str:
    return t(message, "vi")


def section(tab: Haven, heading: str):
    return tab.page.locator("section.card", has=tab.page.get_by_role("heading", name=vi(heading), exact=True))


def test_an_empty_village_assignment_says_what_is_missing(haven, world):
    haven.sign_in("commune.officer")
    page = haven.page
    haven.click(page.get_by_role("navigation").get_by_role("link", name=vi("Prevention"), exact=True))
    haven.click(page.get_by_role("link", name=vi("Villages and collaborators"), exact=True))

    # "Phân công" with nobody and no village chosen: the form again, each field saying it is required.
    assign = section(haven, "Assign a village")
    haven.click(assign.get_by_role("button", name=vi("Assign"), exact=True))
    assign = section(haven, "Assign a village")
    expect(assign.get_by_text(vi("This field is required."))).to_have_count(2)
    expect(page.locator("#id_collaborator")).to_have_attribute("aria-invalid", "true")

    # "Thêm" with an empty name: the same, and no village is added.
    add = section(haven, "Add a village")
    haven.click(add.get_by_role("button", name=vi("Add"), exact=True))
    expect(section(haven, "Add a village").get_by_text(vi("This field is required."))).to_have_count(1)
    expect(page.get_by_text(vi("Saved."))).to_have_count(0)


def test_the_first_contact_shows_and_keeps_what_the_flag_recorded(haven, world):
    haven.sign_in("collaborator")
    page = haven.page
    due = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + dt.timedelta(days=100)
    haven.visit("/prevention/flag/")
    page.locator("#id_family_name").fill("Lò")
    page.locator("#id_middle_name").fill("Thị")
    page.locator("#id_given_name").fill("Sính")
    page.locator("#id_village").select_option(label=f"Tổ dân phố 6 — {world.commune_a}")
    page.locator("#id_pregnant").check()
    page.locator("#id_consent").check()
    for code in RISKS:
        page.locator(f"input[name=risk_factors][value={code}]").check()
    page.locator("#id_expected_delivery").fill(f"{due:%d/%m/%Y}")
    page.locator("#id_notes").fill(f"Sống một mình. {LONG_WORD}")
    haven.click(page.get_by_role("button", name=vi("Record"), exact=True))  # check(): no sideways scroll
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/prevention/[0-9a-f-]{36}/", path), f"not on her record: {page.url}"

    haven.click(page.get_by_role("link", name=vi("Record the first contact and her consent"), exact=True))
    for code in RISKS:
        expect(page.locator(f"input[name=risk_factors][value={code}]")).to_be_checked()
    expect(page.locator("#id_expected_delivery")).to_have_value(f"{due:%d/%m/%Y}")
    expect(page.locator("#id_notes")).to_have_value(re.compile("^Sống một mình"))
    page.locator("input[name=consent][value='1']").check()
    page.locator("input[name=wellbeing][value=good]").check()
    haven.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == path

    record = page.locator("main")
    for label in RISKS.values():
        expect(record).to_contain_text(vi(label))
    expect(record).to_contain_text(f"{due:%d/%m/%Y}")
    expect(record).to_contain_text("Sống một mình")


def test_the_longest_word_a_name_may_have_does_not_widen_the_page(haven, world):
    """D5/D17: an unbroken name widened the phone page to 939 px. A word of a name now has at most 30
    letters (people.rules); the page wraps even that one, and a 300-letter place as well."""
    haven.sign_in("commune.officer")
    page = haven.page
    haven.visit("/children/new/")
    page.locator("#id_family_name").fill("Nguyễn")
    page.locator("#id_given_name").fill("Abcdefghijklmnopqrstuvwxyzabcd")
    page.locator("#id_sex").select_option("female")
    page.locator("#id_nationality").select_option("VN")
    page.locator("#id_place_of_birth").fill(LONG_WORD[:200])
    page.locator("#id_date_of_birth").fill("04/03/2018")
    page.locator("#id_current_commune").select_option(label=world.commune_a)
    haven.click(page.locator("main form button[type=submit]"))  # check(): no sideways scroll
    expect(page.locator("h1")).to_contain_text("Abcdefghijklmnopqrstuvwxyzabcd")
