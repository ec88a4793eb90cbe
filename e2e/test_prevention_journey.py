"""Preventing abandonment on a 360-pixel phone (vietnam-process.md §9c): a Women's Union collaborator
flags a pregnant woman in a village she covers, records her consent and the first visit, the needs
assessment and a referral to counselling; a monthly visit is missed and reaches the commune officer;
the birth is recorded and the newborn's papers are tracked to the end of their 60-day clock."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

WOMAN = ("Quàng", "Thị", "Duyên")
PERSON_PATH = re.compile(r"/prevention/[0-9a-f-]{36}/")


def vi(message: str) -> str:
    return t(message, "vi")


def vietnam_today(days_ahead: int = 0) -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + dt.timedelta(days=days_ahead)


def next_steps(tab: Haven):
    return tab.page.get_by_role("region", name=vi("Next steps you can take"))


def take_step(tab: Haven, path: str, title: str) -> None:
    tab.visit(path)
    tab.click(next_steps(tab).get_by_role("link", name=vi(title), exact=True))
    expect(tab.page.locator("h1")).to_have_text(vi(title))


def confirm(tab: Haven, path: str, title: str) -> None:
    page = tab.page
    tab.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == path, f"{title}: still on {page.url}"
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": vi(title)})).to_be_visible()


def state(tab: Haven, label: str) -> None:
    expect(tab.page.locator("main p .badge").first).to_have_text(vi(label))


def clocks(tab: Haven):
    return tab.page.get_by_role("region", name=vi("Deadlines"), exact=True)


def test_a_collaborator_follows_a_pregnant_woman_from_the_flag_to_the_newborns_papers(
    open_tab, world, server, clock
):
    collaborator = open_tab()
    page = collaborator.page
    collaborator.sign_in("collaborator")
    collaborator.click(page.get_by_role("navigation").get_by_role("link", name=vi("Prevention"), exact=True))
    collaborator.click(page.get_by_role("link", name=vi("Flag a person at risk"), exact=True))

    # Risk factors without her consent are refused, and nothing is saved.
    page.locator("#id_family_name").fill(WOMAN[0])
    page.locator("#id_middle_name").fill(WOMAN[1])
    page.locator("#id_given_name").fill(WOMAN[2])
    page.locator("#id_birth_year").fill("2003")
    page.locator("#id_village").select_option(label=f"Tổ dân phố 6 — {world.commune_a}")
    page.locator("#id_pregnant").check()
    page.locator("input[name=risk_factors][value=single_mother]").check()
    page.locator("input[name=risk_factors][value=unintended_pregnancy]").check()
    collaborator.click(page.get_by_role("button", name=vi("Record"), exact=True))
    expect(page.locator("h1")).to_have_text(vi("Flag a person at risk"))
    expect(
        page.get_by_text(
            vi(
                "Risk factors, the expected date of delivery and notes are sensitive: record them only "
                "once she consents (or leave them for the first contact)."
            )
        )
    ).to_be_visible()

    # She agreed: flagged, with the first contact due within 3 days.
    page.locator("#id_consent").check()
    collaborator.click(page.get_by_role("button", name=vi("Record"), exact=True))
    path = urlsplit(page.url).path
    assert PERSON_PATH.fullmatch(path), f"not on her record: {page.url}"
    state(collaborator, "Identified: first contact due")
    expect(clocks(collaborator)).to_contain_text(vi("First contact with the person at risk"))

    # The first visit, at her home, with her consent and the expected date of delivery.
    take_step(collaborator, path, "Record the first contact and her consent")
    page.locator("input[name=consent][value='1']").check()
    page.locator("input[name=wellbeing][value=concern]").check()
    page.locator("#id_expected_delivery").fill(f"{vietnam_today(100):%d/%m/%Y}")
    confirm(collaborator, path, "Record the first contact and her consent")
    state(collaborator, "Contacted: assessment due")

    take_step(collaborator, path, "Assess her needs")
    page.locator("input[name=need_psychological][value=urgent]").check()
    page.locator("input[name=need_economic][value=some]").check()
    confirm(collaborator, path, "Assess her needs")
    state(collaborator, "Assessed: support plan due")

    take_step(collaborator, path, "Refer her to a service")
    page.locator("#id_service").select_option("counselling")
    page.locator("#id_provider").fill("Trạm y tế phường")
    confirm(collaborator, path, "Refer her to a service")
    expect(page.get_by_role("region", name=vi("Support"), exact=True)).to_contain_text(
        vi("Psychological counselling")
    )

    take_step(collaborator, path, "Agree the support plan")
    confirm(collaborator, path, "Agree the support plan")
    state(collaborator, "Support plan: regular follow-up")
    expect(clocks(collaborator)).to_contain_text(vi("Monthly contact with the person at risk"))

    # A visit dated in the future is refused.
    take_step(collaborator, path, "Record a visit")
    page.locator("#id_at").fill(f"{vietnam_today(2):%d/%m/%Y} 09:00")
    page.locator("input[name=wellbeing][value=good]").check()
    collaborator.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    expect(page.get_by_text(vi("This time is in the future."))).to_be_visible()

    # Nobody visits for a month: the sweep escalates, and the commune officer sees it.
    clock("32d")
    server.haven("sweep")
    officer = open_tab()
    officer.sign_in("commune.officer")
    expect(
        officer.page.get_by_role("link", name=vi("Monthly contact with the person at risk"), exact=True).first
    ).to_be_visible()
    officer.visit(path)
    monthly = clocks(officer).locator("li", has_text=vi("Monthly contact with the person at risk"))
    expect(monthly.locator(".badge-danger")).to_have_count(1)

    # The collaborator visits; then the baby is born.
    take_step(collaborator, path, "Record a visit")
    page.locator("input[name=wellbeing][value=good]").check()
    confirm(collaborator, path, "Record a visit")
    born = vietnam_today(32)
    take_step(collaborator, path, "Record the birth")
    page.locator("#id_born_on").fill(f"{born:%d/%m/%Y}")
    page.locator("input[name=sex][value=female]").check()
    page.locator("#id_given_name").fill("Bình An")
    page.locator("input[name=wellbeing][value=good]").check()
    confirm(collaborator, path, "Record the birth")
    state(collaborator, "After the birth: postnatal visits")
    papers = clocks(collaborator).locator(
        "li", has_text=vi("Newborn's birth registration, residence and health insurance")
    )
    expect(papers).to_contain_text(vi("Open"))
    expect(clocks(collaborator)).to_contain_text(vi("Postnatal home visit"))

    # The papers: birth registration first; the clock stops when all three are recorded.
    take_step(collaborator, path, "Record the newborn's papers")
    page.locator("#id_birth_registered_on").fill(f"{born:%d/%m/%Y}")
    confirm(collaborator, path, "Record the newborn's papers")
    expect(papers).to_contain_text(vi("Open"))
    take_step(collaborator, path, "Record the newborn's papers")
    page.locator("#id_residence_registered_on").fill(f"{born:%d/%m/%Y}")
    page.locator("#id_insurance_issued_on").fill(f"{born:%d/%m/%Y}")
    confirm(collaborator, path, "Record the newborn's papers")
    expect(papers).to_contain_text(vi("Done"))
    expect(page.get_by_role("region", name=vi("Outcome"), exact=True)).to_contain_text(f"{born:%d/%m/%Y}")
