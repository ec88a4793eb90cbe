"""Every 6 months is six calendar months, for the clocks already running.

The review of a child in a facility (Law on Children art. 68(1)), the monitoring visit of a child in a
family (Decree 56/2017 art. 43(2), 46; Circular 14/2020 art. 13), the found-child case's review and the
under-3 family-based plan were counted as 183 days. They are now periods of 6 months, due at the end of
the corresponding day of the sixth month or of that month's last day (Civil Code 2015 art. 148(3)): an
open clock is re-dated from its start, keeping a province's stricter deadline. A rung already climbed
stays climbed (as when a clock is re-dated); a clock that has not escalated is next looked at when due.
"""

from django.db import migrations

from haven.core import calendar

SIX_MONTHLY = ("care.review", "care.family_plan", "care.monitoring", "foundling.review")


def _stricter(override, start):
    if override.unit == "hours":
        return calendar.add_hours(start, override.amount)
    if override.unit == "calendar_days":
        return calendar.add_calendar_days(start, override.amount)
    return calendar.add_working_days(start, override.amount)


def six_months_are_months(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    DeadlineOverride = apps.get_model("deadlines", "DeadlineOverride")
    overrides = {(o.rule, o.province_id): o for o in DeadlineOverride.objects.filter(rule__in=SIX_MONTHLY)}
    running = Obligation.objects.filter(rule__in=SIX_MONTHLY, status="open").select_related("responsible__area")
    for obligation in running:
        start = obligation.opened_at
        due = calendar.day_end(calendar.add_months(calendar.local_day(start), 6))
        area = obligation.responsible.area
        province_id = area.pk if area.level == "province" else area.parent_id
        override = overrides.get((obligation.rule, province_id))
        if override is not None:
            due = min(due, _stricter(override, start))
        if due == obligation.due_at:
            continue
        obligation.due_at = due
        if obligation.escalation_level == 0:
            obligation.next_escalation_at = due
        obligation.save(update_fields=["due_at", "next_escalation_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0010_care_workflow_states"),
        ("deadlines", "0005_dated_and_recurring"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(six_months_are_months, migrations.RunPython.noop)]
