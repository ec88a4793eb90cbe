"""The national table lists Hà Nội, Hồ Chí Minh City and the industrial provinces first (issue #4), as
data with its reason; the care list endpoints page like the other apps' (count, page, pages, items)."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.api.tests.client import ApiClient
from haven.areas.models import Area
from haven.care import selectors
from haven.care.api import PAGE_SIZE
from haven.core import clock
from haven.lib.vnnames import FEMALE_GIVEN

from .test_services import admitted, place

pytestmark = pytest.mark.django_db

FIRST = ["01", "79", "31", "75", "24"]


def test_priority_provinces_come_first_with_their_reason_then_the_others_by_code(world, site):
    place(world, site, admitted(world))
    provinces = selectors.provinces_visible(world.users["ministry"])
    rows = selectors.national_rows(provinces)
    codes = [r.province.code for r in rows]
    present = [c for c in FIRST if Area.objects.provinces().filter(code=c).exists()]
    assert codes[: len(present)] == present
    assert codes[len(present) :] == sorted(codes[len(present) :])
    assert all(r.priority for r in rows[: len(present)]) and not any(r.priority for r in rows[len(present) :])
    hanoi = rows[0]
    assert (hanoi.province.code, hanoi.facilities, hanoi.occupancy, hanoi.in_facility) == ("01", 1, 1, 1)


def test_the_national_page_and_api_list_the_priority_provinces_first(world, site, client):
    client.force_login(world.users["ministry"])
    page = client.get("/care/province/").content.decode()
    assert 'id="national"' in page
    assert page.index('data-province="01"') < page.index('data-province="79"')
    api = ApiClient(world.users["analyst"])
    first = api.get("/care/provinces").json()
    assert first["page"] == 1 and first["count"] == Area.objects.current().provinces().count()
    assert first["items"][0]["province_code"] == "01" and first["items"][0]["priority_reason"]
    # A provincial officer reads only the own province.
    own = ApiClient(world.users["provincial"]).get("/care/provinces").json()
    assert [r["province_code"] for r in own["items"]] == ["01"]


def test_care_lists_are_paginated(world, site):
    from haven.care.tests.test_decisions import foster_family

    for i in range(PAGE_SIZE + 2):
        foster_family(world, name=f"Gia đình {FEMALE_GIVEN[i][0]}")
    api = ApiClient(world.officer_a)
    first = api.get("/care/families").json()
    assert (first["count"], first["pages"], len(first["items"])) == (PAGE_SIZE + 2, 2, PAGE_SIZE)
    second = api.get("/care/families", page=2).json()
    assert len(second["items"]) == 2
    assert {f["id"] for f in first["items"]}.isdisjoint({f["id"] for f in second["items"]})
    facilities = ApiClient(world.facility_director).get("/care/facilities").json()
    assert facilities["count"] == 1 and facilities["items"][0]["id"] == site.facility.pk
    assert api.get("/care/families", page=0).status_code == 422


def test_the_national_table_costs_one_query_per_province_plus_a_few(
    world, site, django_assert_max_num_queries
):
    place(world, site, admitted(world))
    provinces = selectors.provinces_visible(world.users["ministry"])
    with django_assert_max_num_queries(len(provinces) + 10):
        rows = selectors.national_rows(provinces)
    assert len(rows) == len(provinces)


def counted(captured) -> int:
    """The queries of the code under test; the test clock's offset is re-read on its own schedule."""
    return sum("core_clockoffset" not in q["sql"] for q in captured.captured_queries)


def test_the_national_table_costs_no_more_queries_for_more_facilities(world, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_decisions import second_facility

    provinces = selectors.provinces_visible(world.users["ministry"])
    with CaptureQueriesContext(connection) as one:
        selectors.national_rows(provinces)
    second_facility(world)
    with CaptureQueriesContext(connection) as two:
        rows = selectors.national_rows(provinces)
    assert counted(two) == counted(one)
    assert next(r for r in rows if r.province.code == "01").facilities == 2


def test_the_national_table_costs_the_same_for_one_province_or_all(world, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import hand_over

    place(world, site, admitted(world))
    hand_over(world, world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365)))
    provinces = selectors.provinces_visible(world.users["ministry"])
    with CaptureQueriesContext(connection) as one:
        [hanoi] = selectors.national_rows([p for p in provinces if p.code == "01"])
    with CaptureQueriesContext(connection) as every:
        rows = selectors.national_rows(provinces)
    assert counted(every) == counted(one)
    # The counts are those of the one-province figures (selectors.form_counts).
    assert (hanoi.in_family, hanoi.in_facility) == (1, 1)
    assert next(r for r in rows if r.province.code == "01").in_family == 1
    counts = selectors.form_counts(world.hanoi, clock.today())
    assert (counts["family"], counts["facility"]) == (hanoi.in_family, hanoi.in_facility)
