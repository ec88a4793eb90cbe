"""Every clock of the allowance procedure is due when the law (or Haven's stated recommendation) says,
counted from the event it names, and cites it: a table written from the rule book (§4; next-capabilities
§2) and the texts, not read from the rules (haven/deadlines/tests/due_times.py says what each row
checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

WD, ON = Unit.WORKING_DAYS, Unit.ON_DATE

ROWS = (
    Row(
        "entitlement.decide",
        "the application is received: the commune chairman decides, or refuses in writing",
        10,
        WD,
        cites="Decree 147/2025 art. 5",
        vi="Nghị định 147/2025/NĐ-CP, Điều 5",
        # Received on New Year's Eve 2026 (from the start of that day: working days count from the next
        # one); 1 January is a holiday: 4 to 8 and 11 to 15 January 2027.
        start=at(2026, 12, 31),
        due=at(2027, 1, 16),
    ),
    Row(
        "entitlement.proposal",
        "Haven proposes an allowance: the commune takes it up or sets it aside with a reason",
        5,
        WD,
        cites="Notice 432-TB/VPTW, part 4",
        vi="Thông báo 432-TB/VPTW, phần 4",
        # Proposed by the night's run on the first day of Tết: 11, 12, 15, 16 and 17 February 2027.
        start=at(2027, 2, 6, 3),
        due=at(2027, 2, 18),
        law=False,
    ),
    Row(
        "entitlement.provider_list",
        "the month's payroll: the list of the next month goes to the provider before the 25th",
        0,
        ON,
        cites="Decree 20/2021 art. 34",
        vi="Nghị định 20/2021/NĐ-CP, Điều 34",
        # February 2027's list: before 25 January, so by the end of Sunday 24 January.
        start=at(2027, 1, 4, 8),
        given=dt.date(2027, 1, 24),
        due=at(2027, 1, 25),
    ),
    Row(
        "entitlement.health_card",
        "the card lapses: Haven asks for the next one three months before",
        0,
        ON,
        cites="Law on Health Insurance",
        vi="Luật Bảo hiểm y tế",
        # A card of a child under 6 lapsing on 30 September 2027: asked for by 30 June.
        start=at(2027, 2, 1, 9),
        given=dt.date(2027, 6, 30),
        due=at(2027, 7, 1),
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
