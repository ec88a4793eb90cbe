"""Every clock of family-like care is due when the law (or Haven's stated recommendation) says,
counted from the event it names, and cites it: a table written from the rule book (§3.4, §9a) and the
texts, not read from the rules (haven/deadlines/tests/due_times.py says what each row checks).

"Every 6 months" is a period of months (Civil Code 2015 art. 148(3)): it ends on the corresponding
day of the sixth month, or that month's last day, not after a fixed number of days."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from haven.core.testing import ChildFactory, OrganisationFactory, province
from haven.deadlines.models import Obligation, Status
from haven.deadlines.rules import Unit
from haven.deadlines.tests.due_times import Row, at, check_citation, check_due, check_period

D, WD, M = Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.MONTHS

ROWS = (
    Row(
        "care.review",
        "the first day in facility care, then each review: every 6 months",
        6,
        M,
        cites="Law on Children art. 47(4), 68(1)",
        vi="Luật Trẻ em, Điều 47 khoản 4, Điều 68 khoản 1",
        # Admitted on 31 March 2026: September has no 31st, so its last day, 30 September.
        start=at(2026, 3, 31),
        due=at(2026, 10, 1),
    ),
    Row(
        "care.family_plan",
        "the first day in facility care of a child under 3: a family-based plan within 6 months",
        6,
        M,
        cites="Law on Children art. 47(4), 60(4)",
        vi="Luật Trẻ em, Điều 47 khoản 4, Điều 60 khoản 4",
        # From 29 August 2026: 2027 has no 29 February, so 28 February.
        start=at(2026, 8, 29),
        due=at(2027, 3, 1),
        law=False,
    ),
    Row(
        "care.monitoring",
        "the child goes to the family, then each visit: every 6 months or on any change",
        6,
        M,
        cites="Decree 56/2017 art. 43(2), 46",
        vi="Nghị định 56/2017/NĐ-CP, Điều 43 khoản 2, Điều 46",
        # From 31 December 2026: June has 30 days, so 30 June 2027.
        start=at(2026, 12, 31),
        due=at(2027, 7, 1),
    ),
    Row(
        "care.family_decision",
        "the commune verified the relative's conditions (Form 11): the chairman decides (Form 12)",
        5,
        WD,
        cites="Decree 56/2017 art. 41",
        vi="Nghị định 56/2017/NĐ-CP, Điều 41",
        # New Year's Eve afternoon; 1 January is a holiday, then a weekend: 4 to 8 January 2027.
        start=at(2026, 12, 31, 15),
        due=at(2027, 1, 9),
        law=False,
    ),
    Row(
        "care.handover",
        "the chairman's decision (Form 12): the child is handed over within 15 working days",
        15,
        WD,
        cites="Decree 56/2017 art. 41",
        vi="Nghị định 56/2017/NĐ-CP, Điều 41",
        # From Friday 29 January 2027: 1, 2, 3 February, Tết, then 11 to 26 February (12 working days).
        start=at(2027, 1, 29, 10),
        due=at(2027, 2, 27),
    ),
    Row(
        # The rule book says "quarterly"; Haven counts 92 days, the longest quarter (decision 0011).
        "care.register_update",
        "the register's last update (the first family registered): updated every quarter",
        92,
        D,
        cites="Decree 56/2017 art. 41",
        vi="Nghị định 56/2017/NĐ-CP, Điều 41",
        # 30 days to 31 October, 30 in November, 31 in December, 1 in January: New Year's Day 2027.
        start=at(2026, 10, 1, 9),
        due=at(2027, 1, 1, 9),
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
def test_clocks_already_running_fall_six_calendar_months_after_their_start():
    """The data migration: an open six-monthly clock counted as 183 days is re-dated to the end of the
    corresponding day six months on; a rung already climbed stays climbed; a met clock is history."""
    commune = province("01").communes().order_by("code").first()
    child = ChildFactory(current_commune=commune)
    start = at(2026, 8, 31)
    counted_as_days = at(2027, 3, 2)  # 183 days on
    climbed = at(2027, 3, 3)

    def clock(rule: str, **fields) -> Obligation:
        return Obligation.objects.create(
            rule=rule,
            child=child,
            subject_type="people.child",
            subject_id=child.pk,
            responsible=OrganisationFactory(area=commune),
            opened_at=start,
            due_at=counted_as_days,
            **{"next_escalation_at": counted_as_days, **fields},
        )

    review = clock("care.review")
    visit = clock("care.monitoring", escalation_level=1, next_escalation_at=climbed)
    met = clock("foundling.review", status=Status.MET, next_escalation_at=None)
    migration = importlib.import_module("haven.care.migrations.0011_six_months_are_months")
    for _twice in range(2):
        migration.six_months_are_months(apps, None)

    six_months = at(2027, 3, 1)  # the end of 28 February 2027
    for o in (review, visit, met):
        o.refresh_from_db()
    assert (review.due_at, review.next_escalation_at) == (six_months, six_months)
    assert (visit.due_at, visit.next_escalation_at) == (six_months, climbed)
    assert (met.due_at, met.next_escalation_at) == (counted_as_days, None)
