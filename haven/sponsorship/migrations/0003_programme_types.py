"""The six community models of Notice 432-TB/VPTW §4.3 as programme types, their rules as data
(next-capabilities §3.1). None is set by a legal text Haven read: each row names the press or the
organisation that describes it, and ``verified`` stays false until someone checks the programme's
own charter. A programme's organiser may ask for a change by a new migration or the admin."""

from django.db import migrations

TYPES = [
    {
        "code": "me_do_dau",
        "name": "Mẹ đỡ đầu",
        "name_en": "Godmother",
        "sponsor_kinds": ["individual", "organisation", "women_union"],
        "forms": ["cash_monthly", "in_kind", "tuition", "insurance", "savings", "mentoring", "residence"],
        "min_months": 12,
        "max_months": None,
        "until_age": 18,
        "typical_monthly": 500000,
        "source": "Hội LHPN Việt Nam, chương trình \"Mẹ đỡ đầu\" (2021): 200.000–1.000.000 đồng/tháng, "
        "ít nhất 12 tháng, khuyến khích đến 18 tuổi",
    },
    {
        "code": "ngoi_nha_binh_yen",
        "name": "Ngôi nhà bình yên",
        "name_en": "Peace House",
        "sponsor_kinds": ["individual", "organisation", "women_union"],
        "forms": ["shelter", "in_kind", "cash_monthly"],
        "min_months": None,
        "max_months": 18,
        "until_age": None,
        "typical_monthly": None,
        "source": "Trung tâm Phụ nữ và Phát triển (Hội LHPN Việt Nam), từ 8/3/2007: lưu trú tối đa 18 tháng",
    },
    {
        "code": "dia_chi_tin_cay",
        "name": "Địa chỉ tin cậy",
        "name_en": "Trusted address",
        "sponsor_kinds": ["individual", "organisation", "women_union"],
        "forms": ["shelter", "in_kind"],
        "min_months": None,
        "max_months": 1,
        "until_age": None,
        "typical_monthly": None,
        "source": "Mô hình \"Địa chỉ tin cậy – Nhà tạm lánh\" (Hội LHPN, UBND xã): nơi tạm lánh khẩn cấp",
    },
    {
        "code": "vi_dan_em_than_yeu",
        "name": "Vì đàn em thân yêu",
        "name_en": "For our dear younger ones",
        "sponsor_kinds": ["individual", "organisation", "youth_union"],
        "forms": ["cash_monthly", "in_kind", "tuition", "mentoring"],
        "min_months": 12,
        "max_months": None,
        "until_age": 18,
        "typical_monthly": 2000000,
        "source": "Đoàn Thanh niên, Hội đồng Đội Trung ương (chương trình tương tự: 2.000.000 đồng/tháng "
        "đến 18 tuổi); tên mô hình chưa đối chiếu văn bản",
    },
    {
        "code": "con_nuoi_cong_an_xa",
        "name": "Con nuôi công an xã",
        "name_en": "Commune police's foster child",
        "sponsor_kinds": ["police_unit"],
        "forms": ["cash_monthly", "in_kind", "mentoring", "residence"],
        "min_months": 12,
        "max_months": None,
        "until_age": 18,
        "typical_monthly": 1000000,
        "source": "Công an tỉnh Đồng Nai (5/2024): 1.000.000 đồng/tháng; Lào Cai 2024: 20 kg gạo và "
        "200.000 đồng/tháng (báo Công an nhân dân, Tiền Phong)",
    },
    {
        "code": "con_nuoi_bien_phong",
        "name": "Con nuôi đồn biên phòng",
        "name_en": "Border station's foster child",
        "sponsor_kinds": ["border_guard_unit"],
        "forms": ["cash_monthly", "in_kind", "tuition", "mentoring", "residence"],
        "min_months": 12,
        "max_months": None,
        "until_age": 18,
        "typical_monthly": 500000,
        "source": "Bộ đội Biên phòng, chương trình \"Nâng bước em tới trường\": 500.000 đồng/tháng, duy trì "
        "đến 18 tuổi",
    },
]


def seed(apps, schema_editor):
    ProgrammeType = apps.get_model("sponsorship", "ProgrammeType")
    for row in TYPES:
        ProgrammeType.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("sponsorship", "0002_published_lines_never_change")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
