"""All 34 provinces and 3,321 communes, from the vietnam-provinces package, with a tree to walk."""

import datetime as dt

import pytest
from django.core.management import call_command

from haven.areas.models import Area

pytestmark = pytest.mark.django_db


def test_the_two_tier_map_is_loaded_with_official_codes_and_types():
    assert Area.objects.provinces().count() == 34
    assert Area.objects.communes().count() == 3321
    kinds = {k: Area.objects.filter(kind=k).count() for k in ("xa", "phuong", "dac_khu")}
    assert kinds == {"xa": 2621, "phuong": 687, "dac_khu": 13}
    assert Area.objects.filter(level="province", kind="thanh_pho_tw").count() == 6
    assert not Area.objects.exclude(valid_from=dt.date(2025, 7, 1)).exists()


def test_a_province_lists_its_communes_and_a_commune_knows_its_province():
    hanoi = Area.objects.provinces().get(code="01")
    assert hanoi.name == "Thành phố Hà Nội"
    communes = hanoi.communes()
    assert communes.count() > 100
    some = communes.first()
    assert some.province == hanoi and len(some.code) == 5


def test_loading_again_changes_nothing():
    before = list(Area.objects.values_list("id", "code", "name", "parent_id").order_by("id"))
    call_command("load_areas", verbosity=0)
    assert list(Area.objects.values_list("id", "code", "name", "parent_id").order_by("id")) == before


def test_the_area_pages_and_api_need_a_sign_in(client):
    assert client.get("/areas/").status_code == 302
    assert client.get("/api/v1/areas/provinces").status_code == 401
