"""Periodic reports on the pages and the API: who may read a report and who is refused, the steps each
level is offered, a report's Vietnamese PDF (an audited export), the reporting rates, and the API's
answers to a second submission and to an approval by the wrong level."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.reports import services
from haven.reports.models import PeriodicReport, ReportState
from haven.reports.periodic import report_type
from haven.reports.periods import Kind, containing

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    last = containing(clock.today(), Kind.MONTH).previous()
    services.generate(kind=report_type("monthly"), period=last, areas=[world.commune_a, world.hanoi])
    return PeriodicReport.objects.get(area=world.commune_a, period=last.key)


def test_a_report_is_read_by_its_commune_its_province_and_the_ministry_only(client, world, report):
    page = reverse("reports:report", args=[report.pk])
    for refused in (world.officer_b, world.provincial_other, world.analyst, world.hospital_sw):
        client.force_login(refused)
        assert client.get(page).status_code == 404
    for reader in (world.officer_a, world.chairman_a, world.provincial, world.ministry):
        client.force_login(reader)
        assert client.get(page).status_code == 200


def test_each_level_is_offered_its_own_step(client, world, report):
    page = reverse("reports:report", args=[report.pk])
    client.force_login(world.officer_a)
    assert 'id="report-review"' in client.get(page).content.decode()
    services.report_review(actor=world.officer_a, report=report, note="Đã xem.")
    client.force_login(world.chairman_a)
    body = client.get(page).content.decode()
    assert 'id="report-submit"' in body and 'id="report-approve"' not in body
    services.report_submit(actor=world.chairman_a, report=report)
    client.force_login(world.ministry)
    assert 'id="report-approve"' not in client.get(page).content.decode()
    client.force_login(world.provincial)
    assert 'id="report-approve"' in client.get(page).content.decode()


def test_submitting_on_the_page_asks_to_confirm_and_a_second_submission_is_refused(client, world, report):
    services.report_review(actor=world.officer_a, report=report, note="Đã xem.")
    client.force_login(world.chairman_a)
    step = reverse("reports:report_step", args=[report.pk, "submit"])
    assert client.post(step, {}).status_code == 200  # the box is not ticked: nothing happens
    assert PeriodicReport.objects.get(pk=report.pk).state == ReportState.REVIEWED
    assert client.post(step, {"step-confirm": "on"}).status_code == 302
    assert PeriodicReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_the_pdf_is_vietnamese_and_its_export_is_audited(client, world, report):
    client.force_login(world.provincial)
    response = client.get(reverse("reports:report_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="report.periodic_export", object_id=str(report.pk)).exists()


def test_the_reporting_rates_page_shows_each_commune_of_a_province(client, world, report):
    client.force_login(world.analyst)
    nation = client.get(reverse("reports:periodic"), {"type": "monthly", "period": report.period})
    assert nation.status_code == 200
    client.force_login(world.provincial)
    province = client.get(reverse("reports:periodic"), {"area": world.hanoi.code, "period": report.period})
    assert reverse("reports:report", args=[report.pk]) in province.content.decode()


def test_the_api_takes_the_steps_and_refuses_a_second_submission_and_the_wrong_level(world, report):
    path = f"/reports/{report.pk}"
    assert ApiClient(world.officer_b).get(path).status_code == 404
    assert (
        ApiClient(world.officer_a).post(f"{path}/review", {"note": "Đã xem."}).json()["state"] == "reviewed"
    )
    assert ApiClient(world.officer_a).post(f"{path}/review", {}).status_code == 422
    assert ApiClient(world.chairman_a).post(f"{path}/submit").json()["state"] == "submitted"
    again = ApiClient(world.chairman_a).post(f"{path}/submit")
    assert again.status_code == 409 and again.json()["code"] == "out_of_order"
    wrong = ApiClient(world.ministry).post(f"{path}/approve", {})
    assert wrong.status_code == 409 and wrong.json()["code"] == "wrong_level"
    assert ApiClient(world.provincial).post(f"{path}/approve", {}).json()["state"] == "province_approved"
    done = ApiClient(world.ministry).post(f"{path}/approve", {"note": "Đồng ý."}).json()
    assert done["state"] == "approved" and done["approved_digest"] == done["digest"]
    same = ApiClient(world.ministry).get(f"{path}/compare").json()
    assert same["same"] is True and same["differences"] == []
    rates = ApiClient(world.analyst).get("/reports/rates", type="monthly", period=report.period).json()
    hanoi = next(r for r in rates["rows"] if r["area_code"] == world.hanoi.code)
    assert (hanoi["received"], hanoi["approved"]) == (1, 1)
    assert ApiClient(world.analyst).get(path).status_code == 404
