"""Periodic reports and urging in the browser, on a phone: a province officer goes from a red cell of
the scorecard to the late commune and sends it a reminder; a commune's monthly report goes from its
generation by Haven to the Ministry's approval — reviewed by the commune officer, submitted by the
chairman, approved by the province, approved by the Ministry — and its figures are frozen."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser

# What the demo made for the journeys (haven/reports/synth.py), read once from the e2e database.
FACTS = """
import json
from haven.accounts.synth import demo_world
from haven.reports.models import PeriodicReport, Urging
from django.utils import translation
translation.activate("vi")  # the indicator's name as the page shows it
world = demo_world()
owed = Urging.objects.filter(state="open", commune__parent=world.province).order_by("commune__code").first()
last = PeriodicReport.objects.filter(area=world.commune_a, report_type="monthly", state="draft").first()
print("FACTS=" + json.dumps({
    "urging": str(owed.pk), "commune": owed.commune.name, "commune_code": owed.commune.code,
    "indicator": owed.indicator,
    "period": owed.period, "report": str(last.pk), "indicator_name": owed.indicator_name,
}))
"""


def vi(message: str) -> str:
    return t(message, "vi")


@pytest.fixture(scope="module")
def made(server) -> dict:
    printed = server.haven("shell", "--no-imports", "-c", FACTS)
    return json.loads(printed.split("FACTS=", 1)[1].splitlines()[0])


def test_a_province_officer_goes_from_a_red_cell_to_the_late_commune_and_sends_a_reminder(haven, made):
    page = haven.page
    haven.sign_in("province")
    haven.visit(f"/reports/scorecard/?period={made['period']}")
    row = page.locator("table.scorecard tbody tr", has_text=made["commune"])
    late = row.get_by_role("link", name=vi("Who is late")).first
    expect(late).to_be_visible()
    haven.click(late)
    expect(page.locator("h1")).to_contain_text(vi("Who is late"))
    reminder = page.locator("#reminders").get_by_role("link", name=made["commune"])
    # A commune may owe the same figure for more than one period: the reminder of the period read.
    haven.click(
        reminder.filter(has_text=made["indicator_name"]).and_(
            page.locator(f"a[href='/reports/reminders/{made['urging']}/']")
        )
    )
    expect(page.locator("#reminder-state")).to_have_text(vi("Reminder to send"))
    haven.click(page.locator("#reminder-send"))
    message = page.locator("#id_note")
    expect(message).to_contain_text(made["commune"])  # the reminder comes written, to be edited
    message.fill(message.input_value() + " Đề nghị báo cáo kết quả trước ngày 15.")
    haven.click(page.get_by_role("button", name=vi("Confirm")))
    expect(page.locator("#reminder-state")).to_have_text(vi("Reminder sent"))
    expect(page.locator("#reminder-timeline")).to_contain_text(vi("Send the reminder"))


def test_a_commune_report_goes_from_generation_to_the_ministrys_approval(open_tab, made):
    report = f"/reports/periodic/{made['report']}/"

    officer = open_tab()
    officer.sign_in("commune.officer")
    officer.visit("/reports/periodic/")
    page = officer.page
    officer.click(page.locator("#commune-reports a").first)
    expect(page.locator("#report-state")).to_have_text(vi("Generated, to review"))
    # The figures are counted by Haven: there is nothing to type, only to review.
    expect(page.locator("main")).to_contain_text(vi("Counted by Haven from case data, never typed."))
    officer.click(page.locator("#report-review"))
    page.locator("#id_note").fill("Đã đối chiếu với sổ theo dõi trẻ em của phường.")
    officer.click(page.get_by_role("button", name=vi("Confirm")))
    expect(page.locator("#report-state")).to_have_text(vi("Reviewed, to submit"))

    chairman = open_tab()
    chairman.sign_in("chairman")
    chairman.visit(report)
    page = chairman.page
    chairman.click(page.locator("#report-submit"))
    page.get_by_label(vi("I have read what this step does and confirm it.")).check()
    chairman.click(page.get_by_role("button", name=vi("Confirm")))
    expect(page.locator("#report-state")).to_have_text(vi("Submitted, to approve"))

    ministry = open_tab()
    ministry.sign_in("ministry")
    ministry.visit(report)
    # The Ministry approves after the province, not before: it is offered no approval yet.
    expect(ministry.page.locator("#report-approve")).to_have_count(0)

    province = open_tab()
    province.sign_in("province")
    province.visit(report)
    page = province.page
    province.click(page.locator("#report-approve"))
    page.get_by_label(vi("I have read what this step does and confirm it.")).check()
    province.click(page.get_by_role("button", name=vi("Confirm")))
    expect(page.locator("#report-state")).to_have_text(vi("Approved by the province, with the Ministry"))

    ministry.visit(report)
    page = ministry.page
    ministry.click(page.locator("#report-approve"))
    page.get_by_label(vi("I have read what this step does and confirm it.")).check()
    ministry.click(page.get_by_role("button", name=vi("Confirm")))
    expect(page.locator("#report-state")).to_have_text(vi("Approved"))
    expect(page.locator("main")).to_contain_text(vi("frozen as approved"))
    ministry.click(page.get_by_role("link", name=vi("Count again and compare")))
    # Counted again now, the approved figures are reproduced exactly, or the page says they differ.
    expect(page.locator("#compare-result")).to_be_visible()
