"""Every clock of a child-protection case is due when the law (or Haven's stated recommendation) says,
counted from the event it names, and cites it: a table written from the rule book (§1.3, §9b) and
Decree 56/2017, not read from the rules (haven/deadlines/tests/due_times.py says what each row checks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

H, WD, M, ON = Unit.HOURS, Unit.WORKING_DAYS, Unit.MONTHS, Unit.ON_DATE

ROWS = (
    Row(
        "protection.transfer",
        "the report is received (Form 01, T0): passed on to the commune immediately",
        1,
        H,
        cites="Decree 56/2017 art. 26(1)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 26 khoản 1",
        start=at(2027, 2, 5, 23, 15),  # the eve of Tết, before midnight
        due=at(2027, 2, 6, 0, 15),
        law=False,
    ),
    Row(
        "protection.transfer_answer",
        "the case is offered to another commune (the child moved): no text sets the answer's period, "
        "Haven's default is that of the answer to a found child's handover",
        12,
        H,
        cites="Notice 432-TB/VPTW, part 2",
        vi="Thông báo 432-TB/VPTW, mục 2",
        start=at(2027, 2, 3, 17, 30),  # the last working day before Tết, at closing time
        due=at(2027, 2, 4, 5, 30),
        law=False,
    ),
    Row(
        "protection.initial_assessment",
        "the report is received (T0): assessed well within the 12 hours of the emergency measures",
        6,
        H,
        cites="Decree 56/2017 art. 26(2)–(3)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 26 khoản 2–3",
        start=at(2026, 3, 13, 20),  # Friday evening: due in the night
        due=at(2026, 3, 14, 2),
        law=False,
    ),
    Row(
        "protection.emergency",
        "the information is received (T0): emergency measures or separation within 12 hours",
        12,
        H,
        cites="Decree 56/2017 art. 26(3)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 26 khoản 3",
        start=at(2026, 3, 13, 20),
        due=at(2026, 3, 14, 8),
    ),
    Row(
        "protection.plan",
        "the commune takes the report up (Haven's reading: the rule book names no start): the plan "
        "(Form 04) within 5 working days",
        5,
        WD,
        cites="Decree 56/2017 art. 28(1)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 28 khoản 1",
        start=at(2026, 3, 13, 16, 45),  # Friday afternoon: Monday 16 to Friday 20 March
        due=at(2026, 3, 21),
    ),
    Row(
        "protection.approval",
        "the commune takes the report up: the whole procedure, plan and approval (Form 05), 7 working days",
        7,
        WD,
        cites="Law on Children art. 52",
        vi="Luật Trẻ em, Điều 52",
        # Friday 20 November 2026; Tuesday 24 (Vietnam Culture Day) is a day off: 23, 25, 26, 27, 30
        # November and 1, 2 December.
        start=at(2026, 11, 20, 16),
        due=at(2026, 12, 3),
    ),
    Row(
        "protection.separation_review",
        "the separation decision: it ends when decided, at most 15 days unless a decision extends it",
        0,
        ON,
        cites="Decree 56/2017 art. 32",
        vi="Nghị định 56/2017/NĐ-CP, Điều 32",
        # Separated for 15 days on Monday 1 February 2027 at 14:00: due at that moment on 16 February.
        start=at(2027, 2, 1, 14),
        given=at(2027, 2, 1, 14) + dt.timedelta(days=15),
        due=at(2027, 2, 16, 14),
    ),
    Row(
        "protection.review",
        "the plan's approval (Form 05): reviewed at the plan's end, at most 3 months after approval",
        3,
        M,
        cites="Decree 56/2017 art. 30(1)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 30 khoản 1",
        # Approved on 30 November 2026 for a plan ending on 30 April 2027: 3 months end with February's
        # last day (Civil Code 2015 art. 148(3)), before the plan's end.
        start=at(2026, 11, 30, 10),
        given=dt.date(2027, 4, 30),
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


@pytest.mark.django_db
def test_a_plan_that_ends_before_the_3_months_is_reviewed_on_its_last_day():
    """Decree 56/2017 art. 30(1): the plan is reviewed when it ends — here before the 3 months."""
    review = next(row for row in ROWS if row.code == "protection.review")
    check_due(replace(review, given=dt.date(2027, 1, 15), due=at(2027, 1, 16)))
