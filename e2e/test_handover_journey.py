"""A facility asked to accept a found child decides on what it needs to know (walkthrough D7), on a
phone, in Vietnamese: the commune officer decides emergency admission to the facility; the facility's
director signs in, finds the answer on "Today" as a task with its 12-hour deadline, opens it, reads the
child's sex, age, health screening, discovery and sender next to the answer, and accepts. The child's
whole case is then the facility's to see.

Screenshots of each page are written to e2e/artifacts/handover/ (not committed) to be looked at."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "artifacts" / "handover"
PLACE = "Cổng khoa Sản, bệnh viện"
CONDITION = "Bé gái khoảng 5 ngày tuổi, quấn khăn hồng, khóc to"
FINDINGS = "Khỏe, bú tốt, rốn khô"

# A child found two hours ago, reported by the hospital, acknowledged, screened and recorded by the
# commune (through the services, as the earlier steps' own journeys test them in the browser).
SETUP = f"""
import datetime as dt
from decimal import Decimal
from haven.accounts.synth import demo_world
from haven.core import clock
from haven.foundlings import services
world = demo_world()
u = {{name: user for name, (user, _label) in world.users.items()}}
now = clock.now()
case = services.foundling_report(
    actor=u["hospital.sw"], found_at=now - dt.timedelta(hours=2), found_commune=world.commune_a,
    found_place="{PLACE}", sex="female", estimated_age_days=5, condition="{CONDITION}",
    belongings="Một khăn hồng, một bình sữa",
)
services.foundling_acknowledge(actor=u["commune.officer"], case=case)
services.foundling_screen(
    actor=u["hospital.sw"], case=case, screened_at=now - dt.timedelta(hours=1),
    temperature_c=Decimal("36.9"), heart_rate=138, respiratory_rate=44, weight_grams=3050,
    estimated_age_days=5, findings="{FINDINGS}", referrals="",
)
services.foundling_record(
    actor=u["commune.officer"], case=case, drafter_title="Công chức văn hóa - xã hội",
    drawn_up_place="Bệnh viện, phòng trực", physique="Bé gái, da hồng", health="Khỏe mạnh",
    belongings="Một khăn hồng, một bình sữa", finder_name="Trịnh Văn Khải",
    finder_id_document="CCCD 001090012345", finder_address="Số 5 ngõ 12",
)
print("E2E_CASE=" + str(case.pk))
"""


def vi(message: str) -> str:
    return t(message, "vi")


def shoot(tab: Haven, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_facility_director_finds_the_handover_on_today_reads_the_essentials_and_accepts(
    open_tab, world, server
):
    printed = server.haven("shell", "--no-imports", "-c", SETUP)
    case_path = f"/foundlings/{printed.split('E2E_CASE=', 1)[1].split()[0]}/"

    # The commune officer decides emergency admission to the social protection facility of commune B.
    officer = open_tab()
    page = officer.page
    officer.sign_in("commune.officer")
    officer.visit(case_path)
    officer.click(page.get_by_role("link", name=vi("Decide temporary care"), exact=True))
    page.locator("input[name=kind][value=facility]").check()
    page.locator("#id_to_organisation").select_option(label=world.facility_b)
    officer.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": vi("Decide temporary care")})).to_be_visible()

    # The director signs in: the answer is a task on "Today", due within 12 hours.
    director = open_tab()
    page = director.page
    director.sign_in("facility.director")
    expect(page.get_by_role("navigation").get_by_role("link", name=vi("Today"))).to_have_attribute(
        "aria-current", "page"
    )
    task = page.locator(f"main a[data-task][href='{case_path}']")
    expect(task).to_have_text(vi("Accept or refuse the handover"))
    shoot(director, "1-today")

    # The task opens the case with what the director needs to decide, next to the answer.
    director.click(task)
    assert urlsplit(page.url).path == case_path
    expect(page.locator("h1")).to_have_text(vi("A child handed over to you: accept or refuse"))
    essentials = page.locator("main")
    for fact in (vi("Female"), "5 ngày", FINDINGS, "3050 g", "36,9 °C", CONDITION, PLACE, world.hospital_a):
        expect(essentials).to_contain_text(fact)
    shoot(director, "2-essentials")

    page.get_by_role("radio", name=vi("Accept the child"), exact=True).check()
    director.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == case_path
    expect(
        page.get_by_text(vi("Done: %(step)s.") % {"step": vi("Accept or refuse the child")})
    ).to_be_visible()
    expect(page.locator("h1")).to_contain_text(vi("Found child"))
    expect(page.get_by_text(vi("Responsible now:"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(world.facility_b)
    shoot(director, "3-accepted")

    # Nothing is left to answer: the task is gone from "Today".
    director.visit("/")
    expect(page.locator(f"main a[data-task][href='{case_path}']")).to_have_count(0)
