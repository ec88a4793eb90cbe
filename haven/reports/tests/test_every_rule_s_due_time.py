"""Every clock of periodic reports and reminders is due when Haven's stated recommendation says (or on
the day the report's type sets), counted from the event it names: a table written by hand, not read from
the rules (haven/deadlines/tests/due_times.py says what each row checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

WD, ON = Unit.WORKING_DAYS, Unit.ON_DATE

ROWS = (
    Row(
        "reports.submit",
        "the period ends: due on the day the report's type sets, Haven's default where no text fixes it",
        0,
        ON,
        cites=None,
        vi=None,
        # The Month of Action report, due before 20 July: by the end of Sunday 19 July 2026.
        start=at(2026, 7, 1),
        given=dt.date(2026, 7, 19),
        due=at(2026, 7, 20),
        law=False,
    ),
    Row(
        "reports.resubmit",
        "the report is returned for correction: submitted again",
        5,
        WD,
        cites=None,
        vi=None,
        # Friday 24 April 2026; 27 April (Hùng Kings, observed), 30 April and 1 May are days off: 28,
        # 29 April and 4, 5, 6 May.
        start=at(2026, 4, 24, 15),
        due=at(2026, 5, 7),
        law=False,
    ),
    Row(
        "reports.approve",
        "the report is submitted: the province, then the Ministry, approves or returns it",
        5,
        WD,
        cites=None,
        vi=None,
        # Submitted on Monday 31 August 2026, itself a day off before National Day (1 and 2 September):
        # 3, 4, 7, 8 and 9 September.
        start=at(2026, 8, 31, 9),
        due=at(2026, 9, 10),
        law=False,
    ),
    Row(
        "reports.urge",
        "a commune misses an indicator's target two periods in a row: its province reminds it",
        5,
        WD,
        cites="Notice 432-TB/VPTW, part 4.6",
        vi="Thông báo số 432-TB/VPTW, mục 4.6",
        # Found late on New Year's Eve; 1 January is a holiday, then a weekend: 4 to 8 January 2027.
        start=at(2026, 12, 31, 23),
        due=at(2027, 1, 9),
        law=False,
    ),
)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.code)
def test_the_rule_counts_the_period_the_law_gives(row):
    check_period(row)


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.code)
def test_the_clock_is_due_when_the_law_says(row):
    check_due(row)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.code)
def test_the_citation_names_the_instrument_and_article_in_both_languages(row):
    check_citation(row)
