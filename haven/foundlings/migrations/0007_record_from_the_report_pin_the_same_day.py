"""Clocks start when the law starts them (issue #13), for the cases already running:

- the discovery record (biên bản) is counted from the report that notified the commune (Decree
  123/2015 art. 14(1)), not from the commune's acknowledgement;
- the personal identification number is due the same working day as the birth registration (the next
  working day when registered after 15:00 or on a day off), not one working day later."""

import datetime as dt

from django.db import migrations

from haven.core import calendar

SUBJECT = "foundlings.foundlingcase"
CUTOFF = dt.time(15)


def _next(obligation) -> None:
    if obligation.escalation_level == 0:
        obligation.next_escalation_at = obligation.due_at


def record_from_the_report(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    Step = apps.get_model("foundlings", "Step")
    for obligation in Obligation.objects.filter(rule="foundling.record", subject_type=SUBJECT, status="open"):
        reported = (
            Step.objects.filter(case_id=obligation.subject_id, action="report")
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        if reported is None or reported >= obligation.opened_at:
            continue
        gap = obligation.opened_at - reported
        obligation.opened_at -= gap
        obligation.due_at -= gap
        _next(obligation)
        obligation.save(update_fields=["opened_at", "due_at", "next_escalation_at"])


def pin_the_same_working_day(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    for obligation in Obligation.objects.filter(rule="foundling.pin", subject_type=SUBJECT, status="open"):
        start = obligation.opened_at
        if start.astimezone(calendar.VIETNAM).time() > CUTOFF:
            start = calendar.day_start(calendar.local_day(start) + dt.timedelta(days=1))
        same_day = calendar.add_working_days(start, 0)
        if same_day >= obligation.due_at:
            continue
        obligation.due_at = same_day
        _next(obligation)
        obligation.save(update_fields=["due_at", "next_escalation_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("foundlings", "0006_one_placement_review_clock"),
        ("deadlines", "0005_dated_and_recurring"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(record_from_the_report, migrations.RunPython.noop),
        migrations.RunPython(pin_the_same_working_day, migrations.RunPython.noop),
    ]
