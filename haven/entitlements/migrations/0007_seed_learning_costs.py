"""The learning-cost support's amount as the law states it: 150,000 đồng a pupil a month.

- From 15 October 2021: Decree 81/2021/NĐ-CP art. 20(10), read in the article (quoted in full by a
  legal portal), verified.
- From 3 September 2025: Decree 238/2025/NĐ-CP replaced Decree 81/2021; its articles were not read, so
  whether it kept 150,000 đồng is not verified and the pages say so.

No tuition-support rate is seeded: each province's People's Council sets its own (Resolution
217/2025/QH15 art. 2); until a province records one, Haven says it is to be set by the province.
"""

import datetime as dt

from django.db import migrations

DECREE_81_IN_FORCE = dt.date(2021, 10, 15)
DECREE_238_IN_FORCE = dt.date(2025, 9, 3)

ROWS = [
    {
        "key": "learning_costs",
        "value": 150_000,
        "valid_from": DECREE_81_IN_FORCE,
        "valid_to": DECREE_238_IN_FORCE,
        "citation": "Nghị định 81/2021/NĐ-CP, Điều 20 khoản 10",
        "citation_en": "Decree 81/2021/NĐ-CP art. 20(10)",
        "verified": True,
        "verification_note": "Đã đọc Điều 20 khoản 10 Nghị định 81/2021/NĐ-CP (trích dẫn nguyên văn trên cổng pháp luật).",
    },
    {
        "key": "learning_costs",
        "value": 150_000,
        "valid_from": DECREE_238_IN_FORCE,
        "valid_to": None,
        "citation": "Nghị định 238/2025/NĐ-CP (thay thế Nghị định 81/2021/NĐ-CP)",
        "citation_en": "Decree 238/2025/NĐ-CP (replacing Decree 81/2021/NĐ-CP)",
        "verified": False,
        "verification_note": (
            "Chưa đọc được văn bản gốc Nghị định 238/2025/NĐ-CP: mức 150.000 đồng và tối đa 9 tháng "
            "được giữ theo Nghị định 81/2021/NĐ-CP, chưa kiểm chứng."
        ),
    },
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("entitlements", "Parameter")
    for row in ROWS:
        Parameter.objects.create(**row)


def unseed(apps, schema_editor):
    apps.get_model("entitlements", "Parameter").objects.filter(key="learning_costs").delete()


class Migration(migrations.Migration):
    dependencies = [("entitlements", "0006_school_support")]

    operations = [migrations.RunPython(seed, unseed)]
