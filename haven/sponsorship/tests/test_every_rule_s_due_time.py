"""Every sponsorship clock is due when Haven's stated recommendation says, counted from the event it
names, and cites the policy it serves: a table written from next-capabilities §3, not read from the
rules (haven/deadlines/tests/due_times.py says what each row checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

D, ON = Unit.CALENDAR_DAYS, Unit.ON_DATE

ROWS = (
    Row(
        "sponsorship.confirm_disbursement",
        "the disbursement to the carer is recorded: confirmed by the carer or the provider",
        14,
        D,
        cites="Notice 432-TB/VPTW, part 3",
        vi="Thông báo 432-TB/VPTW mục 3",
        start=at(2027, 1, 29, 16),  # a Friday afternoon: the fortnight runs through Tết
        due=at(2027, 2, 12, 16),
        law=False,
    ),
    Row(
        "sponsorship.exit_plan",
        "the sponsorship's planned end or the child's 18th birthday: the exit plan a month before",
        0,
        ON,
        cites="Notice 432-TB/VPTW, part 4.3",
        vi="Thông báo 432-TB/VPTW mục 4.3",
        # Ending on 31 March 2027: a month before is 28 February, a month with no 31st.
        start=at(2026, 6, 1, 9),
        given=dt.date(2027, 2, 28),
        due=at(2027, 3, 1),
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
