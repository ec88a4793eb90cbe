"""Family-like care in the browser (issue #4): the facility director places a newly admitted child in a
small group; the group is then full and the ratio warning shows; the next placement is refused with the
reason and made only by the director's named override, which shows as overload; the provincial officer
sees the overload in the province's table; moving a child offers only the facility's groups.
Then a grandmother registered with the commune is verified (Form 11) by
the commune officer; the chairman, told that Form 12 is his, chooses her; the officer, told to arrange
the handover, hands her grandchild over: the child's care path reads facility → kin care; the chairman
then ends the kinship care by decision (Form 16) when the mother comes back, and prints the decision."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser

GROUP = "Nhóm Mầm non"  # the demo group with one place left (haven/care/synth.py)


def vi(message: str) -> str:
    return t(message, "vi")


def preschool(option: str) -> bool:
    """Whether the child of a "Name (dd/mm/yyyy)" option is 18 months to under 6 years old today."""
    found = re.search(r"\((\d{2})/(\d{2})/(\d{4})\)$", option)
    if not found:
        return False
    day, month, year = map(int, found.groups())
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    months = (today.year - year) * 12 + today.month - month - (today.day < day)
    return 18 <= months < 72


def test_a_director_fills_a_group_and_the_province_sees_the_overload(open_tab, world):
    director = open_tab()
    director.sign_in("facility.director")
    page = director.page
    director.click(page.get_by_role("navigation").get_by_role("link", name=vi("Care"), exact=True))
    expect(page.locator("h1")).to_have_text(world.facility_b)
    row = page.locator("main tr[data-group]", has_text=GROUP)
    expect(row.locator(".group-state .badge")).to_have_text(vi("Within norms"))

    # The last place of the group goes to a child the facility has just admitted.
    director.click(row.get_by_role("link", name=vi("Place a child")))
    expect(page.locator("#ratio-warning")).to_have_count(0)
    child_select = page.locator("#id_child")
    # A named child (the found children on their own pathway are listed too, not yet named).
    options = child_select.locator("option").all_inner_texts()
    # A named child of the group's ages, 18 months to under 6 years (a child of other ages needs the
    # director's override: Circular 09/2024 art. 6), read from the birth date the list shows.
    named = [i for i, text in enumerate(options) if i and not text.startswith("(") and preschool(text)]
    first_child = options[named[0]]
    child_select.select_option(index=named[0])
    page.locator("#id_reason").fill("Tiếp nhận theo quyết định của Chủ tịch UBND phường")
    director.click(page.get_by_role("button", name=vi("Place the child")))
    expect(page.locator(".alert-success")).to_be_visible()
    row = page.locator("main tr[data-group]", has_text=GROUP)
    expect(row.locator(".group-state .badge")).to_have_text(vi("Full"))

    # The group is full: the warning shows, and a placement without an override is refused.
    director.click(row.get_by_role("link", name=vi("Place a child")))
    expect(page.locator("#ratio-warning")).to_be_visible()
    page.locator("#id_child").select_option(label=options[named[1]])
    page.locator("#id_reason").fill("Trẻ bị bỏ rơi, tiếp nhận khẩn cấp")
    director.click(page.get_by_role("button", name=vi("Place the child")))
    refusal = page.locator(".alert-error")
    expect(refusal).to_contain_text(GROUP)
    expect(refusal).to_contain_text("7")  # six places; this would make seven children
    page.locator("#id_override_reason").fill("Không còn cơ sở nào trong tỉnh nhận trẻ trong đêm nay")
    director.click(page.get_by_role("button", name=vi("Place the child")))
    row = page.locator("main tr[data-group]", has_text=GROUP)
    expect(row.locator(".group-state .badge")).to_have_text(vi("Overload"))

    # The provincial officer sees the overload in the province's table.
    province = open_tab()
    province.sign_in("province")
    province.click(province.page.get_by_role("navigation").get_by_role("link", name=vi("Care"), exact=True))
    province.click(province.page.get_by_role("link", name=vi("Occupancy and family-based care by province")))
    facility_row = province.page.locator("#facilities tr", has_text=world.facility_b)
    expect(facility_row.locator(".badge")).to_have_text(vi("Overload"))

    # Moving the child offers the facility's groups only: a family takes a child by the chairman's
    # decision (Form 12), never by a carer's name typed here.
    row = page.locator("main tr[data-group]", has_text=GROUP)
    name = first_child.split(" (")[0]
    director.click(row.get_by_role("link", name=name, exact=True))
    expect(page.locator("title")).not_to_have_text(name)
    director.click(page.get_by_role("link", name=vi("Move the child")))
    expect(page.locator("#id_form option")).to_have_count(1)
    expect(page.locator("#id_form option")).to_have_text(vi("Facility small group"))
    expect(page.locator("#id_carer_name")).to_have_count(0)


KIN = "Hoàng Thị Tâm"  # registered by the demo data as a grandmother of a child in the facility


def test_a_kin_family_is_verified_chosen_by_the_chairman_and_takes_the_child(open_tab, world):
    officer = open_tab()
    officer.sign_in("commune.officer")
    page = officer.page
    officer.click(page.get_by_role("navigation").get_by_role("link", name=vi("Care"), exact=True))
    officer.click(page.get_by_role("link", name=vi("Alternative-care families")))
    officer.click(page.locator("#families").get_by_role("link", name=KIN))
    family_page = page.url.removeprefix(officer.base_url)
    # Each step of the family is a page of its own, offered to whoever takes it (Form 11: the officer).
    officer.click(page.locator("#family-steps").get_by_role("link", name=vi("Verify the family (Form 11)")))
    page.locator("#id_eligible").check()
    page.locator("#id_note").fill("Đã đến nhà: nhà rộng, bà khỏe mạnh, cả nhà đồng thuận")
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    expect(page.locator("#family-status")).to_have_text(vi("Verified (Form 11)"))
    expect(page.locator("#family-timeline li")).to_have_count(2)  # registered, verified

    # The chairman is told that Form 12 is his (walkthrough D14), and decides from the message.
    chairman = open_tab()
    chairman.sign_in("chairman")
    chairman.click(chairman.page.get_by_role("navigation").get_by_role("link", name=vi("Inbox"), exact=True))
    chairman.click(chairman.page.locator(f"main a[href='{family_page}']").first)
    chairman.click(
        chairman.page.locator("#family-steps").get_by_role(
            "link", name=vi("Decide to hand a child to this family (Form 12)")
        )
    )
    chairman.page.locator("#id_child").select_option(index=1)
    chairman.page.locator("#id_decision_number").fill("25/QĐ-UBND")
    chairman.click(chairman.page.get_by_role("button", name=vi("Confirm"), exact=True))
    expect(chairman.page.locator("#family-status")).to_have_text(vi("Chosen by the chairman (Form 12)"))

    # The officer is told to arrange the handover; the handover page says what will happen.
    officer.click(page.get_by_role("navigation").get_by_role("link", name=vi("Inbox"), exact=True))
    officer.click(page.locator(f"main a[href='{family_page}']").first)
    officer.click(page.locator("#family-steps").get_by_role("link", name=vi("Hand the child over")))
    page.locator("#id_step-confirm").check()
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    steps = page.locator("#care-path li")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text(vi("Facility small group"))
    expect(steps.nth(1)).to_contain_text(vi("Kinship care"))
    expect(page.locator("#current-care")).to_contain_text(vi("Kinship care"))
    expect(page.locator("main")).to_contain_text(KIN)

    # The grandmother can no longer care: the mother has come back. The chairman ends the kinship care
    # by decision (Form 16, Law on Children art. 69); the printable decision names the ground.
    chairman.visit(page.url.removeprefix(officer.base_url))
    chairman.click(chairman.page.locator("#decide-link"))
    chairman.page.locator("#id_ground").select_option("reunification")
    chairman.page.locator("#id_decision_number").fill("31/QĐ-UBND")
    chairman.page.locator("#id_note").fill("Mẹ của trẻ đã trở về, đủ điều kiện nuôi con")
    chairman.click(chairman.page.get_by_role("button", name=vi("Confirm"), exact=True))
    decision = chairman.page.locator("#form16")
    expect(decision).to_contain_text("Mẫu số 16")
    expect(decision).to_contain_text("31/QĐ-UBND")
    expect(decision).to_contain_text("Trẻ em trở về với cha mẹ, gia đình.")
    # The grandmother's care has ended; she stays on the register until the commune's quarterly update.
    chairman.visit(family_page)
    expect(chairman.page.locator("#family-status")).to_have_text(vi("Care ended"))
