"""Every clock of a complaint is due when the Law on Complaints 2011 (or Haven's stated recommendation)
says, counted from the event it names, and cites it: a table written from the law's articles, not read
from the rules (haven/deadlines/tests/due_times.py says what each row checks).

The law counts days, not working days, "from the day" of an event: that day is not counted (Civil Code
2015 art. 147(1)), so the period starts when it ends — the start moments below are the midnights that
close the day of the event — and ends when its last day ends."""

from __future__ import annotations

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

D, WD = Unit.CALENDAR_DAYS, Unit.WORKING_DAYS


def first_time(code: str, days: int, case: str, start, due) -> Row:
    return Row(
        code,
        f"the complaint is accepted: settled within {days} days ({case})",
        days,
        D,
        cites="Law on Complaints 2011 art. 28",
        vi="Luật Khiếu nại 2011, Điều 28",
        start=start,
        due=due,
    )


def second_time(code: str, days: int, case: str, start, due) -> Row:
    return Row(
        code,
        f"the second-time complaint is accepted: settled within {days} days ({case})",
        days,
        D,
        cites="Law on Complaints 2011 art. 37",
        vi="Luật Khiếu nại 2011, Điều 37",
        start=start,
        due=due,
    )


ROWS = (
    Row(
        "complaint.accept",
        "the complaint is received: accepted, or refused in writing, within 10 days",
        10,
        D,
        cites="Law on Complaints 2011 art. 27",
        vi="Luật Khiếu nại 2011, Điều 27",
        # Received on Thursday 28 January 2027: 29 January to 7 February, in the middle of Tết.
        start=at(2027, 1, 29),
        due=at(2027, 2, 8),
    ),
    # Accepted on Monday 30 November 2026: from 1 December.
    first_time("complaint.settle", 30, "a simple case", at(2026, 12, 1), at(2026, 12, 31)),
    first_time("complaint.settle_complicated", 45, "a complicated case", at(2026, 12, 1), at(2027, 1, 15)),
    # Accepted on Friday 18 December 2026: from 19 December, across the new year.
    first_time("complaint.settle_remote", 45, "a remote area", at(2026, 12, 19), at(2027, 2, 2)),
    first_time(
        "complaint.settle_remote_complicated",
        60,
        "a complicated case in a remote area",
        at(2026, 12, 19),
        at(2027, 2, 17),
    ),
    Row(
        "complaint.appeal_window",
        "the first-time decision is issued: a second-time complaint within 30 days",
        30,
        D,
        cites="Law on Complaints 2011 art. 33",
        vi="Luật Khiếu nại 2011, Điều 33",
        # Decided on Wednesday 20 January 2027: 11 days of January, 19 of February.
        start=at(2027, 1, 21),
        due=at(2027, 2, 20),
    ),
    Row(
        "complaint.appeal_window_remote",
        "the first-time decision is issued: 45 days in a remote area",
        45,
        D,
        cites="Law on Complaints 2011 art. 33",
        vi="Luật Khiếu nại 2011, Điều 33",
        # 11 days of January, the 28 of February, 6 of March.
        start=at(2027, 1, 21),
        due=at(2027, 3, 7),
    ),
    Row(
        "complaint.appeal_accept",
        "the second-time complaint is received: accepted, or refused in writing, within 10 days",
        10,
        D,
        cites="Law on Complaints 2011 art. 36",
        vi="Luật Khiếu nại 2011, Điều 36",
        start=at(2027, 2, 2),  # received on Monday 1 February 2027: the days run through Tết
        due=at(2027, 2, 12),
    ),
    # Accepted on Tuesday 2 February 2027: from 3 February, through Tết and February's 28 days.
    second_time("complaint.appeal_settle", 45, "a simple case", at(2027, 2, 3), at(2027, 3, 20)),
    second_time(
        "complaint.appeal_settle_complicated", 60, "a complicated case", at(2027, 2, 3), at(2027, 4, 4)
    ),
    # Accepted on Monday 30 November 2026: from 1 December.
    second_time("complaint.appeal_settle_remote", 60, "a remote area", at(2026, 12, 1), at(2027, 1, 30)),
    second_time(
        "complaint.appeal_settle_remote_complicated",
        70,
        "a complicated case in a remote area",
        at(2026, 12, 1),
        at(2027, 2, 9),
    ),
    Row(
        "complaint.feedback_answer",
        "the feedback is received: no text sets a time, so the allowance procedure's old 10 working days",
        10,
        WD,
        cites="Decree 20/2021 art. 8",
        vi="Nghị định 20/2021/NĐ-CP, Điều 8",
        # Received on Friday 29 January 2027 (from the start of that day: working days count from the
        # next one): 1, 2, 3 February, Tết, then 11, 12, 15, 16, 17, 18 and 19 February.
        start=at(2027, 1, 29),
        due=at(2027, 2, 20),
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
