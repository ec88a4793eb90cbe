"""Periodic reports: generated from the registry's counts, reviewed, submitted, returned and approved
up the chain on the one workflow engine; an approval by the wrong level and a second submission are
refused with the reason and change nothing; approval freezes the figures, and counting again either
reproduces them or shows the difference; reporting rates count expected, submitted and on time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import gettext

from haven.accounts.models import Role
from haven.core import calendar
from haven.core.errors import Refused
from haven.core.testing import member
from haven.deadlines.models import Obligation, Status
from haven.reports import rates, services, workflow
from haven.reports.models import PeriodicReport, ReportState
from haven.reports.periodic import report_type
from haven.reports.periods import Kind, containing

pytestmark = pytest.mark.django_db

MONTHLY = report_type("monthly")


def _last_month():
    from haven.core import clock

    return containing(clock.today(), Kind.MONTH).previous()


@pytest.fixture
def report(world):
    period = _last_month()
    services.generate(kind=MONTHLY, period=period, areas=[world.commune_a, world.hanoi])
    return PeriodicReport.objects.get(area=world.commune_a, period=period.key, report_type="monthly")


def test_haven_generates_each_expected_report_once_with_its_clock(world, report):
    period = _last_month()
    again = services.generate(kind=MONTHLY, period=period, areas=[world.commune_a, world.hanoi])
    assert again == 0
    assert report.state == ReportState.DRAFT
    assert [e["code"] for e in report.figures["indicators"]] == list(MONTHLY.indicators)
    clock = Obligation.objects.get(subject_id=report.pk, rule="reports.submit")
    assert clock.due_on == period.last_day + dt.timedelta(days=5)
    assert clock.responsible == world.orgs["committee_a"]


def test_a_commune_report_goes_from_generation_to_the_ministrys_approval(world, report):
    services.report_review(actor=world.officer_a, report=report, note="Đã đối chiếu sổ theo dõi trẻ em.")
    services.report_submit(actor=world.chairman_a, report=report)
    assert Obligation.objects.get(subject_id=report.pk, rule="reports.submit").status == Status.MET
    approval = Obligation.objects.get(subject_id=report.pk, rule="reports.approve", status=Status.OPEN)
    assert approval.responsible == world.orgs["health_hanoi"]
    services.report_approve(actor=world.provincial, report=report)
    report.refresh_from_db()
    assert report.state == ReportState.PROVINCE_APPROVED
    assert report.approved_digest == report.digest
    assert (
        Obligation.objects.get(subject_id=report.pk, rule="reports.approve", status=Status.OPEN).responsible
        == world.orgs["ministry"]
    )
    services.report_approve(actor=world.ministry, report=report)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert [s.action for s in report.steps.all()] == [
        "generate",
        "review",
        "submit",
        "approve_province",
        "approve_ministry",
    ]


def test_a_report_submitted_twice_is_refused_and_nothing_changes(world, report):
    services.report_review(actor=world.officer_a, report=report, note="Đã xem.")
    services.report_submit(actor=world.chairman_a, report=report)
    steps = report.steps.count()
    with pytest.raises(Refused) as again:
        services.report_submit(actor=world.chairman_a, report=report)
    assert again.value.code == "out_of_order"
    assert again.value.message == str(workflow.ALREADY_SUBMITTED)
    assert report.steps.count() == steps


def test_an_approval_by_the_wrong_level_is_refused_with_the_reason(world, report):
    services.report_review(actor=world.officer_a, report=report, note="Đã xem.")
    services.report_submit(actor=world.chairman_a, report=report)
    with pytest.raises(Refused) as refused:
        services.report_approve(actor=world.ministry, report=report)
    assert refused.value.code == "wrong_level"
    assert str(gettext("the province")) in refused.value.message
    with pytest.raises(Refused) as own:
        services.report_approve(actor=world.chairman_a, report=report)
    assert own.value.code == "wrong_level"
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    services.report_approve(actor=world.provincial, report=report)
    with pytest.raises(Refused) as twice:
        services.report_approve(actor=world.provincial, report=report)
    assert twice.value.code == "wrong_level"
    assert str(gettext("the Ministry of Health")) in twice.value.message


def test_submitting_before_review_is_refused(world, report):
    with pytest.raises(Refused) as refused:
        services.report_submit(actor=world.chairman_a, report=report)
    assert refused.value.message == str(workflow.NOT_REVIEWED)


def test_a_returned_report_is_corrected_and_submitted_again(world, report):
    services.report_review(actor=world.officer_a, report=report, note="Đã xem.")
    services.report_submit(actor=world.chairman_a, report=report)
    first = PeriodicReport.objects.get(pk=report.pk).first_submitted_at
    services.report_return(actor=world.provincial, report=report, note="Thiếu số liệu trẻ em bị bỏ rơi.")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert Obligation.objects.get(subject_id=report.pk, rule="reports.resubmit").status == Status.OPEN
    services.report_recount(actor=world.officer_a, report=report)
    services.report_review(actor=world.officer_a, report=report, note="Đã bổ sung.")
    services.report_submit(actor=world.chairman_a, report=report)
    report.refresh_from_db()
    assert report.first_submitted_at == first
    assert Obligation.objects.get(subject_id=report.pk, rule="reports.resubmit").status == Status.MET


def test_an_approved_report_reproduces_or_shows_the_difference(world, report):
    services.report_review(actor=world.officer_a, report=report, note="Đã xem.")
    services.report_submit(actor=world.chairman_a, report=report)
    services.report_approve(actor=world.provincial, report=report)
    digest, differences = services.report_compare(report)
    assert digest == report.approved_digest and differences == []
    # A child in special circumstances recorded late, in the period: the count now differs.
    from haven.people import services as people

    period = _last_month()
    child = world.child(date_of_birth=dt.date(2015, 3, 1))
    people.circumstance_add(
        actor=world.officer_a, child=child, group="hcdb_a", started_on=period.start, evidence="Biên bản."
    )
    from haven.reports.models import Computation

    Computation.objects.update(computed_at=calendar.day_start(period.start))
    digest, differences = services.report_compare(report)
    assert digest != report.approved_digest
    total = [d for d in differences if d.indicator == "HV.SC" and d.category == ""]
    assert total and total[0].now[0] == total[0].kept[0] + 1
    report.refresh_from_db()
    assert report.digest == report.approved_digest  # comparing changed nothing


def test_reporting_rates_count_expected_submitted_and_on_time(world, frozen):
    # The 3rd of the month: last month's commune reports are due on the 5th.
    frozen.at = calendar.day_start(containing(frozen.at.date(), Kind.MONTH).start + dt.timedelta(days=2))
    period = _last_month()
    services.generate(kind=MONTHLY, period=period, areas=[world.commune_a, world.commune_b, world.hanoi])
    on_time, late = (
        PeriodicReport.objects.get(area=c, period=period.key) for c in (world.commune_a, world.commune_b)
    )
    services.report_review(actor=world.officer_a, report=on_time, note="Đã xem.")
    services.report_submit(actor=world.chairman_a, report=on_time)
    frozen.advance(days=5)
    services.report_review(actor=world.officer_b, report=late, note="Đã xem.")
    chairman_b = member("chairman_b", world.orgs["committee_b"], Role.COMMUNE_CHAIRMAN)
    services.report_submit(actor=chairman_b, report=late)
    table = rates.rates(MONTHLY, period, world.hanoi)
    assert table.total.expected == world.hanoi.communes().count()
    assert (table.total.submitted, table.total.on_time) == (2, 1)
    nation = rates.rates(MONTHLY, period, None)
    hanoi = next(r for r in nation.rows if r.area == world.hanoi)
    assert (hanoi.submitted, hanoi.on_time) == (2, 1)
    assert nation.total.expected == sum(r.expected for r in nation.rows)
