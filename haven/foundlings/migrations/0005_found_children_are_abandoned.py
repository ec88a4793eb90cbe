from zoneinfo import ZoneInfo

from django.db import migrations

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

ABANDONED = "HCDB_B"  # Law on Children art. 10(b)
EVIDENCE = "Được phát hiện ngày {date} tại {place} và được thông báo là trẻ bị bỏ rơi (Nghị định 123/2015/NĐ-CP, Điều 14)."


def record_the_group(apps, schema_editor):
    """Found children reported before Haven recorded the group themselves: "abandoned" from the day
    found; ended on the day a case closed as returned to the family. A case closed as a second report
    of a child already reported is left alone, so that no child is counted twice."""
    FoundlingCase = apps.get_model("foundlings", "FoundlingCase")
    SpecialCircumstance = apps.get_model("people", "SpecialCircumstance")
    have = set(
        SpecialCircumstance.objects.filter(group=ABANDONED).values_list("child_id", flat=True).distinct()
    )
    new = []
    for case in (
        FoundlingCase.objects.exclude(state="duplicate")
        .filter(child__merged_into__isnull=True)
        .exclude(child_id__in=have)
        .iterator()
    ):
        found_on = case.found_at.astimezone(VIETNAM).date()
        ended = None
        if case.state == "reunified":
            ended = max((case.closed_at or case.updated_at).astimezone(VIETNAM).date(), found_on)
        new.append(
            SpecialCircumstance(
                child_id=case.child_id,
                group=ABANDONED,
                started_on=found_on,
                ended_on=ended,
                evidence=EVIDENCE.format(date=found_on.strftime("%d/%m/%Y"), place=case.found_place),
                recorded_by_id=case.reported_by_id,
            )
        )
    SpecialCircumstance.objects.bulk_create(new, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("foundlings", "0004_foundlingcase_reporting_organisation"),
        ("people", "0005_circumstance_half_open"),
    ]

    operations = [migrations.RunPython(record_the_group, migrations.RunPython.noop)]
