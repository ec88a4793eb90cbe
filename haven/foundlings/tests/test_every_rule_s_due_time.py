"""Every clock of the found-child pathway is due when the law (or Haven's stated recommendation) says,
counted from the event it names, and cites it: a table written from the rule book (§2, §9a) and the
texts, not read from the rules (haven/deadlines/tests/due_times.py says what each row checks)."""

from __future__ import annotations

import pytest

from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

H, D, WD, M = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.MONTHS

ROWS = (
    Row(
        "foundling.acknowledge",
        "the child is found (T0): the finder notifies the commune at once (alert after 1 hour)",
        1,
        H,
        cites="Decree 123/2015 art. 14(1)",
        vi="Nghị định 123/2015/NĐ-CP, Điều 14 khoản 1",
        # Found late on the first day of Tết: hours run through the night and the holiday.
        start=at(2027, 2, 6, 23, 30),
        due=at(2027, 2, 7, 0, 30),
        law=False,
    ),
    Row(
        "foundling.screen",
        "the child is found (T0): initial care and screening without delay",
        24,
        H,
        cites="Notice 432-TB/VPTW, part 2",
        vi="Thông báo 432-TB/VPTW, mục 2",
        start=at(2027, 2, 4, 22),  # the first evening of Tết
        due=at(2027, 2, 5, 22),
        law=False,
    ),
    Row(
        "foundling.record",
        "the report reaches the commune (it is recorded): the biên bản immediately after",
        24,
        H,
        cites="Decree 123/2015 art. 14(1)",
        vi="Nghị định 123/2015/NĐ-CP, Điều 14 khoản 1",
        start=at(2026, 3, 13, 17, 30),  # Friday after office hours: due on Saturday
        due=at(2026, 3, 14, 17, 30),
        law=False,
    ),
    Row(
        "foundling.temporary_care",
        "the child is found (T0): temporary care without delay",
        24,
        H,
        cites="Law on Adoption art. 15(2)(a)",
        vi="Luật Nuôi con nuôi, Điều 15 khoản 2 điểm a",
        start=at(2026, 10, 25, 3),  # Sunday night
        due=at(2026, 10, 26, 3),
        law=False,
    ),
    Row(
        "foundling.handover_answer",
        "the commune decides to hand the child over: the receiver answers without delay",
        12,
        H,
        cites="Notice 432-TB/VPTW, part 2",
        vi="Thông báo 432-TB/VPTW, mục 2",
        start=at(2027, 2, 5, 20),  # the eve of Tết
        due=at(2027, 2, 6, 8),
        law=False,
    ),
    Row(
        "foundling.post_notice",
        "the receiver accepts the child into temporary care: the commune posts the notice",
        1,
        WD,
        cites="Decree 123/2015 art. 14(2)",
        vi="Nghị định 123/2015/NĐ-CP, Điều 14 khoản 2",
        # Accepted on the last working day before Tết: the next working day is Thursday 11 February.
        start=at(2027, 2, 3, 16),
        due=at(2027, 2, 12),
        law=False,
    ),
    Row(
        "foundling.notice_period",
        "the notice is posted: 7 consecutive days, holidays included",
        7,
        D,
        cites="Decree 123/2015 art. 14(2)",
        vi="Nghị định 123/2015/NĐ-CP, Điều 14 khoản 2",
        start=at(2027, 2, 1, 9),  # posted the Monday before Tết: the days run through it
        due=at(2027, 2, 8, 9),
    ),
    Row(
        "foundling.claim_decision",
        "a parent or relative claims the child: verified like an initial risk assessment",
        12,
        H,
        cites="Decree 56/2017 art. 26(3)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 26 khoản 3",
        start=at(2026, 3, 13, 21),  # Friday night: due on Saturday morning
        due=at(2026, 3, 14, 9),
        law=False,
    ),
    Row(
        "foundling.register_birth",
        "the notice expires with no parent found: the law says only 'after the posting period'",
        5,
        WD,
        cites="Decree 123/2015 art. 14(2)–(3)",
        vi="Nghị định 123/2015/NĐ-CP, Điều 14 khoản 2–3",
        # Expired on Tuesday 2 February 2027: Wednesday 3, then Tết, then 11, 12, 15 and 16 February.
        start=at(2027, 2, 2, 10),
        due=at(2027, 2, 17),
        law=False,
    ),
    Row(
        "foundling.pin",
        "the birth is registered (the dossier is complete): the same working day, the next when "
        "completed after 15:00",
        0,
        WD,
        cites="Law on Civil Status 2014 art. 16(2)",
        vi="Luật Hộ tịch 2014, Điều 16 khoản 2",
        # Registered at 15:30 on the last working day before Tết: counted from the next working day,
        # Thursday 11 February, and due when it ends.
        start=at(2027, 2, 3, 15, 30),
        due=at(2027, 2, 12),
    ),
    Row(
        "foundling.residence",
        "the birth is registered: residence within 60 days",
        60,
        D,
        cites="Decree 154/2024 art. 7",
        vi="Nghị định 154/2024/NĐ-CP, Điều 7",
        # 23 days to 31 December, 31 in January, 6 in February: Saturday 6 February 2027, the first day
        # of Tết, at the hour of registration. (Haven does not carry a period that ends on a day off to
        # the next working day as Civil Code 2015 art. 148(5) would: reported, not changed here.)
        start=at(2026, 12, 8, 10),
        due=at(2027, 2, 6, 10),
    ),
    Row(
        "foundling.health_insurance",
        "the birth is registered: the card through the interlinked procedure for children under 6",
        10,
        WD,
        cites="Decree 63/2024",
        vi="Nghị định 63/2024/NĐ-CP",
        # Friday afternoon; Tuesday 24 November is Vietnam Culture Day, a day off: 23, 25, 26, 27, 30
        # November and 1, 2, 3, 4, 7 December.
        start=at(2026, 11, 20, 16),
        due=at(2026, 12, 8),
        law=False,
    ),
    Row(
        "foundling.allowance",
        "the birth is registered: the commune chairman decides the monthly allowance",
        10,
        WD,
        cites="Decree 20/2021 art. 5(1)(a)",
        vi="Nghị định 20/2021/NĐ-CP, Điều 5 khoản 1 điểm a",
        # From Friday 29 January 2027: 1, 2, 3 February, Tết, then 11, 12, 15, 16, 17, 18 and 19.
        start=at(2027, 1, 29, 14),
        due=at(2027, 2, 20),
        law=False,
    ),
    Row(
        "foundling.care_plan",
        "the child's papers are complete: the care plan is drafted within 5 working days",
        5,
        WD,
        cites="Decree 56/2017 art. 28(1)",
        vi="Nghị định 56/2017/NĐ-CP, Điều 28 khoản 1",
        # Started on the 30 April holiday, with 1 May off too: 4 to 8 May 2026.
        start=at(2026, 4, 30, 9),
        due=at(2026, 5, 9),
    ),
    Row(
        # Haven opens this clock when the care plan is recorded and meets it with the placement
        # decision, which records the handover at once: the law's 15 days run from the decision.
        "foundling.place",
        "the placement decision (Form 12): the handover within 15 working days",
        15,
        WD,
        cites="Decree 56/2017 art. 41",
        vi="Nghị định 56/2017/NĐ-CP, Điều 41",
        # From Friday 29 January 2027: 1, 2, 3 February, Tết, then 11 to 26 February (12 working days).
        start=at(2027, 1, 29, 10),
        due=at(2027, 2, 27),
    ),
    Row(
        "foundling.review",
        "the placement, then each review: every 6 months, ending on the corresponding day",
        6,
        M,
        cites="Law on Children art. 68",
        vi="Luật Trẻ em, Điều 68",
        # Six months from 31 August 2026 end with February's last day, 28 February 2027 (Civil Code
        # 2015 art. 148(3)), not 183 days later on 2 March.
        start=at(2026, 8, 31, 10),
        due=at(2027, 3, 1),
    ),
    Row(
        "foundling.hospital_discharge",
        "the medical discharge: a child who needs no hospital care leaves within 3 days",
        3,
        D,
        cites=None,
        vi=None,
        start=at(2026, 12, 31, 18),  # New Year's Eve: the days run through the holiday
        due=at(2027, 1, 3, 18),
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
