"""Clocks start when the law starts them (issue #13), for the cases already running:

- the initial assessment (Form 02) runs from the report (T0), as the 12-hour emergency clock it serves
  (Decree 56/2017 art. 26): a report not yet taken up gets its clock; one opened when the commune took
  the report up is counted from the report instead (its province's shorter deadline kept);
- the review (Form 06) is due at the approved plan's end, and at most 3 months after the approval
  (art. 30(1)), not a flat 90 days (a province's shorter deadline kept)."""

import datetime as dt

from django.db import migrations

from haven.core import calendar

SUBJECT = "protection.protectioncase"
INITIAL = "protection.initial_assessment"
REVIEW = "protection.review"
INITIAL_HOURS = 6
TOP = 3


def _province(area):
    while area is not None and area.level != "province":
        area = area.parent
    return area


def _initial_hours(apps, responsible) -> int:
    DeadlineOverride = apps.get_model("deadlines", "DeadlineOverride")
    override = DeadlineOverride.objects.filter(
        rule=INITIAL, province=_province(responsible.area), unit="hours"
    ).first()
    return min(INITIAL_HOURS, override.amount) if override else INITIAL_HOURS


def _next(obligation) -> None:
    if obligation.escalation_level == 0:
        obligation.next_escalation_at = obligation.due_at


def initial_from_the_report(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    ProtectionCase = apps.get_model("protection", "ProtectionCase")
    Step = apps.get_model("protection", "Step")
    running = Obligation.objects.filter(rule=INITIAL, subject_type=SUBJECT, status="open")
    for case in ProtectionCase.objects.filter(state="received").select_related("responsible__area"):
        if running.filter(subject_id=case.pk).exists():
            continue
        due = case.received_at + dt.timedelta(hours=_initial_hours(apps, case.responsible))
        Obligation.objects.create(
            rule=INITIAL,
            child_id=case.child_id,
            subject_type=SUBJECT,
            subject_id=case.pk,
            responsible_id=case.responsible_id,
            opened_at=case.received_at,
            due_at=due,
            next_escalation_at=due,
        )
    for obligation in running:
        case = ProtectionCase.objects.get(pk=obligation.subject_id)
        # Only a clock the acceptance opened; one a reopening restarted runs from the reopening.
        if not Step.objects.filter(case=case, action="accept", at=obligation.opened_at).exists():
            continue
        gap = obligation.opened_at - case.received_at
        if gap <= dt.timedelta(0):
            continue
        obligation.opened_at -= gap
        obligation.due_at -= gap
        _next(obligation)
        obligation.save(update_fields=["opened_at", "due_at", "next_escalation_at"])


def review_at_the_plans_end(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    Approval = apps.get_model("protection", "Approval")
    for obligation in Obligation.objects.filter(rule=REVIEW, subject_type=SUBJECT, status="open"):
        approval = (
            Approval.objects.filter(case_id=obligation.subject_id, approved_at__lte=obligation.opened_at)
            .select_related("plan")
            .order_by("-approved_at")
            .first()
        )
        if approval is None:
            continue
        approved_on = calendar.local_day(approval.approved_at)
        due_at, due_on = calendar.day_end(calendar.add_months(approved_on, 3)), None
        try:
            plan_end = dt.date.fromisoformat(str((approval.plan.data or {}).get("end") or ""))
        except ValueError:
            plan_end = None
        if plan_end is not None and calendar.day_end(plan_end) < due_at:
            due_at, due_on = calendar.day_end(plan_end), plan_end
        # A province's shorter deadline made the old one earlier than the 90 days: it still holds.
        if obligation.due_at < approval.approved_at + dt.timedelta(days=90) and obligation.due_at < due_at:
            due_at, due_on = obligation.due_at, None
        obligation.due_at, obligation.due_on = due_at, due_on
        _next(obligation)
        obligation.save(update_fields=["due_at", "due_on", "next_escalation_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0005_separation_clock_at_its_end"),
        ("deadlines", "0005_dated_and_recurring"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(initial_from_the_report, migrations.RunPython.noop),
        migrations.RunPython(review_at_the_plans_end, migrations.RunPython.noop),
    ]
