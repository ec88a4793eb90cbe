"""The entitlements' figures for the indicator registry: entitled children without the allowance, the
months from the application to the first payment, the payments not confirmed paid, and the children
followed without a valid health-insurance card — each counted in its commune."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.core import calendar
from haven.entitlements import indicators, services
from haven.entitlements.tests.conftest import at, decided, with_pin
from haven.entitlements.tests.test_provider import bank, import_, returned, sent_run
from haven.reports.compute import Window
from haven.reports.periods import Kind, Period

pytestmark = pytest.mark.django_db

D = dt.date


def facts(counter, month: dt.date, now: dt.date) -> dict:
    window = Window.of(Period(month, Kind.MONTH), calendar.day_end(now))
    return {(f.area_id, f.dimension, f.category): (f.numerator, f.denominator) for f in counter(window)}


def test_the_allowance_figures_count_each_child_in_its_commune(world):
    a = world.commune_a.pk
    paid, failed = with_pin(world, born=D(2023, 5, 2)), with_pin(world, born=D(2016, 1, 9))
    waiting = with_pin(world, born=D(2019, 4, 4))
    with at(D(2025, 8, 5)):
        services.application_apply(
            actor=world.officer_a,
            child=waiting,
            received_on=D(2025, 8, 5),
            ground="abandoned",
            care_situation="community",
            applicant_name="Nguyễn Thị Hoa",
        )
    for child in (paid, failed):
        decided(world, child, on=D(2025, 8, 12))
        bank(world, child)
    run = sent_run(world)
    lines = {line.child_id: line.pk for line in run.lines.all()}
    import_(
        world,
        run,
        returned(
            run,
            [
                [lines[paid.pk], "", "paid", "05/09/2025", "", ""],
                [lines[failed.pk], "", "failed", "05/09/2025", "", ""],
            ],
        ),
    )
    without = facts(indicators.eligible_without_allowance, D(2025, 9, 1), D(2025, 9, 30))
    assert without[(a, "", "")][0] == 1 and without[(a, "category", "procedure")][0] == 1
    delay = facts(indicators.months_to_first_payment, D(2025, 8, 1), D(2025, 8, 31))
    # Applied for and decided in August, first paid by the payroll of September (prepared in August).
    assert delay == {}
    delay = facts(indicators.months_to_first_payment, D(2025, 9, 1), D(2025, 9, 30))
    assert delay[(a, "", "")] == (2, None) and delay[(a, "category", "1")] == (2, None)
    unpaid = facts(indicators.payments_not_confirmed, D(2025, 9, 1), D(2025, 9, 30))
    assert unpaid[(a, "", "")] == (1, 2) and unpaid[(a, "category", "failed")] == (1, 1)
    uninsured = facts(indicators.without_health_insurance, D(2025, 9, 1), D(2025, 9, 30))
    assert uninsured[(a, "", "")] == (3, 3)
