"""The monthly social allowance's rules as the law states them (Decree 20/2021/NĐ-CP, in force 1 July
2021, as amended by Decree 76/2024/NĐ-CP, in force 1 July 2024).

``verified`` follows the project's rule book (shared domain research): a value read in the text of the
article is verified; a value known from secondary sources (news, summaries, arithmetic on reported
amounts) is not, and the pages that show it say "not yet checked against the official text" until an
authorised officer reads the text and ticks it, with where it was read.

- 360,000 VND from 1 July 2021: Decree 20/2021 art. 4(2), read in the text.
- 500,000 VND from 1 July 2024: Decree 76/2024 art. 1(1) amending art. 4; from legal news only.
- Coefficients 2.5 under 4 and 1.5 from 4 (art. 6(1)(a), (b)): from the press (900,000 and 540,000 VND
  at the 360,000 level), consistent arithmetically, the article itself not read.
- 16 to under 22 while studying (art. 5(2)): the continuation was read in the text; its coefficient
  (1.5, art. 6(1)(b)) was not.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DECREE_20_IN_FORCE = dt.date(2021, 7, 1)
DECREE_76_IN_FORCE = dt.date(2024, 7, 1)
SECONDARY = "Nguồn thứ cấp (tin pháp luật, báo chí); chưa đọc được văn bản gốc của điều khoản."

PARAMETERS = [
    {
        "key": "standard_level",
        "value": 360_000,
        "valid_from": DECREE_20_IN_FORCE,
        "valid_to": DECREE_76_IN_FORCE,
        "citation": "Nghị định 20/2021/NĐ-CP, Điều 4 khoản 2",
        "citation_en": "Decree 20/2021/NĐ-CP art. 4(2)",
        "verified": True,
        "verification_note": "Đã đọc nội dung Điều 4 khoản 2 Nghị định 20/2021/NĐ-CP.",
    },
    {
        "key": "standard_level",
        "value": 500_000,
        "valid_from": DECREE_76_IN_FORCE,
        "valid_to": None,
        "citation": "Nghị định 76/2024/NĐ-CP, Điều 1 khoản 1 (sửa đổi Điều 4 Nghị định 20/2021/NĐ-CP)",
        "citation_en": "Decree 76/2024/NĐ-CP art. 1(1), amending Decree 20/2021/NĐ-CP art. 4",
        "verified": False,
        "verification_note": SECONDARY,
    },
]

UNDER_4 = ("Nghị định 20/2021/NĐ-CP, Điều 6 khoản 1 điểm a", "Decree 20/2021/NĐ-CP art. 6(1)(a)")
FROM_4 = ("Nghị định 20/2021/NĐ-CP, Điều 6 khoản 1 điểm b", "Decree 20/2021/NĐ-CP art. 6(1)(b)")
STUDYING = (
    "Nghị định 20/2021/NĐ-CP, Điều 5 khoản 2; Điều 6 khoản 1 điểm b",
    "Decree 20/2021/NĐ-CP art. 5(2), 6(1)(b)",
)
BANDS = [
    (0, 4, False, Decimal("2.50"), UNDER_4),
    (4, 16, False, Decimal("1.50"), FROM_4),
    (16, 22, True, Decimal("1.50"), STUDYING),
]
GROUNDS = ("abandoned", "orphan", "other")


def seed(apps, schema_editor):
    Parameter = apps.get_model("entitlements", "Parameter")
    BenefitRule = apps.get_model("entitlements", "BenefitRule")
    for row in PARAMETERS:
        Parameter.objects.create(**row)
    for ground in GROUNDS:
        for age_from, age_to, studying, coefficient, (citation, citation_en) in BANDS:
            BenefitRule.objects.create(
                programme="monthly_allowance",
                ground=ground,
                care_situation="community",
                age_from=age_from,
                age_to=age_to,
                requires_studying=studying,
                coefficient=coefficient,
                base="standard_level",
                valid_from=DECREE_20_IN_FORCE,
                valid_to=None,
                citation=citation,
                citation_en=citation_en,
                verified=False,
                verification_note=SECONDARY,
            )


def unseed(apps, schema_editor):
    apps.get_model("entitlements", "BenefitRule").objects.all().delete()
    apps.get_model("entitlements", "Parameter").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("entitlements", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
