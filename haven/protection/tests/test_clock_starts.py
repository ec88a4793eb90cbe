"""Every clock of a child-protection case starts when the law starts it (Decree 56/2017 art. 26, 30):
each test states a deadline from the event the law counts it from, and the citation users read says
which reading Haven chose where the law leaves the start open."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from haven.core import calendar
from haven.deadlines.models import Escalation, Obligation, Status
from haven.deadlines.rules import rule
from haven.deadlines.sweep import sweep
from haven.protection import services
from haven.protection.tests.factories import LOW, SPECIFIC, plan, report

INITIAL = "protection.initial_assessment"
EMERGENCY = "protection.emergency"
REVIEW = "protection.review"


def clock(case, code: str) -> Obligation:
    return Obligation.objects.get(subject_id=case.pk, rule=code)


def cited(code: str) -> str:
    """The rule's citation as a Vietnamese user reads it."""
    with translation.override("vi"):
        return str(rule(code).legal_basis)


def test_form02_assessment_is_due_6_hours_after_the_report_so_the_12_hour_emergency_clock_can_be_met(
    world, frozen
):
    """Decree 56/2017 art. 26(3): emergency measures within 12 hours of receiving the information; the
    initial assessment (Form 02, art. 26(2)) decides whether they are needed, so it runs from the same
    report (T0) — 6 hours, recommended — and not from when the commune takes the report up."""
    case = report(world)
    reported = frozen.at
    frozen.advance(hours=5)
    services.protection_accept(actor=world.officer_a, case=case)
    assessment = clock(case, INITIAL)
    assert assessment.opened_at == reported
    assert assessment.due_at == reported + dt.timedelta(hours=6)
    assert assessment.due_at < clock(case, EMERGENCY).due_at == reported + dt.timedelta(hours=12)
    assert "Điều 26" in cited(INITIAL) and "§" not in cited(INITIAL)


def test_form02_assessment_escalates_6_hours_after_the_report_even_if_nobody_takes_it_up(world, frozen):
    """The commune's silence does not stop the clock: the report, not the acceptance, started it."""
    case = report(world)
    reported = frozen.at
    assert clock(case, INITIAL).status == Status.OPEN
    sweep(now=reported + dt.timedelta(hours=6))
    assert Escalation.objects.filter(obligation=clock(case, INITIAL), level=1).exists()


def approved(world, frozen, **plan_dates):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=plan(**plan_dates))
    frozen.advance(days=2)
    services.protection_approve_plan(
        actor=world.chairman_a, case=case, decision_number="05/QĐ-UBND", participants="Cán bộ xã, mẹ của trẻ"
    )
    return case


def test_form06_review_is_due_on_the_plans_end_date_when_the_plan_ends_within_3_months(world, frozen):
    """Decree 56/2017 art. 30(1): the plan is reviewed at its end — at the end of its last day (Civil
    Code 2015 art. 148(6)) — and never later than 3 months after approval."""
    case = approved(world, frozen, days=30)
    end = dt.date.fromisoformat(services.current_plan(case).data["end"])
    assert clock(case, REVIEW).due_at == calendar.day_end(end)
    assert "Điều 30" in cited(REVIEW) and "§" not in cited(REVIEW)


def test_form06_review_is_due_3_months_after_approval_when_the_plan_runs_longer(world, frozen):
    """A plan of 200 days is still reviewed 3 months after the chairman approved it (Form 05), on the
    corresponding day of the third month (Civil Code 2015 art. 148(3)), not a flat 90 days."""
    case = approved(world, frozen, days=200)
    approval = case.approvals.get().approved_at
    three_months = calendar.add_months(calendar.local_day(approval), 3)
    assert clock(case, REVIEW).due_at == calendar.day_end(three_months)


def test_form06_review_falls_at_the_new_plans_end_after_a_replanning(world, frozen):
    """Planning again (art. 30(1)(c)) gives the review the new plan's end."""
    case = approved(world, frozen, days=60)
    services.protection_review(
        actor=world.officer_a,
        case=case,
        data={
            "harm": "medium",
            "abuser_access": "low",
            "obstacles": "low",
            "resilience": "medium",
            "summary": "x",
        },
    )
    services.protection_replan(actor=world.officer_a, case=case, reason="Còn nguy cơ")
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=plan(days=20))
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="9", participants="x")
    end = dt.date.fromisoformat(services.current_plan(case).data["end"])
    running = Obligation.objects.get(subject_id=case.pk, rule=REVIEW, status=Status.OPEN)
    assert running.due_at == calendar.day_end(end)


def test_every_citation_of_a_case_s_clocks_is_in_vietnamese_without_working_notes():
    """The citation is shown to the people held to the clock: in their language, naming the law, never
    the developers' own notes (a section of the rule book, a file)."""
    from haven.deadlines.rules import RULES

    codes = [code for code, r in RULES.items() if r.app == "protection"]
    assert codes
    for code in codes:
        with translation.override("en"):
            english = str(rule(code).legal_basis)
        assert cited(code) != english, code
        assert not any(note in cited(code) + english for note in ("§", ".md", "issue")), code


def test_cases_already_running_get_their_clocks_from_the_report_and_the_plan(world, frozen):
    """The data migration: a report not yet taken up gets its Form 02 clock from the report; one taken
    up keeps its clock, counted from the report; a running review falls at the plan's end."""
    import importlib

    from django.apps import apps

    waiting = report(world)
    taken_up = report(world, given_name="Lan")
    frozen.advance(hours=5)
    services.protection_accept(actor=world.officer_a, case=taken_up)
    reviewed = approved(world, frozen, days=30)
    # As recorded before: no Form 02 clock before the acceptance, one from it, a review after 90 days.
    clock(waiting, INITIAL).delete()
    accepted_at = taken_up.steps.get(action="accept").at
    Obligation.objects.filter(pk=clock(taken_up, INITIAL).pk).update(
        opened_at=accepted_at, due_at=accepted_at + dt.timedelta(hours=6)
    )
    approved_at = reviewed.approvals.get().approved_at
    Obligation.objects.filter(pk=clock(reviewed, REVIEW).pk).update(
        due_at=approved_at + dt.timedelta(days=90), due_on=None
    )

    migration = importlib.import_module(
        "haven.protection.migrations.0006_clocks_from_the_report_and_the_plan"
    )
    for _twice in range(2):
        migration.initial_from_the_report(apps, None)
        migration.review_at_the_plans_end(apps, None)

    for case in (waiting, taken_up):
        assessment = clock(case, INITIAL)
        assert (assessment.opened_at, assessment.due_at) == (
            case.received_at,
            case.received_at + dt.timedelta(hours=6),
        )
        assert assessment.next_escalation_at == assessment.due_at
    end = dt.date.fromisoformat(services.current_plan(reviewed).data["end"])
    review = clock(reviewed, REVIEW)
    assert (review.due_at, review.due_on, review.next_escalation_at) == (
        calendar.day_end(end),
        end,
        review.due_at,
    )
