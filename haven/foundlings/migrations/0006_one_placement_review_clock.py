"""One missed review escalates once: a found child placed in care had two six-monthly review clocks,
the case's ``foundling.review`` and the placement's ``care.review`` (or ``care.monitoring`` in a
family). The placement's clock is now the child's one clock (docs/decisions/0012): where both run, it
keeps the earlier start and due date and the higher rung climbed, and the case's is cancelled."""

from django.db import migrations
from django.utils import timezone

CASE_RULE = "foundling.review"
CARE_RULES = ("care.review", "care.monitoring")


def forwards(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    now = timezone.now()
    for case_clock in Obligation.objects.filter(rule=CASE_RULE, status="open", child__isnull=False):
        care_clock = (
            Obligation.objects.filter(rule__in=CARE_RULES, status="open", child_id=case_clock.child_id)
            .order_by("due_at")
            .first()
        )
        if care_clock is None:
            continue  # care takes it over when the child's placement opens its clock
        care_clock.opened_at = min(care_clock.opened_at, case_clock.opened_at)
        care_clock.due_at = min(care_clock.due_at, case_clock.due_at)
        if case_clock.escalation_level > care_clock.escalation_level:
            care_clock.escalation_level = case_clock.escalation_level
            care_clock.next_escalation_at = case_clock.next_escalation_at
        elif care_clock.escalation_level == 0:
            care_clock.next_escalation_at = care_clock.due_at
        care_clock.save(update_fields=["opened_at", "due_at", "escalation_level", "next_escalation_at"])
        case_clock.status = "cancelled"
        case_clock.closed_at = now
        case_clock.next_escalation_at = None
        case_clock.save(update_fields=["status", "closed_at", "next_escalation_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("foundlings", "0005_found_children_are_abandoned"),
        ("deadlines", "0005_dated_and_recurring"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
