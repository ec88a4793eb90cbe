"""The categories a complaint is filed under, as data: a row is retired (``active``), never deleted."""

from django.db import migrations

CATEGORIES = [
    ("allowance_not_paid", "Trợ cấp không được chi trả", "Allowance not paid", False),
    ("wrong_amount", "Chi trả sai số tiền", "Wrong amount paid", False),
    ("application_refused", "Hồ sơ đề nghị bị từ chối", "Application refused", False),
    ("health_insurance", "Thẻ bảo hiểm y tế", "Health insurance card", False),
    ("school_support", "Hỗ trợ học tập, miễn giảm học phí", "School support or tuition exemption", False),
    ("officer_conduct", "Thái độ, hành vi của cán bộ", "Conduct of an officer", True),
    ("other", "Nội dung khác", "Other", False),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for order, (code, name, name_en, names_officer) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "names_officer": names_officer, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
