"""/api/v1/foundlings: the pathway through the same services, selectors and access rules as the pages.

Refused (404, the same answer as for a case that does not exist): anyone who cannot see the child —
commune B's officer for a child found in commune A, another province's officer, a school, the central
analyst and the administrator (no child's identity at all), a user with no membership; a role the
pathway's table does not allow for the step (a hospital social worker acknowledging, a facility
director or a civil-status officer reporting); anyone outside the receiving organisation answering a
handover, the sender included. A step the case is not ready for is 409 "out_of_order" and changes
nothing; bad data is 422 with the fields and saves nothing. Without a token every operation is 401
(haven/api/tests).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.audit.services import verify
from haven.deadlines.sweep import sweep
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, Handover, HealthScreening, State, Step
from haven.lib.pin import century_sex_digit
from haven.people import services as people
from haven.people.models import Child

SCREENING = {
    "temperature_c": "36.8",
    "heart_rate": 140,
    "respiratory_rate": 45,
    "weight_grams": 2900,
    "estimated_age_days": 3,
    "findings": "Trẻ sơ sinh khỏe,\ndây rốn đã cắt",
}
RECORD = {
    "drafter_title": "Chủ tịch UBND phường",
    "drawn_up_place": "Trụ sở UBND phường",
    "physique": "Bé trai, da hồng, nặng khoảng 3 kg",
    "health": "Bình thường",
    "belongings": "Một chăn màu xanh, một bình sữa",
    "finder_name": "Trần Văn Hậu",
    "finder_id_document": "CCCD 001089012345",
    "finder_address": "Số 5 ngõ 12, Phường Ba Đình",
}


def report_body(world, frozen, **overrides) -> dict:
    body = {
        "found_at": (frozen.at - dt.timedelta(minutes=30)).isoformat(),
        "found_commune_code": world.commune_a.code,
        "found_place": "Cổng bệnh viện",
        "sex": "male",
        "estimated_age_days": 3,
        "condition": "Trẻ sơ sinh, khóc to",
        "belongings": "Chăn xanh",
        "finder_name": "Trần Văn Hậu",
        "finder_id_document": "CCCD 001089012345",
        "finder_address": "Số 5 ngõ 12, Phường Ba Đình",
    }
    return {**body, **overrides}


def reported(world, frozen, *, commune=None) -> FoundlingCase:
    """A case reported by the hospital of commune A, set up through the service."""
    return services.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=commune or world.commune_a,
        found_place="Cổng bệnh viện",
        sex="male",
        estimated_age_days=3,
        condition="Trẻ sơ sinh, khóc to",
    )


def ready_for_care(world, frozen) -> FoundlingCase:
    """Acknowledged, screened and recorded: temporary care can be decided."""
    case = reported(world, frozen)
    ApiClient(world.officer_a).post(f"/foundlings/{case.pk}/acknowledge")
    ApiClient(world.hospital_sw).post(
        f"/foundlings/{case.pk}/screen", {**SCREENING, "screened_at": frozen.at.isoformat()}
    )
    ApiClient(world.officer_a).post(f"/foundlings/{case.pk}/record", RECORD)
    case.refresh_from_db()
    assert case.state == State.ACKNOWLEDGED and hasattr(case, "discovery_record")
    return case


def handed_to_facility(world, frozen) -> tuple[FoundlingCase, int]:
    case = ready_for_care(world, frozen)
    response = ApiClient(world.officer_a).post(
        f"/foundlings/{case.pk}/temporary-care",
        {"kind": "facility", "to_organisation_id": world.orgs["facility_b"].pk},
    )
    assert response.status_code == 200, response.json()
    return case, response.json()["pending_handover"]["id"]


def snapshot(case: FoundlingCase) -> tuple:
    case.refresh_from_db()
    return case.state, case.responsible_id, case.steps.count(), Handover.objects.filter(case=case).count()


# Who is refused


@pytest.mark.parametrize("persona", ["officer_b", "provincial_other", "school_a", "analyst", "admin"])
def test_a_case_out_of_reach_is_not_found(world, frozen, persona):
    case = reported(world, frozen)
    response = ApiClient(getattr(world, persona)).get(f"/foundlings/{case.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_forbidden_and_missing_give_the_same_answer(world, frozen):
    case = reported(world, frozen)
    client = ApiClient(world.officer_b)
    forbidden = client.get(f"/foundlings/{case.pk}")
    missing = client.get(f"/foundlings/{uuid.uuid4()}")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())
    acting = client.post(f"/foundlings/{case.pk}/acknowledge")
    assert acting.status_code == 404
    assert snapshot(case)[0] == State.REPORTED


@pytest.mark.parametrize("persona", ["analyst", "admin"])
def test_a_role_that_sees_no_child_cannot_list(world, frozen, persona):
    reported(world, frozen)
    response = ApiClient(getattr(world, persona)).get("/foundlings")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["facility_director", "civil_status_a", "school_a", "analyst"])
def test_a_role_that_does_not_report_cannot_report(world, frozen, persona):
    response = ApiClient(getattr(world, persona)).post("/foundlings", report_body(world, frozen))
    assert response.status_code == 404
    assert not FoundlingCase.objects.exists() and not Child.objects.exists()


def test_a_step_the_role_may_not_take_is_refused_with_the_reason(world, frozen):
    case = reported(world, frozen)
    response = ApiClient(world.hospital_sw).post(f"/foundlings/{case.pk}/acknowledge")
    # The hospital sees the case (it found the child), so it is told who takes the step.
    assert response.status_code == 409 and response.json()["code"] == "not_your_step"
    assert snapshot(case)[:3] == (State.REPORTED, world.orgs["hospital_a"].pk, 1)


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "hospital_sw", "caregiver_b"])
def test_only_the_receiving_organisation_answers_a_handover(world, frozen, persona):
    # officer_a decided the handover and sees the case, but does not answer for the facility;
    # caregiver_b works there, but a caregiver's role cannot accept a child.
    case, handover_id = handed_to_facility(world, frozen)
    before = snapshot(case)
    response = ApiClient(getattr(world, persona)).post(
        f"/foundlings/{case.pk}/handovers/{handover_id}/answer", {"accept": True}
    )
    assert response.status_code == 404
    assert snapshot(case) == before and Handover.objects.get(pk=handover_id).status == "pending"


# The journey


def test_the_whole_journey_through_the_api(world, frozen, django_capture_on_commit_callbacks):
    response = ApiClient(world.hospital_sw).post("/foundlings", report_body(world, frozen))
    assert response.status_code == 201, response.json()
    case = response.json()
    case_id, child_id = case["id"], case["child_id"]
    assert case["state"] == "reported" and case["channel"] == "health_facility"
    assert case["responsible"] == {"id": world.orgs["hospital_a"].pk, "name": world.orgs["hospital_a"].name}
    assert {o["rule"] for o in case["obligations"]} == {"foundling.acknowledge", "foundling.screen"}
    assert [s["action"] for s in case["steps"]] == ["report"] and case["steps"][0]["actor"] == "hospital_sw"

    officer = ApiClient(world.officer_a)
    case = officer.post(f"/foundlings/{case_id}/acknowledge").json()
    assert case["state"] == "acknowledged" and "decide_temporary_care" in case["actions"]
    response = ApiClient(world.hospital_sw).post(
        f"/foundlings/{case_id}/screen", {**SCREENING, "screened_at": frozen.at.isoformat()}
    )
    assert response.status_code == 200, response.json()
    case = officer.post(f"/foundlings/{case_id}/record", RECORD).json()
    assert [s["action"] for s in case["steps"]] == ["report", "acknowledge", "screen", "record"]
    assert "record" not in case["actions"]

    case = officer.post(
        f"/foundlings/{case_id}/temporary-care",
        {"kind": "facility", "to_organisation_id": world.orgs["facility_b"].pk},
    ).json()
    assert case["state"] == "handover_pending" and case["responsible"]["id"] == world.orgs["hospital_a"].pk
    handover = case["pending_handover"]
    assert (
        handover["to_organisation"]["id"] == world.orgs["facility_b"].pk and handover["purpose"] == "facility"
    )
    # Until it accepts, the facility reads what it needs to decide, not the child's whole case.
    asked = ApiClient(world.facility_director).get(f"/foundlings/{case_id}").json()
    assert asked["seen_as"] == "asked_to_accept" and asked["health_screening"]["weight_grams"] == 2900
    assert asked["steps"] == [] and asked["actions"] == ["accept_handover", "refuse_handover"]
    response = ApiClient(world.facility_director).post(
        f"/foundlings/{case_id}/handovers/{handover['id']}/answer", {"accept": True}
    )
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["state"] == "temporary_care" and case["temporary_care"] == "facility"
    assert case["responsible"]["id"] == world.orgs["facility_b"].pk and case["pending_handover"] is None

    case = officer.post(f"/foundlings/{case_id}/notice", {}).json()
    assert case["state"] == "notice_period" and case["notice_ends_at"] is not None
    frozen.advance(days=8)
    assert sweep(now=frozen.at).fired == 1
    case = officer.get(f"/foundlings/{case_id}").json()
    assert case["state"] == "notice_expired"
    assert [o["rule"] for o in case["obligations"] if o["status"] == "open"] == ["foundling.register_birth"]

    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(world.civil_status_a).post(
            f"/foundlings/{case_id}/birth-registration",
            {"family_name": "Nguyễn", "middle_name": "Minh", "given_name": "An"},
        )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "birth_registered"

    child = officer.get(f"/children/{child_id}").json()
    assert child["full_name"] == "Nguyễn Minh An" and child["has_pin"]
    stored = Child.objects.get(pk=child_id).pin
    assert child["pin_masked"] == f"{stored[:3]}******{stored[-3:]}" and stored not in str(child)
    case = officer.get(f"/foundlings/{case_id}").json()
    assert "pin_received" in [s["action"] for s in case["steps"]]
    assert AuditEvent.objects.filter(action="foundling.register_birth").count() == 1
    assert verify().ok


def test_the_rest_of_the_papers_lead_to_care_planning_and_placement(world, frozen):
    case = reported(world, frozen)
    # The papers' steps start once the birth is registered; the steps before are the journey's test.
    case.state = State.BIRTH_REGISTERED
    case.save()
    born = case.child.date_of_birth
    pin = f"001{century_sex_digit(birth_year=born.year, sex='male')}{born.year % 100:02d}012345"
    people.child_update(actor=world.officer_a, child=case.child, pin=pin)
    world.involve(case.child, "facility_b")
    facility, chairman = ApiClient(world.facility_director), ApiClient(world.chairman_a)
    officer = ApiClient(world.officer_a)
    today = frozen.at.date().isoformat()

    missing = facility.post(
        f"/foundlings/{case.pk}/papers/health_insurance", {"health_insurance_number": "TE1"}
    )
    assert missing.status_code == 422 and set(missing.json()["fields"]) == {"health_insurance_from"}
    assert (
        facility.post(
            f"/foundlings/{case.pk}/papers/health_insurance",
            {"health_insurance_number": "TE1010123456789", "health_insurance_from": today},
        ).status_code
        == 200
    )
    assert (
        facility.post(
            f"/foundlings/{case.pk}/papers/residence", {"residence_registered_on": today}
        ).status_code
        == 200
    )
    # Decree 147/2025 art. 5: the allowance is the chairman's decision, not the facility's.
    allowance = {
        "allowance_decision": "15/QĐ-UBND",
        "allowance_from": today,
        "allowance_monthly_vnd": 1_250_000,
    }
    # Only the chairman decides the allowance (Decree 147/2025 art. 5); the facility is told so.
    assert (
        facility.post(f"/foundlings/{case.pk}/papers/allowance", allowance).json()["code"] == "not_your_step"
    )
    response = chairman.post(f"/foundlings/{case.pk}/papers/allowance", allowance)
    assert response.status_code == 200 and response.json()["state"] == "benefits_enrolled"

    assert officer.post(f"/foundlings/{case.pk}/care-plan", {"note": "Tìm gia đình thay thế"}).json()[
        "state"
    ] == ("care_planning")
    response = officer.post(
        f"/foundlings/{case.pk}/placement", {"placement": "foster", "detail": "Gia đình bà Hạnh"}
    )
    assert response.status_code == 200 and response.json()["state"] == "placed"
    response = officer.post(f"/foundlings/{case.pk}/review", {"note": "Trẻ phát triển tốt"})
    assert response.status_code == 200
    assert response.json()["steps"][-1]["action"] == "review"
    # The child's one review clock is the family placement's monitoring (care): the review recorded on
    # the case met it, and it runs on from today (docs/decisions/0012).
    from haven.deadlines.models import Obligation, Status

    review = Obligation.objects.filter(
        child_id=case.child_id, rule__in=("foundling.review", "care.review", "care.monitoring")
    )
    assert sorted(review.values_list("rule", "status")) == [
        ("care.monitoring", Status.MET),
        ("care.monitoring", Status.OPEN),
    ]


def test_a_claim_verified_returns_the_child_to_the_family(world, frozen):
    case, handover_id = handed_to_facility(world, frozen)
    ApiClient(world.facility_director).post(
        f"/foundlings/{case.pk}/handovers/{handover_id}/answer", {"accept": True}
    )
    officer = ApiClient(world.officer_a)
    officer.post(f"/foundlings/{case.pk}/notice", {"posted_at": frozen.at.isoformat()})
    claimed = officer.post(f"/foundlings/{case.pk}/claim", {"claimant": "Nguyễn Thị Lan, mẹ đẻ"}).json()
    assert claimed["state"] == "claimed" and claimed["claimant"] == "Nguyễn Thị Lan, mẹ đẻ"
    unverified = officer.post(f"/foundlings/{case.pk}/claim/decision", {"reunify": True, "reason": " "})
    assert unverified.status_code == 422 and "reason" in unverified.json()["fields"]
    response = officer.post(
        f"/foundlings/{case.pk}/claim/decision", {"reunify": True, "reason": "Đối chiếu giấy chứng sinh"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "reunified" and response.json()["actions"] == []


def test_a_refused_handover_leaves_the_child_with_the_sender(world, frozen):
    case, handover_id = handed_to_facility(world, frozen)
    facility = ApiClient(world.facility_director)
    url = f"/foundlings/{case.pk}/handovers/{handover_id}/answer"
    no_reason = facility.post(url, {"accept": False})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["fields"]
    response = facility.post(url, {"accept": False, "reason": "Hết chỗ"})
    # The facility never held the child, so it no longer sees the case: nothing to show.
    assert response.status_code == 204 and response.content == b""
    assert snapshot(case)[:2] == (State.ACKNOWLEDGED, world.orgs["hospital_a"].pk)
    again = facility.post(url, {"accept": True})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"


def test_the_hospital_discharges_the_child(world, frozen):
    case = reported(world, frozen)
    response = ApiClient(world.hospital_sw).post(
        f"/foundlings/{case.pk}/discharge", {"discharged_at": frozen.at.isoformat()}
    )
    assert response.status_code == 200
    assert response.json()["medically_discharged_at"] is not None
    assert "foundling.hospital_discharge" in {o["rule"] for o in response.json()["obligations"]}


def test_a_second_report_of_the_same_child_is_closed_by_a_person(world, frozen):
    first = reported(world, frozen)
    second = reported(world, frozen)
    officer = ApiClient(world.officer_a)
    pairs = officer.get(f"/foundlings/{second.pk}").json()["possible_duplicates"]
    assert [p["other_case_id"] for p in pairs] == [str(first.pk)]
    url = f"/foundlings/{second.pk}/duplicates/{pairs[0]['id']}/decision"
    assert ApiClient(world.officer_b).post(url, {"same_child": True}).status_code == 404
    response = officer.post(url, {"same_child": True})
    assert response.status_code == 200
    assert response.json()["state"] == "duplicate" and response.json()["possible_duplicates"] == []
    assert officer.post(url, {"same_child": True}).status_code == 404  # no longer pending
    assert snapshot(first)[0] == State.REPORTED


# Out of order


@pytest.mark.parametrize(
    "persona, path, body",
    [
        ("officer_a", "notice", {}),
        ("officer_a", "temporary-care", {"kind": "facility", "to_organisation_id": None}),
        ("officer_a", "care-plan", {"note": "Kế hoạch"}),
        ("civil_status_a", "birth-registration", {"family_name": "Nguyễn", "given_name": "An"}),
        ("officer_a", "claim", {"claimant": "Nguyễn Thị Lan"}),
    ],
)
def test_a_step_out_of_order_is_refused_and_changes_nothing(world, frozen, persona, path, body):
    case = reported(world, frozen)
    if body.get("kind"):
        body = {**body, "to_organisation_id": world.orgs["facility_b"].pk}
    client = ApiClient(getattr(world, persona))
    events = AuditEvent.objects.exclude(action="access.denied")  # a refusal is audited, nothing else
    before = snapshot(case), case.child.full_name, events.count()
    response = client.post(f"/foundlings/{case.pk}/{path}", body)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "out_of_order"
    case.child.refresh_from_db()
    assert (snapshot(case), case.child.full_name, events.count()) == before


def test_a_step_taken_twice_is_refused(world, frozen):
    case = reported(world, frozen)
    officer = ApiClient(world.officer_a)
    assert officer.post(f"/foundlings/{case.pk}/acknowledge").status_code == 200
    again = officer.post(f"/foundlings/{case.pk}/acknowledge")
    assert again.status_code == 409 and again.json()["code"] == "out_of_order"
    assert officer.post(f"/foundlings/{case.pk}/record", RECORD).status_code == 200
    again = officer.post(f"/foundlings/{case.pk}/record", RECORD)
    assert again.status_code == 409 and again.json()["code"] == "already_done"


# One way for every step (haven/api/steps.py): 404, then 409, then 422, and a refusal saves nothing


def test_a_step_is_not_found_refused_or_invalid_in_that_order_and_saves_nothing(world, frozen):
    case = ready_for_care(world, frozen)
    url = f"/foundlings/{case.pk}/temporary-care"
    # A hospital hold to an organisation that does not exist, without the reason it needs.
    bad = {"kind": "hospital_hold", "to_organisation_id": 10**12, "reason": " "}
    good = {"kind": "facility", "to_organisation_id": world.orgs["facility_b"].pk}
    officer, other, hospital = (
        ApiClient(world.officer_a),
        ApiClient(world.officer_b),
        ApiClient(world.hospital_sw),
    )
    events = AuditEvent.objects.exclude(action="access.denied")  # a refusal is audited, nothing else
    before = snapshot(case), events.count()

    # 404: a case the user may not act on looks like one that does not exist, whatever the body.
    for client, path in [(other, url), (officer, f"/foundlings/{uuid.uuid4()}/temporary-care")]:
        response = client.post(path, bad)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # 409: the hospital sees the case it reported, so it is told the step is not its own; bad data is
    # not looked at before the step is open to the user.
    response = hospital.post(url, bad)
    assert (response.status_code, response.json()["code"]) == (409, "not_your_step")
    # 409: a paper is recorded only once the birth is registered, whatever is missing from it.
    response = officer.post(f"/foundlings/{case.pk}/papers/health_insurance", {})
    assert (response.status_code, response.json()["code"]) == (409, "out_of_order")
    # 422: every problem at once, under the names the client sent.
    response = officer.post(url, bad)
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert set(response.json()["fields"]) == {"to_organisation_id", "reason"}
    assert (snapshot(case), events.count()) == before

    response = officer.post(url, good)
    assert response.status_code == 200 and response.json()["state"] == "handover_pending"


def test_a_side_step_on_a_part_of_the_case_is_404_when_the_part_is_not_there(world, frozen):
    first, second = reported(world, frozen), reported(world, frozen)
    officer, hospital = ApiClient(world.officer_a), ApiClient(world.hospital_sw)
    [pair] = officer.get(f"/foundlings/{second.pk}").json()["possible_duplicates"]
    events = AuditEvent.objects.exclude(action="access.denied")  # a refusal is audited, nothing else
    before = snapshot(first), snapshot(second), events.count()
    # The pair of another case, a pair or a case that does not exist: all answered alike.
    for path in (
        f"/foundlings/{first.pk}/duplicates/{pair['id']}/decision",
        f"/foundlings/{second.pk}/duplicates/{pair['id'] + 1000}/decision",
        f"/foundlings/{uuid.uuid4()}/duplicates/{pair['id']}/decision",
    ):
        response = officer.post(path, {"same_child": True})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # The hospital reported both, so it is told who decides.
    response = hospital.post(
        f"/foundlings/{second.pk}/duplicates/{pair['id']}/decision", {"same_child": True}
    )
    assert (response.status_code, response.json()["code"]) == (409, "not_your_step")
    assert (snapshot(first), snapshot(second), events.count()) == before


# Bad input


@pytest.mark.parametrize(
    "change, field",
    [
        ({"found_at": "FUTURE"}, "found_at"),
        ({"found_at": "2026-01-05T08:00:00"}, "found_at"),  # no offset: ambiguous
        ({"found_at": "1066-10-14T09:00:00+00:00"}, "found_at"),
        ({"found_commune_code": "99999"}, "found_commune_code"),
        ({"found_commune_code": "1"}, "found_commune_code"),
        ({"condition": None}, "condition"),
        ({"condition": "   "}, "condition"),
        ({"found_place": "Chợ\x00"}, "found_place"),
        ({"sex": "other"}, "sex"),
        ({"estimated_age_days": -1}, "estimated_age_days"),
    ],
)
def test_a_bad_report_is_422_with_the_field_and_saves_nothing(world, frozen, change, field):
    body = report_body(world, frozen, **change)
    if body["found_at"] == "FUTURE":
        body["found_at"] = (frozen.at + dt.timedelta(hours=2)).isoformat()
    if body["condition"] is None:
        del body["condition"]
    client = ApiClient(world.hospital_sw)
    before = AuditEvent.objects.count()
    response = client.post("/foundlings", body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["fields"]
    assert not FoundlingCase.objects.exists() and not Child.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_handover_to_an_organisation_that_cannot_receive_is_422(world, frozen):
    case = ready_for_care(world, frozen)
    before = snapshot(case)
    for to in (world.orgs["school_a"].pk, 10**12):
        response = ApiClient(world.officer_a).post(
            f"/foundlings/{case.pk}/temporary-care", {"kind": "facility", "to_organisation_id": to}
        )
        assert response.status_code == 422
        assert response.json()["fields"]["to_organisation_id"]
    assert snapshot(case) == before


def test_a_bad_screening_saves_nothing(world, frozen):
    case = reported(world, frozen)
    client = ApiClient(world.hospital_sw)
    before = (frozen.at - dt.timedelta(hours=2)).isoformat()  # before the child was found
    for body, field in [
        ({**SCREENING, "screened_at": before}, "screened_at"),
        ({**SCREENING, "screened_at": frozen.at.isoformat(), "temperature_c": "51.0"}, "temperature_c"),
        ({**SCREENING, "screened_at": frozen.at.isoformat(), "findings": "\x07"}, "findings"),
    ]:
        response = client.post(f"/foundlings/{case.pk}/screen", body)
        assert response.status_code == 422 and field in response.json()["fields"]
    assert not HealthScreening.objects.exists() and Step.objects.filter(case=case).count() == 1


# The list


def test_the_list_shows_what_is_late_and_filters_by_state(world, frozen):
    late = reported(world, frozen)
    frozen.advance(hours=2)
    done = reported(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=done)
    reported(world, frozen, commune=world.commune_b)  # commune B's: not commune A's officer's

    page = ApiClient(world.officer_a).get("/foundlings").json()
    assert (page["count"], page["page"], page["pages"]) == (2, 1, 1)
    assert [item["id"] for item in page["items"]] == [str(done.pk), str(late.pk)]
    overdue = page["items"][1]["overdue"]
    assert [o["rule"] for o in overdue] == ["foundling.acknowledge"]
    assert overdue[0]["late_seconds"] == 90 * 60  # found 30 min before the clock, due an hour after
    assert page["items"][0]["overdue"] == []

    acknowledged = ApiClient(world.officer_a).get("/foundlings", state="acknowledged").json()
    assert [item["id"] for item in acknowledged["items"]] == [str(done.pk)]
    assert ApiClient(world.officer_a).get("/foundlings", state="lost").status_code == 422
    assert ApiClient(world.officer_b).get("/foundlings").json()["count"] == 1


def test_the_list_costs_the_same_queries_for_one_case_or_a_page(world, frozen):
    client = ApiClient(world.officer_a)
    client.get("/foundlings")  # the token's first use is recorded once; measure the steady state

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/foundlings").status_code == 200
        return len(captured)

    reported(world, frozen)
    frozen.advance(hours=3)
    one = queries()
    for _ in range(4):
        reported(world, frozen, commune=world.commune_a)
    assert queries() == one


def test_the_photo_is_sent_as_a_file_and_must_be_an_image(world, frozen, settings, tmp_path):
    import io

    from django.test import Client
    from PIL import Image

    from haven.accounts.services import api_token_issue

    settings.MEDIA_ROOT = str(tmp_path)
    case = reported(world, frozen)
    _token, key = api_token_issue(actor=world.hospital_sw, user=world.hospital_sw, name="test", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    not_image = client.post(f"/api/v1/foundlings/{case.pk}/photo", {"photo": io.BytesIO(b"%PDF-1.4 x")})
    assert not_image.status_code == 422 and not_image.json()["fields"]["photo"]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    buffer.name = "be.png"
    buffer.seek(0)
    assert client.post(f"/api/v1/foundlings/{case.pk}/photo", {"photo": buffer}).status_code == 200
    case.refresh_from_db()
    assert case.photo
