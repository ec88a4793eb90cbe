"""The indicators over the API: the same definitions, values and disclosure as the dashboards."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core import calendar
from haven.people.models import CircumstanceGroup, SpecialCircumstance


@pytest.fixture
def children(world, frozen):
    frozen.at = calendar.day_start(dt.date(2026, 3, 20)) + dt.timedelta(hours=9)
    for commune, n in ((world.commune_a, 9), (world.commune_b, 2)):
        for _i in range(n):
            SpecialCircumstance.objects.create(
                child=world.child(commune=commune),
                group=CircumstanceGroup.HCDB_B,
                started_on=dt.date(2025, 6, 1),
                evidence="Biên bản",
            )
    return world


def test_who_may_not_read_figures_is_refused(children):
    for user in (children.collaborator_a, children.facility_director):
        assert ApiClient(user).get("/indicators").status_code == 404
        assert ApiClient(user).get("/indicators/HV.SC/values").status_code == 404
    # An account with no role in force is answered nothing at all by the API.
    assert ApiClient(children.nobody).get("/indicators").json()["code"] == "no_role"
    assert ApiClient().get("/indicators").status_code == 401


def test_definitions_carry_their_passport_and_target(children):
    body = ApiClient(children.analyst).get("/indicators").json()
    by_code = {i["code"]: i for i in body}
    assert by_code["IV.0101"]["circular"] and by_code["HV.SC"]["disaggregations"] == ["sex", "age", "group"]
    assert by_code["HV.CLOCKS"]["target"]["comparator"] == "≥"
    assert ApiClient(children.analyst).get("/indicators/NOPE").status_code == 404


def test_values_are_exact_for_the_province_and_protected_for_the_central_office(children):
    province = ApiClient(children.provincial).get("/indicators/HV.SC/values", period="2026-03").json()
    assert province["area_code"] == children.hanoi.code and province["exact"] is True
    assert province["value"] == 11 and province["period_name"] == "Tháng 3/2026"
    rows = {r["area_code"]: r for r in province["tables"][0]["rows"]}
    assert rows[children.commune_b.code]["cells"][0]["numerator"] == 2
    analyst = (
        ApiClient(children.analyst)
        .get("/indicators/HV.SC/values", period="2026-03", area_code=children.hanoi.code)
        .json()
    )
    rows = {r["area_code"]: r for r in analyst["tables"][0]["rows"]}
    small = rows[children.commune_b.code]["cells"][0]
    assert analyst["exact"] is False and small == {
        "category": "",
        "numerator": None,
        "denominator": None,
        "value": None,
        "hidden": True,
    }
    assert AuditEvent.objects.filter(action="report.values_view").count() == 2


def test_bad_input_is_refused_with_the_reason(children):
    officer = ApiClient(children.officer_a)
    response = officer.get("/indicators/HV.SC/values", period="2026-13")
    assert response.status_code == 422 and "period" in response.json()["fields"]
    assert officer.get("/indicators/HV.SC/values", area_code=children.commune_b.code).status_code == 404
    assert officer.get("/indicators/HV.SC/values", area_code="x1").status_code == 422
