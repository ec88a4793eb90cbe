import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_the_report_step(apps, schema_editor):
    """The organisation a case was reported from is the one on its "report" timeline entry (null for
    the public), so cases reported before this field keep their reporter."""
    FoundlingCase = apps.get_model("foundlings", "FoundlingCase")
    Step = apps.get_model("foundlings", "Step")
    reporter = Step.objects.filter(case=OuterRef("pk"), action="report").order_by("at").values("organisation")[:1]
    FoundlingCase.objects.filter(reporting_organisation__isnull=True).update(
        reporting_organisation=Subquery(reporter)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("foundlings", "0003_discovery_record_witness"),
    ]

    operations = [
        migrations.AddField(
            model_name="foundlingcase",
            name="reporting_organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="reporting organisation",
            ),
        ),
        migrations.RunPython(from_the_report_step, migrations.RunPython.noop),
    ]
