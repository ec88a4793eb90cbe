"""The separation's clock is due at the separation's own end (Decree 56/2017 art. 32), not on day 12
whatever its length: open clocks move to the end of their case's open separation."""

from django.db import migrations

RULE = "protection.separation_review"
TOP = 3


def forwards(apps, schema_editor) -> None:
    Obligation = apps.get_model("deadlines", "Obligation")
    Separation = apps.get_model("protection", "Separation")
    for obligation in Obligation.objects.filter(
        rule=RULE, status="open", subject_type="protection.protectioncase"
    ):
        separation = (
            Separation.objects.filter(case_id=obligation.subject_id, ended_at__isnull=True)
            .order_by("-decided_at")
            .first()
        )
        if separation is None:
            continue
        obligation.due_at = separation.ends_at
        obligation.due_on = None
        obligation.next_escalation_at = separation.ends_at if obligation.escalation_level < TOP else None
        obligation.save(update_fields=["due_at", "due_on", "next_escalation_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0004_referral_withdrawn"),
        ("deadlines", "0005_dated_and_recurring"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
