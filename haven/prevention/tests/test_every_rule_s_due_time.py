"""Every clock of prevention work is due when Haven's stated recommendation (or, for the newborn's
papers, the law) says, counted from the event it names, and cites it: a table written from the rule
book (§9c: no statute sets these clocks but the papers), not read from the rules
(haven/deadlines/tests/due_times.py says what each row checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

H, D, ON = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.ON_DATE

ROWS = (
    Row(
        "prevention.first_contact",
        "a person at risk is flagged: first contact within 3 days",
        3,
        D,
        cites="Law on Children art. 48–49",
        vi="Luật Trẻ em, Điều 48–49",
        start=at(2027, 2, 3, 16),  # flagged the day before Tết: due on its third day
        due=at(2027, 2, 6, 16),
        law=False,
    ),
    Row(
        "prevention.first_contact_urgent",
        "a girl under 16, or suspected violence, is flagged: first contact within 24 hours",
        24,
        H,
        cites="Law on Children art. 49",
        vi="Luật Trẻ em, Điều 49",
        start=at(2027, 2, 4, 18),  # the first evening of Tết
        due=at(2027, 2, 5, 18),
        law=False,
    ),
    Row(
        "prevention.assessment",
        "she consents at the first contact: her needs assessed within 7 days",
        7,
        D,
        cites="Law on Children art. 49",
        vi="Luật Trẻ em, Điều 49",
        start=at(2026, 12, 31, 10),  # across the New Year holiday
        due=at(2027, 1, 7, 10),
        law=False,
    ),
    Row(
        "prevention.contact_monthly",
        "the last contact: at least monthly through the pregnancy",
        30,
        D,
        cites="Notice 432-TB/VPTW",
        vi="Thông báo 432-TB/VPTW",
        # 1 day of January, the 28 of February, 1 of March.
        start=at(2027, 1, 30, 10),
        due=at(2027, 3, 1, 10),
        law=False,
    ),
    Row(
        "prevention.contact_weekly",
        "the last contact in the last month of the pregnancy: weekly",
        7,
        D,
        cites=None,
        vi=None,
        start=at(2027, 2, 5, 9),  # the eve of Tết: a week on is the day after the holiday
        due=at(2027, 2, 12, 9),
        law=False,
    ),
    Row(
        "prevention.postnatal_visit",
        "the birth: visits in weeks 1, 2 and 4, then monthly to 6 months, each due on its day",
        0,
        ON,
        cites=None,
        vi=None,
        # Born on Friday 29 January 2027: the week-1 visit is on day 7, Friday 5 February, Tết's eve.
        start=at(2027, 1, 29, 14),
        given=dt.date(2027, 2, 5),
        due=at(2027, 2, 6),
        law=False,
    ),
    Row(
        "prevention.newborn_papers",
        "the birth (the day of birth not counted): the birth registered within 60 days",
        60,
        D,
        cites="Law on Civil Status 2014 art. 15",
        vi="Luật Hộ tịch 2014, Điều 15",
        # Born on Friday 11 December 2026: 20 days of December, 31 of January, 9 of February, so the
        # end of Tuesday 9 February, in the middle of Tết.
        start=at(2026, 12, 12),
        due=at(2027, 2, 10),
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
