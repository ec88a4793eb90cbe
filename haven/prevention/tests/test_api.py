"""/api/v1/prevention: the same services and rules as the pages. Out of reach is 404; a step out of
order is 409 and changes nothing; bad data is 422 with the fields and saves nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.prevention import services
from haven.prevention.catalog import NEEDS
from haven.prevention.models import AtRiskPerson, Village
from haven.prevention.tests.factories import contacted, flag


def flag_body(world, village, **extra) -> dict:
    return {
        "family_name": "Trần",
        "middle_name": "Thị",
        "given_name": "Mai",
        "birth_year": 1999,
        "commune_code": world.commune_a.code,
        "village_id": village.pk,
        "pregnant": True,
        "consent": True,
        "risk_factors": ["single_mother"],
        **extra,
    }


def test_a_collaborator_follows_a_woman_through_the_api(world, village, frozen):
    api = ApiClient(world.collaborator_a)
    response = api.post("/prevention", flag_body(world, village))
    assert response.status_code == 201, response.json()
    person = response.json()
    assert person["next_step"] == "prevention.first_contact" and person["collaborator"]
    at = frozen.at.isoformat()
    delivery = (clock.localdate(frozen.at) + dt.timedelta(days=100)).isoformat()
    body = {"at": at, "mode": "home", "wellbeing": "good", "consent": True, "expected_delivery": delivery}
    assert api.post(f"/prevention/{person['id']}/contact", body).json()["state"] == "contacted"
    needs = {code: "some" for code, _label in NEEDS}
    assert api.post(f"/prevention/{person['id']}/assessment", {"needs": needs}).json()["state"] == "assessed"
    detail = api.post(
        f"/prevention/{person['id']}/supports", {"service": "counselling", "provider": "Trạm y tế xã"}
    ).json()
    assert detail["supports"][0]["status"] == "referred"
    assert api.post(f"/prevention/{person['id']}/plan", {"note": ""}).json()["state"] == "follow_up"
    assert [p["id"] for p in api.get("/prevention/today").json()] == []
    assert api.get("/prevention").json()["count"] == 1


def test_a_visit_in_the_future_is_refused_and_changes_nothing(world, village, frozen):
    api = ApiClient(world.collaborator_a)
    pid = api.post("/prevention", flag_body(world, village)).json()["id"]
    api.post(
        f"/prevention/{pid}/contact",
        {"at": frozen.at.isoformat(), "mode": "home", "wellbeing": "good", "consent": True},
    )
    later = (frozen.at + dt.timedelta(days=2)).isoformat()
    response = api.post(f"/prevention/{pid}/visits", {"at": later, "mode": "home", "wellbeing": "good"})
    assert response.status_code == 422 and response.json()["fields"]["at"]
    assert AtRiskPerson.objects.get(pk=pid).visits.count() == 1


def test_sensitive_fields_without_consent_are_refused(world, village, frozen):
    response = ApiClient(world.collaborator_a).post("/prevention", flag_body(world, village, consent=False))
    assert response.status_code == 422 and "consent" in response.json()["fields"]
    assert not AtRiskPerson.objects.exists()


def test_a_collaborator_outside_her_villages_is_refused(world, village, frozen):
    other = Village.objects.create(commune=world.commune_a, name="Thôn Tây")
    response = ApiClient(world.collaborator_a).post("/prevention", flag_body(world, other))
    assert response.status_code == 422 and "village_id" in response.json()["fields"]


@pytest.mark.parametrize(
    "persona", ["officer_b", "provincial_other", "school_a", "analyst", "ministry", "hotline"]
)
def test_a_person_out_of_reach_is_not_found(world, village, frozen, persona):
    pid = ApiClient(world.collaborator_a).post("/prevention", flag_body(world, village)).json()["id"]
    assert ApiClient(getattr(world, persona)).get(f"/prevention/{pid}").status_code == 404


def test_the_hotline_flags_and_gets_a_receipt_only(world, village, frozen):
    response = ApiClient(world.hotline).post(
        "/prevention", flag_body(world, village, consent=False, risk_factors=[], suspected_violence=True)
    )
    assert response.status_code == 202
    assert response.json()["responsible"]["id"] == world.orgs["committee_a"].pk


def test_coverage_and_figures(world, village, frozen):
    officer = ApiClient(world.officer_a)
    assert (
        officer.post(
            "/prevention/villages", {"commune_code": world.commune_a.code, "name": "Tổ 5"}
        ).status_code
        == 201
    )
    cover = officer.get("/prevention/coverage", commune_code=world.commune_a.code).json()
    assert len(cover["uncovered_village_ids"]) == 1
    ApiClient(world.collaborator_a).post("/prevention", flag_body(world, village))
    assert officer.get("/prevention/figures").json()["at_risk"] == {"value": 1, "shown": "1"}
    assert ApiClient(world.analyst).get("/prevention/figures").json()["at_risk"] == {
        "value": None,
        "shown": "ẩn",
    }


def test_the_commune_reassigns_and_ends_coverage(world, village, frozen):
    from haven.core.testing import member

    other = member("collaborator_2", world.orgs["union_a"], "social_collaborator")
    services.coverage_assign(actor=world.officer_a, collaborator=other, village=village)
    pid = ApiClient(world.collaborator_a).post("/prevention", flag_body(world, village)).json()["id"]
    officer = ApiClient(world.officer_a)
    response = officer.post(f"/prevention/{pid}/collaborator", {"collaborator_id": other.pk})
    assert response.status_code == 200 and response.json()["collaborator"] == other.full_name  # a name
    # She follows the woman, so she is told that the commune assigns.
    refused = ApiClient(world.collaborator_a).post(
        f"/prevention/{pid}/collaborator", {"collaborator_id": other.pk}
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "not_your_step")
    coverage_id = village.coverage.get(collaborator=other).pk
    cover = officer.post(f"/prevention/coverage/{coverage_id}/end").json()
    assert [c["villages"] for c in cover["collaborators"] if c["id"] == other.pk] == [[]]
    assert officer.post(f"/prevention/coverage/{coverage_id}/end").status_code == 409


def test_coverage_is_for_the_commune_and_the_province_only(world, village, frozen):
    code = world.commune_a.code
    assert ApiClient(world.hospital_sw).get("/prevention/coverage", commune_code=code).status_code == 404
    assert ApiClient(world.hospital_sw).get("/prevention/coverage/province").status_code == 404
    province = ApiClient(world.provincial)
    assert province.get("/prevention/coverage", commune_code=code).status_code == 200
    rows = province.get("/prevention/coverage/province").json()
    assert [r["commune_code"] for r in rows] == [code]
    assert ApiClient(world.provincial_other).get("/prevention/coverage", commune_code=code).status_code == 404


def test_a_hospital_flags_only_in_its_own_province(world, village, frozen):
    other_commune = world.other_province.communes().first()
    body = flag_body(world, village, commune_code=other_commune.code, village_id=None)
    response = ApiClient(world.hospital_sw).post("/prevention", body)
    assert response.status_code == 422 and "commune_code" in response.json()["fields"]


def test_her_village_set_later_through_the_api(world, village, frozen):
    pid = (
        ApiClient(world.hotline)
        .post("/prevention", flag_body(world, village, village_id=None, consent=False, risk_factors=[]))
        .json()["id"]
    )
    response = ApiClient(world.officer_a).post(f"/prevention/{pid}/update", {"village_id": village.pk})
    assert response.status_code == 200 and response.json()["village"] == village.name
    assert response.json()["collaborator"]


# One way for every step (haven/api/steps.py): 404, then 409, then 422, and a refusal saves nothing


def snapshot(person: AtRiskPerson) -> tuple:
    person.refresh_from_db()
    return (
        person.state,
        person.village_id,
        person.collaborator_id,
        person.steps.count(),
        person.supports.count(),
        # A refusal is itself audited (access.denied); what counts here is that nothing changed.
        AuditEvent.objects.exclude(action="access.denied").count(),
    )


def test_a_step_is_not_found_refused_or_invalid_in_that_order_and_saves_nothing(world, village, frozen):
    person = contacted(world, flag(world, village), frozen.at)
    elsewhere = Village.objects.create(commune=world.commune_b, name="Thôn Bắc")
    url = f"/prevention/{person.pk}/update"
    officer, other, collaborator = (
        ApiClient(world.officer_a),
        ApiClient(world.officer_b),
        ApiClient(world.collaborator_a),
    )
    before = snapshot(person)

    # 404: a person the user may not act on looks like one who does not exist, whatever the body.
    for client, path in [
        (other, url),
        (officer, f"/prevention/{uuid.uuid4()}/update"),
        (officer, f"/prevention/{person.pk}/supports/{10**6}/outcome"),
    ]:
        response = client.post(path, {"village_id": elsewhere.pk, "status": "delivered", "outcome": "x"})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # 409: the collaborator follows her, so she is told that the commune assigns; a step she is not
    # ready for is refused before its data are looked at (a time in the future).
    response = collaborator.post(f"/prevention/{person.pk}/collaborator", {"collaborator_id": 10**6})
    assert (response.status_code, response.json()["code"]) == (409, "not_your_step")
    later = (frozen.at + dt.timedelta(days=1)).isoformat()
    response = officer.post(
        f"/prevention/{person.pk}/abandoned", {"found_at": later, "found_place": "Chợ", "condition": "Khỏe"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "out_of_order")
    # 422, under the names the client sent: a village of another commune, a collaborator who does not
    # cover her village (or nobody at all), a provider left blank, a provider Haven does not know.
    response = officer.post(url, {"village_id": elsewhere.pk})
    assert (response.status_code, set(response.json()["fields"])) == (422, {"village_id"})
    response = officer.post(f"/prevention/{person.pk}/collaborator", {"collaborator_id": 10**6})
    assert (response.status_code, set(response.json()["fields"])) == (422, {"collaborator_id"})
    response = collaborator.post(
        f"/prevention/{person.pk}/supports", {"service": "counselling", "provider": " "}
    )
    assert response.status_code == 422 and set(response.json()["fields"]) == {"provider"}
    response = collaborator.post(
        f"/prevention/{person.pk}/supports",
        {"service": "counselling", "provider": "Trạm y tế xã", "to_organisation_id": 10**6},
    )
    assert (response.status_code, set(response.json()["fields"])) == (422, {"to_organisation_id"})
    assert snapshot(person) == before

    response = collaborator.post(url, {"pregnant": False})
    assert response.status_code == 200 and response.json()["pregnant"] is False


def test_bad_data_of_a_step_is_422_with_every_field_at_once(world, village, frozen):
    person = contacted(world, flag(world, village), frozen.at)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=frozen.at.date(), sex="female")
    collaborator = ApiClient(world.collaborator_a)
    before = snapshot(person)
    # Two papers dated in the future: both are named in one answer.
    later = (frozen.at.date() + dt.timedelta(days=3)).isoformat()
    response = collaborator.post(
        f"/prevention/{person.pk}/papers", {"residence_registered_on": later, "insurance_issued_on": later}
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"residence_registered_on", "insurance_issued_on"}
    assert snapshot(person) == before
