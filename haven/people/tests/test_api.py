"""/api/v1/children: the same scoping, validation and audit trail as the web pages.

Refused (404, the same answer as for a child that does not exist): anyone outside the child's commune
or province and not formally involved with the child (officer_b for commune A, provincial_other, a
hospital never involved); roles without the verb (analyst and admin see no child at all, chairman_a
and school_a may not create, chairman_a may not update, civil_status_a may not read the access log);
and a user with no role in force is refused every operation (403, haven/access/tests/test_no_role.py).
Without a valid token every operation is 401 (haven/api/tests).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.lib.pin import century_sex_digit
from haven.people import services
from haven.people.models import Child, Involvement, InvolvementBasis


def a_pin(*, sex: str, born: dt.date, serial: str = "012345", province: str = "001") -> str:
    return f"{province}{century_sex_digit(birth_year=born.year, sex=sex)}{born.year % 100:02d}{serial}"


def payload(world, **overrides) -> dict:
    body = {
        "family_name": "Trần",
        "middle_name": "Thị",
        "given_name": "Bình",
        "sex": "female",
        "date_of_birth": "2019-03-04",
        "commune_code": world.commune_a.code,
    }
    return {**body, **overrides}


@pytest.fixture
def an(world) -> Child:
    return world.child(family_name="Nguyễn", middle_name="Văn", given_name="An", sex="male")


# Who is refused


@pytest.mark.parametrize("persona", ["officer_b", "provincial_other", "hospital_sw", "analyst", "admin"])
def test_a_child_out_of_reach_is_not_found(world, an, persona):
    response = ApiClient(getattr(world, persona)).get(f"/children/{an.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_forbidden_and_missing_give_the_same_answer(world, an):
    client = ApiClient(world.officer_b)
    forbidden = client.get(f"/children/{an.pk}")
    missing = client.get(f"/children/{uuid.uuid4()}")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())
    assert forbidden.json()["code"] == "not_found"
    assert set(forbidden.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("persona", ["analyst", "admin"])
def test_a_role_without_child_view_cannot_list(world, an, persona):
    # child_search requires child.view: aggregates-only roles are refused, not given an empty page.
    response = ApiClient(getattr(world, persona)).get("/children")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("persona", ["chairman_a", "school_a", "caregiver_b", "analyst", "admin"])
def test_a_role_without_child_create_cannot_register(world, persona):
    before = Child.objects.count()
    response = ApiClient(getattr(world, persona)).post("/children", payload(world))
    assert response.status_code == 404
    assert Child.objects.count() == before


@pytest.mark.parametrize("persona", ["officer_b", "chairman_a", "hospital_sw", "analyst"])
def test_a_child_out_of_reach_cannot_be_updated(world, an, persona):
    response = ApiClient(getattr(world, persona)).patch(f"/children/{an.pk}", {"given_name": "Bình"})
    assert response.status_code == 404
    an.refresh_from_db()
    assert an.given_name == "An"


@pytest.mark.parametrize("persona", ["civil_status_a", "officer_b", "hospital_sw", "analyst"])
def test_the_access_log_is_refused_without_the_verb(world, an, persona):
    response = ApiClient(getattr(world, persona)).get(f"/children/{an.pk}/access-log")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# List and search


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_an_officer_lists_only_the_children_of_their_commune(world):
    in_a = {str(world.child().pk) for _ in range(2)}
    in_b = {str(world.child(commune=world.commune_b).pk)}
    assert _ids(ApiClient(world.officer_a).get("/children")) == in_a
    assert _ids(ApiClient(world.officer_b).get("/children")) == in_b
    assert _ids(ApiClient(world.provincial).get("/children")) == in_a | in_b
    assert _ids(ApiClient(world.provincial_other).get("/children")) == set()


def test_search_ignores_diacritics_and_name_order(world, an):
    world.child(family_name="Nguyễn", middle_name="Thị", given_name="Bình", sex="female")
    world.child(commune=world.commune_b, family_name="Nguyễn", middle_name="Văn", given_name="An")
    client = ApiClient(world.officer_a)
    for query in ["nguyen van an", "Nguyễn Văn An", "an nguyen", "NGUYEN AN"]:
        assert _ids(client.post("/children/search", {"q": query})) == {str(an.pk)}, query
    assert _ids(client.post("/children/search", {"q": "tran"})) == set()


def test_search_by_pin_is_exact(world, an):
    an.date_of_birth = dt.date(2018, 5, 1)
    an.save()
    pin = a_pin(sex="male", born=an.date_of_birth)
    services.child_update(actor=world.officer_a, child=an, pin=pin)
    world.child()
    client = ApiClient(world.officer_a)
    assert _ids(client.post("/children/search", {"q": pin})) == {str(an.pk)}
    spaced = f"{pin[:4]} {pin[4:8]} {pin[8:]}"
    assert _ids(client.post("/children/search", {"q": spaced})) == {str(an.pk)}
    other = pin[:-1] + str((int(pin[-1]) + 1) % 10)
    assert _ids(client.post("/children/search", {"q": other})) == set()
    assert _ids(client.post("/children/search", {"q": pin[:6]})) == set()
    # Officer B may know the PIN, but the child is not theirs.
    assert _ids(ApiClient(world.officer_b).post("/children/search", {"q": pin})) == set()


def test_the_list_is_paginated(world):
    for _ in range(27):
        world.child()
    client = ApiClient(world.officer_a)
    first, second = client.get("/children").json(), client.get("/children", page=2).json()
    assert (first["count"], first["pages"], len(first["items"])) == (27, 2, 25)
    assert (second["page"], len(second["items"])) == (2, 2)


def test_listing_takes_the_same_queries_for_3_or_25_children(world, django_assert_max_num_queries):
    client = ApiClient(world.officer_a)
    client.get("/children")  # the token's first use is recorded once; measure the steady state

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/children").status_code == 200
        return len(captured)

    for _ in range(3):
        world.child()
    few = queries()
    for _ in range(22):
        world.child()
    with django_assert_max_num_queries(10):
        response = client.get("/children")
    assert len(response.json()["items"]) == 25
    assert queries() == few


# Read


def test_an_officer_reads_a_child_of_their_commune_and_the_view_is_audited(world, an):
    response = ApiClient(world.officer_a).get(f"/children/{an.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Nguyễn Văn An"
    assert (body["commune_code"], body["province_code"]) == (world.commune_a.code, world.hanoi.code)
    assert (body["has_pin"], body["pin_masked"]) == (False, "")
    assert AuditEvent.objects.filter(action="child.view", actor=world.officer_a, child_id=an.pk).count() == 1


def test_a_malformed_child_id_is_a_422(world):
    response = ApiClient(world.officer_a).get("/children/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["code"] == "malformed"


# Create


def test_an_officer_registers_a_child_in_their_commune(world):
    response = ApiClient(world.officer_a).post(
        "/children", payload(world, pin=a_pin(sex="female", born=dt.date(2019, 3, 4)))
    )
    assert response.status_code == 201, response.content
    body = response.json()
    child = Child.objects.get(pk=body["id"])
    assert (child.full_name, child.current_commune, child.created_by) == (
        "Trần Thị Bình",
        world.commune_a,
        world.officer_a,
    )
    assert (body["has_pin"], body["pin_masked"]) == (True, "001******345")
    event = AuditEvent.objects.get(action="child.create", child_id=child.pk)
    assert (event.actor, event.organisation) == (world.officer_a, world.orgs["committee_a"])
    assert event.data["pin"] is True


def test_the_child_and_its_audit_event_are_written_together(world, monkeypatch):
    def broken_trail(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "record", broken_trail)
    before = Child.objects.count()
    with pytest.raises(RuntimeError):
        ApiClient(world.officer_a).post("/children", payload(world))
    assert Child.objects.count() == before


@pytest.mark.parametrize(
    "pin",
    [
        pytest.param("000319012345", id="not-a-province"),
        pytest.param("00131901234", id="11-digits"),
        pytest.param("0013190123456", id="13-digits"),
        pytest.param("001219012345", id="male-digit-for-a-girl"),
        pytest.param("001318012345", id="born-2018-not-2019"),
        pytest.param("001319O12345", id="a-letter"),
    ],
)
def test_an_invalid_pin_is_refused_and_nothing_is_saved(world, pin):
    before, events = Child.objects.count(), AuditEvent.objects.filter(action="child.create").count()
    response = ApiClient(world.officer_a).post("/children", payload(world, pin=pin))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["pin"]
    assert Child.objects.count() == before
    assert AuditEvent.objects.filter(action="child.create").count() == events


def test_a_pin_already_given_to_another_child_is_refused(world):
    pin = a_pin(sex="female", born=dt.date(2019, 3, 4))
    client = ApiClient(world.officer_a)
    assert client.post("/children", payload(world, pin=pin)).status_code == 201
    response = client.post("/children", payload(world, given_name="Lan", pin=pin))
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["pin"]


def test_an_unknown_commune_is_refused(world):
    before = Child.objects.count()
    response = ApiClient(world.officer_a).post("/children", payload(world, commune_code="99999"))
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["commune_code"]
    assert Child.objects.count() == before


def test_a_date_of_birth_in_the_future_is_refused(world):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = ApiClient(world.officer_a).post(
        "/children", payload(world, date_of_birth=tomorrow.isoformat())
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["date_of_birth"]
    assert not Child.objects.filter(given_name="Bình").exists()


def test_an_officer_cannot_register_a_child_outside_their_commune(world):
    response = ApiClient(world.officer_a).post("/children", payload(world, commune_code=world.commune_b.code))
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["commune_code"]
    assert not Child.objects.filter(given_name="Bình").exists()


def test_control_characters_in_a_name_are_refused(world):
    response = ApiClient(world.officer_a).post("/children", payload(world, given_name="Bì\x00nh"))
    assert response.status_code == 422
    assert response.json()["code"] == "malformed"
    assert list(response.json()["fields"]) == ["given_name"]


@pytest.mark.parametrize("commune", ["commune_a", "commune_b"])
def test_a_hospital_registers_anywhere_and_then_sees_the_child(world, commune):
    area = getattr(world, commune)
    response = ApiClient(world.hospital_sw).post("/children", payload(world, commune_code=area.code))
    assert response.status_code == 201, response.content
    child_id = response.json()["id"]
    assert Involvement.objects.filter(
        child_id=child_id, organisation=world.orgs["hospital_a"], basis=InvolvementBasis.REGISTERED
    ).exists()
    assert ApiClient(world.hospital_sw).get(f"/children/{child_id}").status_code == 200
    # The involvement opens the child to the hospital only; commune B's officer sees B's children.
    expected = 200 if area == world.commune_b else 404
    assert ApiClient(world.officer_b).get(f"/children/{child_id}").status_code == expected


# Update


def test_an_update_is_saved_and_audited_with_the_changed_fields(world, an):
    response = ApiClient(world.officer_a).patch(
        f"/children/{an.pk}", {"given_name": "Ân", "place_of_birth": "Hà Nội", "reason": "giấy khai sinh"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "Nguyễn Văn Ân"
    an.refresh_from_db()
    assert (an.given_name, an.place_of_birth) == ("Ân", "Hà Nội")
    event = AuditEvent.objects.get(action="child.update", child_id=an.pk)
    assert sorted(event.data["changed"]) == ["given_name", "place_of_birth"]
    assert (event.actor, event.reason) == (world.officer_a, "giấy khai sinh")


def test_a_pin_set_by_update_comes_back_masked(world, an):
    born = dt.date(2018, 5, 1)
    pin = a_pin(sex="male", born=born, serial="987654")
    response = ApiClient(world.officer_a).patch(
        f"/children/{an.pk}", {"date_of_birth": born.isoformat(), "pin": pin}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["has_pin"], response.json()["pin_masked"]) == (True, "001******654")
    assert pin not in response.content.decode()
    an.refresh_from_db()
    assert an.pin == pin
    assert AuditEvent.objects.get(action="child.update", child_id=an.pk).data["changed"] == [
        "date_of_birth",
        "pin",
    ]


def test_changing_sex_against_the_pin_is_refused_and_nothing_changes(world, an):
    an.date_of_birth = dt.date(2018, 5, 1)
    an.save()
    services.child_update(actor=world.officer_a, child=an, pin=a_pin(sex="male", born=an.date_of_birth))
    events = AuditEvent.objects.filter(action="child.update").count()
    response = ApiClient(world.officer_a).patch(f"/children/{an.pk}", {"sex": "female", "given_name": "Anh"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["pin"]
    an.refresh_from_db()
    assert (an.sex, an.given_name) == ("male", "An")
    assert AuditEvent.objects.filter(action="child.update").count() == events


@pytest.mark.parametrize("field", ["sex", "family_name", "date_of_birth_estimated", "commune_code"])
def test_a_field_that_cannot_be_empty_cannot_be_set_to_null(world, an, field):
    response = ApiClient(world.officer_a).patch(f"/children/{an.pk}", {field: None})
    assert response.status_code == 422
    assert response.json()["code"] == "malformed"
    assert list(response.json()["fields"]) == [field]


def test_a_civil_status_officer_may_update(world, an):
    response = ApiClient(world.civil_status_a).patch(f"/children/{an.pk}", {"ethnicity": "01"})
    assert response.status_code == 200, response.content
    an.refresh_from_db()
    assert an.ethnicity == "01"


# Access log


def test_the_access_log_shows_who_read_the_record(world, an):
    assert ApiClient(world.officer_a).get(f"/children/{an.pk}").status_code == 200
    response = ApiClient(world.chairman_a).get(f"/children/{an.pk}/access-log")
    assert response.status_code == 200
    seen = [(e["action"], e["actor"]) for e in response.json()]
    assert ("child.view", "officer_a") in seen
    assert not any(actor == "officer_b" for _action, actor in seen)
    first = next(e for e in response.json() if e["actor"] == "officer_a")
    assert first["organisation"] == world.orgs["committee_a"].name
