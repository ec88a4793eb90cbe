"""/api/v1/areas: reference data, the same for every holder of a valid token.

Refused: a request without a valid token (401, haven/api/tests/test_auth.py), and a user with no role
in force (403): such an account reaches its own account pages and nothing else.
"""

from __future__ import annotations

import pytest

from haven.api.tests.client import ApiClient
from haven.areas.models import Area


def test_an_account_without_a_role_is_refused_the_provinces(world):
    response = ApiClient(world.nobody).get("/areas/provinces")
    assert response.status_code == 403 and response.json()["code"] == "no_role"


@pytest.mark.parametrize("persona", ["officer_a", "analyst"])
def test_the_34_provinces(world, persona):
    response = ApiClient(getattr(world, persona)).get("/areas/provinces")
    assert response.status_code == 200
    provinces = response.json()
    assert len(provinces) == 34 == Area.objects.current().provinces().count()
    assert {p["level"] for p in provinces} == {"province"}
    assert {
        "code": "01",
        "name": world.hanoi.name,
        "kind": world.hanoi.kind,
        "level": "province",
    } in provinces


def test_the_communes_of_a_province(world):
    response = ApiClient(world.officer_a).get("/areas/provinces/01/communes")
    assert response.status_code == 200
    codes = {c["code"] for c in response.json()}
    expected = set(Area.objects.current().communes().filter(parent__code="01").values_list("code", flat=True))
    assert len(codes) == len(expected) > 100
    assert codes == expected
    assert world.commune_a.code in codes


def test_an_unknown_province_is_not_found(world):
    response = ApiClient(world.officer_a).get("/areas/provinces/99/communes")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "code",
    [
        "xx",
        "0123",
        "%00",  # PostgreSQL refuses NUL in a query: the code must be checked before any query
        "0%001",
    ],
)
def test_a_malformed_province_code_is_refused_not_a_server_error(world, code):
    response = ApiClient(world.officer_a).client.get(f"/api/v1/areas/provinces/{code}/communes")
    assert response.status_code in (404, 422)
    assert response.json()["code"] in ("not_found", "malformed")
