"""Every clock of school for every child is due when Haven's stated recommendation says (no text sets
these periods: next-capabilities §1), counted from the event it names, and cites what the law does say:
a table written by hand, not read from the rules (haven/deadlines/tests/due_times.py says what each row
checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

WD, ON = Unit.WORKING_DAYS, Unit.ON_DATE

ROWS = (
    Row(
        "education.papers",
        "a child without a birth registration or PIN is admitted: the commune obtains them",
        20,
        WD,
        cites="Circular 42/2021/TT-BGDĐT art. 10",
        vi="Thông tư 42/2021/TT-BGDĐT, Điều 10",
        # From Monday 18 January 2027: 19 January to 3 February (12 working days), Tết, then 11, 12,
        # 15, 16, 17, 18, 19 and 22 February.
        start=at(2027, 1, 18, 10),
        due=at(2027, 2, 23),
        law=False,
    ),
    Row(
        "education.answer_request",
        "the request to enrol: the school admits the child or says why not",
        5,
        WD,
        cites="Notice 432-TB/VPTW, part 4.1(ii)",
        vi="Thông báo 432-TB/VPTW, mục 4.1(ii)",
        # Friday 28 August 2026, before the National Day holiday (31 August, 1 and 2 September off):
        # 3, 4, 7, 8 and 9 September.
        start=at(2026, 8, 28, 16),
        due=at(2026, 9, 10),
        law=False,
    ),
    Row(
        "education.enrol_after_move",
        "the child's placement moves commune: enrolled in a school there",
        10,
        WD,
        cites="Decree 20/2021/NĐ-CP art. 22(3)(a)",
        vi="Nghị định 20/2021/NĐ-CP, Điều 22 khoản 3 điểm a",
        # Friday 24 April 2026; 27 April (Hùng Kings, observed), 30 April and 1 May are days off: 28,
        # 29 April and 4 to 13 May.
        start=at(2026, 4, 24, 17),
        due=at(2026, 5, 14),
        law=False,
    ),
    Row(
        "education.home_visit",
        "the absences without leave reach Haven's dated threshold: the commune visits the home",
        5,
        WD,
        cites="Decree 56/2017/NĐ-CP",
        vi="Nghị định 56/2017/NĐ-CP",
        # Wednesday 23 December 2026: 24, 25, 28, 29 and 30 December.
        start=at(2026, 12, 23, 11),
        due=at(2026, 12, 31),
        law=False,
    ),
    Row(
        "education.plan_review",
        "the individual education plan is made: reviewed on the date the school set",
        0,
        ON,
        cites="Circular 03/2018/TT-BGDĐT",
        vi="Thông tư 03/2018/TT-BGDĐT",
        start=at(2026, 9, 15, 10),
        given=dt.date(2027, 1, 15),  # due when that day ends
        due=at(2027, 1, 16),
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
