"""Obligations due on a date, and rules that re-open themselves (deadlines/rules.py ``Every``): stored
and swept like every other obligation.

Dates are in 2027: Tết runs from Thursday 4 to Wednesday 10 February; 30 April (Friday) and 1 May
(Saturday, observed on Monday 3 May) are holidays; 2028 is a leap year.
"""

from __future__ import annotations

import datetime as dt

import pytest

from haven.core.calendar import VIETNAM, Roll
from haven.deadlines.models import Escalation, Obligation, Status
from haven.deadlines.rules import ON, RULES, WD, D, Every, L, M, R, Rule
from haven.deadlines.services import obligation_open, obligation_redate, obligations_close
from haven.deadlines.sweep import sweep

PAYROLL = Rule(
    "test.payroll",
    "Pay the monthly allowances",
    1,
    M,
    "Decree 20/2021 art. 5: paid monthly (example)",
    L,
    overridable=False,
    every=Every(1, M, day=31, roll=Roll.PREVIOUS),
)
ALLOWANCE = Rule(
    "test.allowance",
    "Pay on the 5th",
    1,
    M,
    "example",
    L,
    overridable=False,
    every=Every(1, M, day=5, roll=Roll.NEXT),
)
REVIEW = Rule(
    "test.review",
    "Six-monthly review",
    6,
    M,
    "example",
    L,
    overridable=False,
    every=Every(6, M, from_done=True),
)
FORTNIGHT = Rule("test.fortnight", "Visit", 14, D, "example", L, overridable=False, every=Every(14, D))
VISIT_ON = Rule("test.visit_on", "Visit on the day", 0, ON, "example", L, overridable=False)
# A same-day procedure closing at 15:00 (a birth dossier), and a period a step may end earlier.
SAME_DAY = Rule("test.same_day", "Same day", 0, WD, "example", L, overridable=False, cutoff=dt.time(15))
AT_MOST = Rule("test.at_most", "By the plan's end, 3 months at most", 3, M, "example", R, or_earlier=True)


@pytest.fixture(autouse=True)
def rules(monkeypatch):
    for r in (PAYROLL, ALLOWANCE, REVIEW, FORTNIGHT, VISIT_ON, SAME_DAY, AT_MOST):
        monkeypatch.setitem(RULES, r.code, r)


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


def end_of(*args: int) -> dt.datetime:
    """A step due on a day is due when that day ends, at midnight in Viet Nam."""
    return vn(*args) + dt.timedelta(days=1)


def start(world, code: str, at: dt.datetime, **kwargs) -> Obligation:
    child = world.child()
    return obligation_open(
        rule_code=code, subject=child, child=child, responsible=world.orgs["committee_a"], start=at, **kwargs
    )


def occurrences(first: Obligation) -> list[Obligation]:
    return list(Obligation.objects.filter(rule=first.rule, subject_id=first.subject_id).order_by("due_at"))


# --- Due on a date ------------------------------------------------------------------------------


def test_a_step_due_on_a_date_is_due_when_that_day_ends_in_vietnam(world, frozen):
    visit = start(world, "test.visit_on", frozen.at, due=dt.date(2026, 3, 16))
    assert visit.due_at == end_of(2026, 3, 16) == dt.datetime(2026, 3, 16, 17, 0, tzinfo=dt.UTC)
    assert (visit.due_on, visit.next_escalation_at, visit.opened_at) == (
        dt.date(2026, 3, 16),
        visit.due_at,
        frozen.at,
    )


def test_a_step_due_at_a_moment_is_due_then(world, frozen):
    moment = frozen.at + dt.timedelta(days=5, hours=3)
    assert start(world, "test.visit_on", frozen.at, due=moment).due_at == moment


def test_a_rule_due_on_a_date_needs_its_date_and_a_period_takes_none(world, frozen):
    with pytest.raises(ValueError):
        start(world, "test.visit_on", frozen.at)
    with pytest.raises(ValueError):
        start(world, "foundling.care_plan", frozen.at, due=dt.date(2026, 3, 16))


def test_a_step_due_on_a_date_is_swept_like_any_other(world, frozen):
    visit = start(world, "test.visit_on", frozen.at, due=dt.date(2026, 3, 3))
    assert sweep(now=end_of(2026, 3, 3) - dt.timedelta(seconds=1)).escalated == 0
    assert sweep(now=end_of(2026, 3, 3)).escalated == 1
    visit.refresh_from_db()
    assert visit.escalation_level == 1 and Escalation.objects.filter(obligation=visit).count() == 1


def test_re_dating_moves_the_due_date_and_the_next_escalation(world, frozen):
    visit = start(world, "test.visit_on", frozen.at, due=dt.date(2026, 3, 3))
    sweep(now=end_of(2026, 3, 3))
    moved = obligation_redate(rule_code="test.visit_on", subject=visit.child, due=dt.date(2026, 3, 20))
    assert (moved.due_at, moved.due_on) == (end_of(2026, 3, 20), dt.date(2026, 3, 20))
    # The rung already climbed stays climbed; the next is counted from the new date.
    assert (moved.escalation_level, moved.next_escalation_at) == (1, end_of(2026, 3, 20))
    assert sweep(now=end_of(2026, 3, 19)).escalated == 0
    assert sweep(now=end_of(2026, 3, 20)).escalated == 1
    assert list(
        Escalation.objects.filter(obligation=visit).values_list("level", flat=True).order_by("level")
    ) == [
        1,
        2,
    ]


# --- Schedules ----------------------------------------------------------------------------------


def test_a_monthly_payroll_on_the_last_day_falls_back_to_the_working_day_before_all_year(world, frozen):
    first = start(world, "test.payroll", vn(2027, 1, 2, 9, 0))
    for _ in range(11):
        paid = occurrences(first)[-1]
        obligations_close(subject=paid.child, rules=["test.payroll"], actor=world.officer_a)
    due = [(o.due_on, o.due_at) for o in occurrences(first)]
    assert [day for day, _at in due] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),  # February has no 31st: its last day
        dt.date(2027, 3, 31),  # counted from the 31st, not from 28 February
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 31),
        dt.date(2027, 6, 30),
        dt.date(2027, 7, 31),
        dt.date(2027, 8, 31),
        dt.date(2027, 9, 30),
        dt.date(2027, 10, 31),
        dt.date(2027, 11, 30),
        dt.date(2027, 12, 31),
    ]
    assert [at for _day, at in due] == [
        end_of(2027, 1, 29),  # Sunday 31 → Friday
        end_of(2027, 2, 26),  # Sunday 28 → Friday
        end_of(2027, 3, 31),
        end_of(2027, 4, 29),  # Reunification Day → Thursday
        end_of(2027, 5, 31),
        end_of(2027, 6, 30),
        end_of(2027, 7, 30),  # Saturday → Friday
        end_of(2027, 8, 31),
        end_of(2027, 9, 30),
        end_of(2027, 10, 29),  # Sunday → Friday
        end_of(2027, 11, 30),
        end_of(2027, 12, 31),
    ]
    assert [o.status for o in occurrences(first)] == [Status.MET] * 11 + [Status.OPEN]
    # Each occurrence follows the one before it.
    chain = occurrences(first)
    assert [o.follows_id for o in chain] == [None, *(o.pk for o in chain[:-1])]


def test_a_payment_due_in_tet_moves_to_the_first_working_day_after_it(world, frozen):
    first = start(world, "test.allowance", vn(2027, 1, 1, 9, 0))
    assert first.due_at == end_of(2027, 1, 5)
    obligations_close(subject=first.child, rules=["test.allowance"], actor=world.officer_a)
    february = occurrences(first)[-1]
    assert (february.due_on, february.due_at) == (dt.date(2027, 2, 5), end_of(2027, 2, 11))


def test_a_missed_occurrence_escalates_once_and_the_next_is_owed_all_the_same(world, frozen):
    first = start(world, "test.allowance", vn(2027, 1, 1, 9, 0))
    obligations_close(subject=first.child, rules=["test.allowance"], actor=world.officer_a)
    february = occurrences(first)[-1]
    for _ in range(2):  # however often the sweep runs
        sweep(now=end_of(2027, 2, 11) + dt.timedelta(hours=1))
    february.refresh_from_db()
    assert february.escalation_level == 1 and february.escalations.count() == 1
    march = occurrences(first)[-1]
    assert (march.follows_id, march.due_on, march.due_at) == (
        february.pk,
        dt.date(2027, 3, 5),
        end_of(2027, 3, 5),
    )
    # Paying late pays February, not March too.
    frozen.at = vn(2027, 2, 20, 10, 0)
    assert obligations_close(subject=first.child, rules=["test.allowance"], actor=world.officer_a) == 1
    february.refresh_from_db()
    march.refresh_from_db()
    assert (february.status, march.status) == (Status.MET, Status.OPEN)
    assert len(occurrences(first)) == 3  # February's successor was already March


def test_a_review_counted_from_the_last_one_waits_for_it(world, frozen):
    first = start(world, "test.review", vn(2027, 8, 31, 9, 0))
    assert first.due_at == end_of(2028, 2, 29)  # six months after 31 August, in a leap year
    sweep(now=end_of(2028, 2, 29) + dt.timedelta(hours=1))
    first.refresh_from_db()
    assert first.escalation_level == 1 and len(occurrences(first)) == 1  # missed, and no second clock
    frozen.at = vn(2028, 3, 10, 15, 0)
    obligations_close(subject=first.child, rules=["test.review"], actor=world.officer_a)
    following = occurrences(first)[-1]
    assert (following.due_on, following.due_at) == (dt.date(2028, 9, 10), end_of(2028, 9, 10))
    assert following.escalation_level == 0 and following.escalations.count() == 0


def test_cancelling_stops_the_series(world, frozen):
    first = start(world, "test.fortnight", vn(2027, 3, 1, 9, 0))
    assert first.due_at == end_of(2027, 3, 15)
    obligations_close(subject=first.child, rules=["test.fortnight"], actor=None, status=Status.CANCELLED)
    sweep(now=vn(2027, 6, 1))
    assert [o.status for o in occurrences(first)] == [Status.CANCELLED]


def test_a_schedule_cannot_be_declared_inside_out():
    with pytest.raises(ValueError):
        Every(1, M, day=5, from_done=True)  # a day of the month is kept by the calendar
    with pytest.raises(ValueError):
        Every(1, D, day=5)
    with pytest.raises(ValueError):
        Every(0, M)


# --- The same working day; a period a step may end earlier -------------------------------------------


def test_the_same_working_day_ends_at_midnight_of_the_start_s_working_day(world, frozen):
    # Tuesday 2 February 2027, 10:00: due when that Tuesday ends.
    assert start(world, "test.same_day", vn(2027, 2, 2, 10)).due_at == end_of(2027, 2, 2)
    # At 15:00 sharp still that day; after it, the next working day.
    assert start(world, "test.same_day", vn(2027, 2, 2, 15)).due_at == end_of(2027, 2, 2)
    assert start(world, "test.same_day", vn(2027, 2, 2, 15, 1)).due_at == end_of(2027, 2, 3)


def test_the_same_working_day_of_a_start_on_a_day_off_is_the_next_working_day(world, frozen):
    # Wednesday 3 February 2027 after 15:00: Tết runs Thursday 4 to Wednesday 10, so Thursday 11.
    assert start(world, "test.same_day", vn(2027, 2, 3, 16)).due_at == end_of(2027, 2, 11)
    # Saturday 1 May 2027 (a holiday, observed on Monday 3): Tuesday 4 May.
    assert start(world, "test.same_day", vn(2027, 5, 1, 9)).due_at == end_of(2027, 5, 4)


def test_a_period_that_may_end_earlier_takes_the_date_the_step_gives_when_it_comes_first(world, frozen):
    approved = vn(2027, 1, 15, 10)
    early = start(world, "test.at_most", approved, due=dt.date(2027, 3, 1))
    assert (early.due_at, early.due_on) == (end_of(2027, 3, 1), dt.date(2027, 3, 1))
    late = start(world, "test.at_most", approved, due=dt.date(2027, 8, 1))
    assert (late.due_at, late.due_on) == (end_of(2027, 4, 15), None)
    assert start(world, "test.at_most", approved).due_at == end_of(2027, 4, 15)


def test_a_closing_hour_goes_with_working_days_and_an_earlier_date_with_a_period():
    with pytest.raises(ValueError):
        Rule("test.bad", "x", 6, M, "example", L, cutoff=dt.time(15))
    with pytest.raises(ValueError):
        Rule("test.bad", "x", 0, ON, "example", L, overridable=False, or_earlier=True)
