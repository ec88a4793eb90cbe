"""One machine-readable error shape for every refusal: {"code", "message", "fields"}, never a 500.

Refused here: bodies that are not JSON, that break the schema, or that exceed
DATA_UPLOAD_MAX_MEMORY_SIZE; none of them saves anything.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from haven.api.tests.client import ApiClient
from haven.people.models import Child


@pytest.fixture
def officer(world) -> ApiClient:
    return ApiClient(world.officer_a)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code and body["message"]
    return body


@pytest.mark.parametrize("raw", ['{"family_name": ', "not json", "\xff\xfe", '{"a": 1} trailing'])
def test_a_body_that_is_not_json_is_malformed(world, officer, raw):
    before = Child.objects.count()
    assert_error(officer.post("/children", raw=raw), 400, "malformed")
    assert Child.objects.count() == before


def test_a_body_that_breaks_the_schema_names_the_fields(world, officer):
    body = assert_error(
        officer.post("/children", {"sex": "boy", "given_name": "x" * 51, "commune_code": "1"}),
        422,
        "malformed",
    )
    assert set(body["fields"]) == {"sex", "given_name", "commune_code"}


def test_a_json_array_instead_of_an_object_is_malformed(world, officer):
    assert_error(officer.post("/children", raw="[]"), 422, "malformed")


def test_an_oversize_body_is_refused_with_413(world, officer):
    before = Child.objects.count()
    filler = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    raw = f'{{"commune_code": "{world.commune_a.code}", "place_of_birth": "{filler}"}}'
    assert_error(officer.post("/children", raw=raw), 413, "too_large")
    assert Child.objects.count() == before


def test_an_oversize_body_is_413_even_with_debug_on(world, officer, settings):
    # With DEBUG on, django-ninja answers an unhandled exception with a 500 and a traceback.
    settings.DEBUG = True
    raw = "[" + "1," * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + "1]"
    assert_error(officer.patch(f"/children/{world.child().pk}", raw=raw), 413, "too_large")


@pytest.mark.parametrize(
    "raw",
    [
        # What a fuzzer sent to /education/schools: PostgreSQL stores no NUL, and the write was a 500.
        '{"name": "Trường Tiểu học Hòa Bình", "commune_code": "\\u00f4\\u0000", "code": "x"}',
        # A lone surrogate is no character at all.
        '{"name": "\\ud8c5", "commune_code": "00004", "code": "x"}',
    ],
)
def test_text_no_database_stores_is_malformed_anywhere_in_a_body_naming_the_field(world, raw):
    from haven.education.models import School

    provincial = ApiClient(world.provincial)
    body = assert_error(provincial.post("/education/schools", raw=raw), 422, "malformed")
    assert body["fields"] and set(body["fields"]) <= {"name", "commune_code"}
    body = assert_error(
        ApiClient(world.officer_a).post("/children", raw=raw.replace("name", "given_name")), 422, "malformed"
    )
    assert body["fields"]
    assert not School.objects.exists()


def test_a_nul_in_a_query_is_malformed(world, officer):
    assert list(assert_error(officer.get("/children", q="Lan\x00"), 422, "malformed")["fields"]) == ["q"]
