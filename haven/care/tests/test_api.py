"""/api/v1/care: the same rules as the pages, answered as JSON with the error codes."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.api.tests.client import ApiClient
from haven.care.models import Placement
from haven.core import clock

pytestmark = pytest.mark.django_db


def infant(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=100))
    world.involve(child, "facility_b")
    return child


def test_board_place_refuse_override_and_province(world, site):
    director = ApiClient(world.facility_director)
    assert (
        ApiClient(world.officer_b).get(f"/care/facilities/{site.facility.pk}").json()["groups"][0]["children"]
        == []
    )
    assert ApiClient(world.provincial_other).get(f"/care/facilities/{site.facility.pk}").status_code == 404
    children = [infant(world) for _ in range(3)]
    body = {"started_on": clock.today().isoformat(), "reason": "Tiếp nhận khẩn cấp"}
    for child in children[:2]:
        response = director.post(
            f"/care/groups/{site.infants.pk}/placements", {**body, "child_id": str(child.pk)}
        )
        assert response.status_code == 201, response.json()
        assert response.json()["current_carer"] == "Nguyễn Thị Lan"
    refused = director.post(
        f"/care/groups/{site.infants.pk}/placements", {**body, "child_id": str(children[2].pk)}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "over_capacity"
    assert not Placement.objects.filter(child=children[2]).exists()
    # The social worker may place, never override.
    sw = ApiClient(world.facility_sw)
    overriding = {**body, "child_id": str(children[2].pk), "override_reason": "Không còn chỗ"}
    assert sw.post(f"/care/groups/{site.infants.pk}/placements", overriding).status_code == 404
    assert director.post(f"/care/groups/{site.infants.pk}/placements", overriding).status_code == 201
    board = director.get(f"/care/facilities/{site.facility.pk}").json()
    infants = next(g for g in board["groups"] if g["id"] == site.infants.pk)
    assert infants["state"] == "over" and infants["overload_placements"] == 1
    figures = ApiClient(world.provincial).get(f"/care/provinces/{world.hanoi.code}").json()
    assert figures["facilities"][0]["overload_placements"] == 1 and figures["in_facility"] == 3
    assert ApiClient(world.provincial).get(f"/care/provinces/{world.other_province.code}").status_code == 404


def test_transfer_to_kin_and_the_care_path(world, site):
    child = infant(world)
    director = ApiClient(world.facility_director)
    placed = director.post(
        f"/care/groups/{site.infants.pk}/placements",
        {"child_id": str(child.pk), "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"},
    ).json()
    placement_id = placed["placements"][0]["id"]
    assert placed["next_review_due"] is not None
    overlapping = director.post(
        f"/care/children/{child.pk}/placements",
        {"form": "kin", "carer_name": "Lê Thị Ba", "started_on": clock.today().isoformat(), "reason": "x"},
    )
    assert overlapping.status_code == 409 and overlapping.json()["code"] == "overlapping_placement"
    moved = director.post(
        f"/care/placements/{placement_id}/transfer",
        {"form": "kin", "carer_name": "Lê Thị Ba", "on": clock.today().isoformat(), "reason": "Bà nội nhận"},
    )
    assert moved.status_code == 200, moved.json()
    path = ApiClient(world.officer_a).get(f"/care/children/{child.pk}").json()
    assert [p["form"] for p in path["placements"]] == ["facility_group", "kin"]
    assert path["current_carer"] == "Lê Thị Ba" and path["changes"][0]["to_name"] == "Lê Thị Ba"


def test_shift_clash_is_409(world, site):
    response = ApiClient(world.facility_director).post(
        f"/care/groups/{site.infants.pk}/shifts",
        {"staff_id": site.caregivers[4].pk, "shift": "day", "started_on": clock.today().isoformat()},
    )
    assert response.status_code == 409 and response.json()["code"] == "shift_taken"


def test_form14_lists_children_needing_a_family(world, site):
    child = infant(world)
    director = ApiClient(world.facility_director)
    director.post(
        f"/care/groups/{site.infants.pk}/placements",
        {"child_id": str(child.pk), "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"},
    )
    rows = director.get(f"/care/facilities/{site.facility.pk}/form14").json()
    assert [r["child_id"] for r in rows] == [str(child.pk)]
    assert ApiClient(world.caregiver_b).get(f"/care/facilities/{site.facility.pk}/form14").status_code == 404


def test_families_register_verify_decide_hand_over_and_suggestions(world, site):
    child = infant(world)
    director = ApiClient(world.facility_director)
    director.post(
        f"/care/groups/{site.infants.pk}/placements",
        {"child_id": str(child.pk), "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"},
    )
    officer = ApiClient(world.officer_a)
    body = {
        "kind": "non_kin",
        "applicant_name": "Trần Thị Hạnh",
        "applicant_born_on": "1980-04-02",
        "address": "Số 5 ngõ 12 Đội Cấn",
        "household_consent": True,
        "no_abuse_record": True,
        "health_certificate_on": (clock.today() - dt.timedelta(days=400)).isoformat(),
    }
    stale = officer.post("/care/families", body)
    assert stale.status_code == 422 and "health_certificate_on" in stale.json()["fields"]
    assert ApiClient(world.facility_director).post("/care/families", body).status_code == 404
    kin = officer.post(
        "/care/families",
        {
            **body,
            "kind": "kin",
            "applicant_name": "Nguyễn Thị Tâm",
            "health_certificate_on": None,
            "relative_of": str(child.pk),
            "relationship": "Bà nội",
        },
    )
    assert kin.status_code == 201, kin.json()
    family_id = kin.json()["id"]
    verified = officer.post(f"/care/families/{family_id}/verify", {"eligible": True, "note": "Đủ điều kiện"})
    assert verified.status_code == 200
    chairman = ApiClient(world.chairman_a)
    suggestions = chairman.get(f"/care/children/{child.pk}/suggestions").json()
    assert suggestions[0]["family"]["id"] == family_id and suggestions[0]["blocked"] == []
    decided = chairman.post(
        f"/care/families/{family_id}/decide", {"child_id": str(child.pk), "decision_number": "7/QĐ"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "chosen"
    path = officer.post(f"/care/families/{family_id}/handover").json()
    assert [p["form"] for p in path["placements"]] == ["facility_group", "kin"]
    assert path["current_carer"] == "Nguyễn Thị Tâm" and path["next_visit_due"] is not None
