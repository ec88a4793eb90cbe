"""/api/v1/care: the same rules as the pages, answered as JSON with the error codes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care.models import CareChangeDecision, CareFamily, Placement, Review
from haven.care.tests.conftest import hand_over
from haven.care.tests.test_families import register
from haven.care.tests.test_services import place
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
    refused = sw.post(f"/care/groups/{site.infants.pk}/placements", overriding)
    assert refused.status_code == 409 and refused.json()["code"] == "override_not_allowed"
    assert director.post(f"/care/groups/{site.infants.pk}/placements", overriding).status_code == 201
    board = director.get(f"/care/facilities/{site.facility.pk}").json()
    infants = next(g for g in board["groups"] if g["id"] == site.infants.pk)
    assert infants["state"] == "over" and infants["overload_placements"] == 1
    figures = ApiClient(world.provincial).get(f"/care/provinces/{world.hanoi.code}").json()
    assert figures["facilities"][0]["overload_placements"] == 1 and figures["in_facility"] == 3
    assert ApiClient(world.provincial).get(f"/care/provinces/{world.other_province.code}").status_code == 404


def test_a_family_form_by_typed_name_is_refused_and_a_move_between_groups_is_the_care_path(world, site):
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
        {
            "form": "facility_group",
            "group_id": site.older.pk,
            "started_on": clock.today().isoformat(),
            "reason": "x",
        },
    )
    assert overlapping.status_code == 409 and overlapping.json()["code"] == "overlapping_placement"
    # A family takes a child only through Forms 08, 11 and 12, never by a carer's name typed in.
    to_kin = director.post(
        f"/care/placements/{placement_id}/transfer",
        {"form": "kin", "carer_name": "Lê Thị Ba", "on": clock.today().isoformat(), "reason": "Bà nội nhận"},
    )
    assert to_kin.status_code == 409 and to_kin.json()["code"] == "family_by_decision"
    moved = director.post(
        f"/care/placements/{placement_id}/transfer",
        {
            "form": "facility_group",
            "group_id": site.older.pk,
            "on": clock.today().isoformat(),
            "reason": "Chuyển nhóm",
            "override_reason": "Nhóm trẻ nhỏ đầy",
        },
    )
    assert moved.status_code == 200, moved.json()
    path = ApiClient(world.officer_a).get(f"/care/children/{child.pk}").json()
    assert [p["form"] for p in path["placements"]] == ["facility_group", "facility_group"]
    assert path["placements"][1]["ended_on"] is None


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


def test_rosters_end_a_shift_a_principal_a_staff_member_and_change_places(world, site):
    from haven.audit.models import AuditEvent
    from haven.care.models import PrincipalCaregiver, ShiftAssignment, Staff

    director = ApiClient(world.facility_director)
    today = clock.today().isoformat()
    assignment = ShiftAssignment.objects.get(staff=site.caregivers[4], group=site.older, shift="day")
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    assert director.post(f"/care/shifts/{assignment.pk}/end", {"ended_on": future}).status_code == 422
    assert director.post(f"/care/shifts/{assignment.pk}/end", {"ended_on": today}).status_code == 200
    assert (
        ApiClient(world.officer_a).post(f"/care/shifts/{assignment.pk}/end", {"ended_on": today}).status_code
        == 404
    )
    principal = PrincipalCaregiver.objects.get(group=site.older, ended_on__isnull=True)
    left = director.post(f"/care/staff/{principal.staff_id}/leave", {"ended_on": today})
    assert left.status_code == 409 and left.json()["code"] == "principal"
    assert director.post(f"/care/principals/{principal.pk}/end", {"ended_on": today}).status_code == 200
    assert director.post(f"/care/staff/{principal.staff_id}/leave", {"ended_on": today}).status_code == 200
    assert not Staff.objects.get(pk=principal.staff_id).is_active
    assert director.patch(f"/care/groups/{site.older.pk}", {"places": 4}).json()["places"] == 4
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "care.shift_end",
        "care.principal_end",
        "care.staff_deactivate",
        "care.group_places_set",
    } <= actions


# One way for every step (haven/api/steps.py): 404, then 409, then 422, and a refusal saves nothing


def placement_snapshot(placement: Placement) -> tuple:
    placement.refresh_from_db()
    return (
        placement.state,
        placement.ended_on,
        placement.room_id,
        placement.needs_family,
        placement.steps.count(),
        Placement.objects.filter(child=placement.child_id).count(),
        Review.objects.filter(placement=placement).count(),
        AuditEvent.objects.exclude(action="access.denied").count(),  # a refusal is audited, nothing else
    )


def test_a_placement_step_is_not_found_refused_or_invalid_and_saves_nothing(world, site):
    placement = place(world, site, infant(world))
    url = f"/care/placements/{placement.pk}"
    today = clock.today().isoformat()
    blank_review = {"note": " ", "needs_family": True}
    # Issuing a token is audited: every client is made before the snapshot.
    director, officer, other, elsewhere = (
        ApiClient(world.facility_director),
        ApiClient(world.officer_a),
        ApiClient(world.officer_b),
        ApiClient(world.users["provincial_other"]),
    )
    before = placement_snapshot(placement)

    # 404: a placement the user may not act on looks like one that does not exist, whatever the body.
    for client, path in [
        (other, f"{url}/review"),
        (elsewhere, f"{url}/review"),
        (director, f"/care/placements/{uuid.uuid4()}/review"),
    ]:
        response = client.post(path, blank_review)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # 409: the commune's officer sees the child, so is told the review is the facility's; a child in a
    # facility is not visited as a child in a family; bad data is not looked at before that.
    response = officer.post(f"{url}/review", blank_review)
    assert (response.status_code, response.json()["code"]) == (409, "not_your_step")
    visit = {
        "visited_on": today,
        "living_conditions": " ",
        "health": " ",
        "schooling": " ",
        "integration": " ",
    }
    response = director.post(f"{url}/visits", visit)
    assert (response.status_code, response.json()["code"]) == (409, "out_of_order")
    # 422: every problem at once, under the names the client sent (a group id that names no group is
    # no group chosen); a room id that names no room of the facility is refused before anything else.
    response = director.post(
        f"{url}/transfer", {"form": "facility_group", "group_id": 10**9, "on": today, "reason": " "}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert set(response.json()["fields"]) == {"group_id", "reason"}
    response = director.post(f"{url}/review", blank_review)
    assert (response.status_code, set(response.json()["fields"])) == (422, {"note"})
    for client in (director, other):
        response = client.post(f"{url}/room", {"room_id": 10**9})
        assert (response.status_code, set(response.json()["fields"])) == (422, {"room_id"})
    assert placement_snapshot(placement) == before

    response = director.post(f"{url}/review", {"note": "Trẻ ổn định", "needs_family": True})
    assert response.status_code == 200 and response.json()["placements"][0]["needs_family"] is True


def family_snapshot(family: CareFamily) -> tuple:
    family.refresh_from_db()
    return (
        family.state,
        family.verification_note,
        family.decided_child_id,
        family.decision_number,
        family.steps.count(),
        AuditEvent.objects.exclude(action="access.denied").count(),  # a refusal is audited, nothing else
    )


def test_a_family_step_is_not_found_refused_or_invalid_and_saves_nothing(world, site):
    child, family = infant(world), register(world)
    url = f"/care/families/{family.pk}"
    officer, other, chairman = (
        ApiClient(world.officer_a),
        ApiClient(world.officer_b),
        ApiClient(world.chairman_a),
    )
    before = family_snapshot(family)

    # 404: a family of another commune, a family or a child that does not exist.
    for client, path, body in [
        (other, f"{url}/verify", {"eligible": True, "note": " "}),
        (officer, f"/care/families/{uuid.uuid4()}/verify", {"eligible": True, "note": " "}),
        (chairman, f"{url}/decide", {"child_id": str(uuid.uuid4()), "decision_number": " "}),
    ]:
        response = client.post(path, body)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # 409: the chairman reads the register but the officer verifies; a family is chosen (Form 12)
    # only once verified, whatever the body says.
    response = chairman.post(f"{url}/verify", {"eligible": True, "note": " "})
    assert (response.status_code, response.json()["code"]) == (409, "not_your_step")
    response = chairman.post(f"{url}/decide", {"child_id": str(child.pk), "decision_number": " "})
    assert (response.status_code, response.json()["code"]) == (409, "out_of_order")
    # 422: the verification says what was found.
    response = officer.post(f"{url}/verify", {"eligible": True, "note": " "})
    assert (response.status_code, set(response.json()["fields"])) == (422, {"note"})
    assert family_snapshot(family) == before

    response = officer.post(f"{url}/verify", {"eligible": True, "note": "Đủ điều kiện"})
    assert response.status_code == 200 and response.json()["status"] == "verified"
    before = family_snapshot(family)
    response = chairman.post(f"{url}/decide", {"child_id": str(child.pk), "decision_number": " "})
    assert (response.status_code, set(response.json()["fields"])) == (422, {"decision_number"})
    assert family_snapshot(family) == before
    response = chairman.post(f"{url}/decide", {"child_id": str(child.pk), "decision_number": "7/QĐ"})
    assert response.status_code == 200 and response.json()["decided_child_id"] == str(child.pk)


def test_a_form16_decision_names_every_problem_at_once_and_saves_nothing(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    chairman = ApiClient(world.chairman_a)
    before = placement_snapshot(kin), CareChangeDecision.objects.count()
    # A family the chairman does not read is answered as no family chosen, with the missing number.
    response = chairman.post(
        f"/care/placements/{kin.pk}/decision",
        {
            "ground": "child_wishes",
            "decision_number": " ",
            "on": clock.today().isoformat(),
            "note": "Trẻ muốn về với bà",
            "form": "foster",
            "family_id": str(uuid.uuid4()),
        },
    )
    assert (response.status_code, set(response.json()["fields"])) == (422, {"family_id", "decision_number"})
    assert (placement_snapshot(kin), CareChangeDecision.objects.count()) == before
