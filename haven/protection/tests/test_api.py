"""/api/v1/protection: a child-protection case through the same services, selectors and access rules as
the pages.

Refused (404, the same answer as for a case that does not exist): anyone who cannot see the child —
commune B's officer for an incident in commune A, another province's officer, a school, a hospital
(also when it receives a referral: it reads the referral, never the case nor the child), the central
analyst and the administrator, a user with no membership; a role the workflow table does not allow
for the step (the commune officer approving the plan: only the chairman approves); anyone but the
receiving organisation answering a referral, the sender included; a reporter linking a child it may
not see. A step the case is not ready for is 409 ("out_of_order", "child_view_missing",
"risk_remains") and changes nothing; bad data is 422 with the fields and saves nothing. The
informant's identity is shown only to the roles that handle reports: null for the provincial officer,
absent from what a referral's receiver reads. Without a token every operation is 401 (haven/api/tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.audit.services import verify
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.people import services as people
from haven.people.models import Child
from haven.protection import services
from haven.protection.models import Assessment, ProtectionCase, Referral, State
from haven.protection.tests.factories import plan

INFORMANT = {"name": "Nguyễn Văn Bình", "phone": "0912 345 678", "address": "Số 7 ngõ 3, tổ 4"}
HIGH = {"harm": "high", "danger": "high", "abuser_access": "high"}
LOW = {"harm": "low", "danger": "low", "abuser_access": "low"}
INITIAL = {**HIGH, "verification": "Đã gặp cô giáo chủ nhiệm và công an xã", "emergency": True}
SPECIFIC = {
    "physical": "medium",
    "psychological": "high",
    "family": "high",
    "education": "low",
    "needs": "Tư vấn tâm lý; hỗ trợ học tập",
    "meeting": "Họp ngày 3/3: cán bộ xã, nhà trường, bà ngoại của trẻ",
}
MEASURES = "Tư vấn tâm lý — trạm y tế — 2 tuần\nHỗ trợ học tập — nhà trường — 1 tháng"
# A plan's dates follow the clock (a plan cannot lie before its report): PLAN() is today's plan.
PLAN = functools.partial(plan, objectives="Trẻ an toàn, đi học trở lại", measures=MEASURES)
APPROVAL = {
    "decision_number": "05/QĐ-UBND",
    "participants": "Chủ tịch UBND, cán bộ BVTE, tổ trưởng dân phố, bà ngoại của trẻ",
}
REVIEW_LOW = {
    "harm": "low",
    "abuser_access": "low",
    "obstacles": "low",
    "resilience": "high",
    "summary": "Trẻ ổn định, đi học đều",
}


def report_body(world, **overrides) -> dict:
    body = {
        "incident_commune_code": world.commune_a.code,
        "incident_place": "Tổ dân phố 4",
        "sex": "female",
        "family_name": "Lò",
        "middle_name": "Thị",
        "given_name": "Mai",
        "date_of_birth": "2021-03-15",
        "condition": "Có vết bầm ở hai tay, sợ về nhà",
        "likely_harm": "Tiếp tục bị bố dượng đánh",
        "parents": "Mẹ: Lò Thị Hoa, 30 tuổi, làm nương",
        "caregiver": "Bố dượng",
        "actions_taken": "Cô giáo đưa trẻ về nhà bà ngoại",
    }
    return {**body, **overrides}


def reported(world, *, born: dt.date = dt.date(2021, 3, 15), commune=None, **extra) -> ProtectionCase:
    """A case reported by the hotline about a child of commune A, set up through the service."""
    return services.protection_report(
        actor=world.hotline,
        incident_commune=commune or world.commune_a,
        incident_place="Tổ dân phố 4",
        sex="female",
        family_name="Lò",
        given_name="Mai",
        date_of_birth=born,
        condition="Có vết bầm ở tay",
        likely_harm="Tiếp tục bị đánh",
        **extra,
    )


def plan_drafted(world, **extra) -> ProtectionCase:
    case = reported(world, **extra)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=PLAN())
    return case


def snapshot(case: ProtectionCase) -> tuple:
    case.refresh_from_db()
    return (
        case.state,
        case.assigned_to_id,
        case.steps.count(),
        case.assessments.count(),
        case.approvals.count(),
        case.separations.count(),
        case.referrals.count(),
        sorted(
            Obligation.objects.filter(subject_id=case.pk, status=Status.OPEN).values_list("rule", flat=True)
        ),
        # A refusal is itself audited (access.denied); what counts here is that nothing changed.
        AuditEvent.objects.exclude(action="access.denied").count(),
    )


# Who is refused


@pytest.mark.parametrize(
    "persona", ["officer_b", "provincial_other", "school_a", "hospital_sw", "analyst", "admin"]
)
def test_a_case_out_of_reach_is_not_found(world, frozen, persona):
    case = reported(world)
    response = ApiClient(getattr(world, persona)).get(f"/protection/{case.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_forbidden_and_missing_give_the_same_answer_and_change_nothing(world, frozen):
    case = reported(world)
    client = ApiClient(world.officer_b)
    forbidden = client.get(f"/protection/{case.pk}")
    missing = client.get(f"/protection/{uuid.uuid4()}")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())
    before = snapshot(case)
    assert client.post(f"/protection/{case.pk}/accept").status_code == 404
    assert snapshot(case) == before
    assert client.get("/protection").json()["count"] == 0


@pytest.mark.parametrize("persona", ["analyst", "admin"])
def test_a_role_that_sees_no_child_cannot_list(world, frozen, persona):
    reported(world)
    client = ApiClient(getattr(world, persona))
    assert client.get("/protection").status_code == 404
    assert client.get("/protection/referrals").status_code == 404


@pytest.mark.parametrize("persona", ["officer_a", "police_a", "provincial"])
def test_only_the_chairman_approves_the_plan(world, frozen, persona):
    case = plan_drafted(world)
    client = ApiClient(getattr(world, persona))
    before = snapshot(case)
    response = client.post(f"/protection/{case.pk}/plan/approval", APPROVAL)
    # Those who see the case are told who approves (Law on Children art. 52); others get 404.
    assert (response.status_code, response.json()["code"]) in ((409, "not_your_step"), (404, "not_found"))
    assert snapshot(case) == before and before[0] == State.PLAN_DRAFTED


@pytest.mark.parametrize("persona", ["civil_status_a", "analyst", "provincial"])
def test_a_role_that_does_not_report_cannot_report(world, frozen, persona):
    response = ApiClient(getattr(world, persona)).post("/protection", report_body(world))
    assert response.status_code == 404
    assert not ProtectionCase.objects.exists() and not Child.objects.exists()


def test_a_reporter_cannot_link_a_child_it_does_not_see(world, frozen):
    other = world.child(commune=world.commune_b)
    client = ApiClient(world.police_a)
    events = AuditEvent.objects.exclude(action="access.denied")
    before = events.count()
    response = client.post("/protection", report_body(world, child_id=str(other.pk)))
    assert response.status_code == 404
    assert not ProtectionCase.objects.exists() and events.count() == before
    assert AuditEvent.objects.filter(action="access.denied", actor=world.police_a).count() == 1


# The journey


def test_the_whole_case_through_the_api(world, frozen):
    hotline = ApiClient(world.hotline)
    response = hotline.post("/protection", report_body(world, informant_consent=True, informant=INFORMANT))
    assert response.status_code == 201, response.json()
    case = response.json()
    case_id, child_id = case["id"], case["child"]["id"]
    assert (case["state"], case["channel"], case["incident_commune_code"]) == (
        "received",
        "hotline",
        world.commune_a.code,
    )
    assert case["responsible"] == {"id": world.orgs["committee_a"].pk, "name": world.orgs["committee_a"].name}
    assert case["child"]["full_name"] == "Lò Thị Mai" and case["child"]["age_years"] == 5
    assert {o["rule"] for o in case["obligations"]} == {
        "protection.transfer",
        "protection.initial_assessment",
        "protection.emergency",
    }
    assert [s["action"] for s in case["steps"]] == ["report"] and case["steps"][0]["actor"] == "hotline"
    assert case["informant"] == INFORMANT

    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    frozen.advance(minutes=20)
    case = officer.post(f"/protection/{case_id}/accept").json()
    assert case["state"] == "with_commune" and case["assigned_to"] == "officer_a"
    assert case["actions"][0] == "assess_initial"
    frozen.advance(hours=3)
    case = officer.post(f"/protection/{case_id}/initial-assessment", INITIAL).json()
    assert case["state"] == "emergency" and case["assessments"][0]["form"] == "02"
    assert case["assessments"][0]["version"] == 1 and case["assessments"][0]["recorded_by"] == "officer_a"

    frozen.advance(hours=2)  # 5 h 20 min after the report: within the 12 hours
    response = chairman.post(
        f"/protection/{case_id}/emergency",
        {"measures": "Đưa trẻ đến nhà bà ngoại", "separate": True, "shelter": "Nhà bà ngoại, tổ 2"},
    )
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["state"] == "assessing" and case["steps"][-1]["late_seconds"] is None
    [separation] = case["separations"]
    assert separation["shelter"] == "Nhà bà ngoại, tổ 2" and separation["ended_at"] is None
    assert dt.datetime.fromisoformat(separation["ends_at"]) == frozen.at + dt.timedelta(days=15)
    assert "protection.separation_review" in {o["rule"] for o in case["obligations"] if o["status"] == "open"}

    case = officer.post(f"/protection/{case_id}/specific-assessment", SPECIFIC).json()
    assert case["previous_scores"]["03"] == {
        k: v for k, v in SPECIFIC.items() if k not in ("needs", "meeting")
    }
    case = officer.post(f"/protection/{case_id}/plan", PLAN()).json()
    assert case["state"] == "plan_drafted" and case["assessments"][-1]["data"] == PLAN()
    response = chairman.post(f"/protection/{case_id}/plan/approval", APPROVAL)
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["state"] == "in_intervention" and case["approvals"][0]["decision_number"] == "05/QĐ-UBND"

    response = officer.post(
        f"/protection/{case_id}/referrals",
        {
            "to_organisation_id": world.orgs["hospital_a"].pk,
            "service": "medical",
            "note": "Khám và điều trị vết thương",
            "consent": True,
        },
    )
    assert response.status_code == 200, response.json()
    referral_id = response.json()["referrals"][0]["id"]
    hospital = ApiClient(world.hospital_sw)
    received = hospital.get("/protection/referrals").json()
    assert received["count"] == 1 and received["items"][0]["child"] == {
        "name": "Lò Thị Mai",
        "sex": "female",
        "age_years": 5,
    }
    assert received["items"][0]["from_organisation"]["id"] == world.orgs["committee_a"].pk
    answer = f"/protection/referrals/{referral_id}/answer"
    assert hospital.post(answer, {"status": "accepted"}).json()["status"] == "accepted"
    done = hospital.post(answer, {"status": "done", "outcome": "Đã khám, băng bó"}).json()
    assert done["status"] == "done" and done["outcome"] == "Đã khám, băng bó"
    # Accepting and doing the service does not open the case nor the child to the hospital.
    assert hospital.get(f"/protection/{case_id}").status_code == 404
    assert hospital.get(f"/children/{child_id}").status_code == 404

    case = officer.post(f"/protection/{case_id}/review", REVIEW_LOW).json()
    assert case["state"] == "review" and case["referrals"][0]["status"] == "done"
    assert case["previous_scores"]["06"] == {
        "harm": "low",
        "abuser_access": "low",
        "obstacles": "low",
        "resilience": "high",
    }
    # The child's separation still runs: the case cannot close before it is ended (Decree 56 art. 32).
    refused = chairman.post(f"/protection/{case_id}/close", {"reason": "An toàn, ổn định"})
    assert refused.status_code == 422 and refused.json()["fields"]["__all__"]
    chairman.post(f"/protection/{case_id}/separation/end", {"reason": "Bố dượng đã chuyển đi nơi khác"})
    response = chairman.post(f"/protection/{case_id}/close", {"reason": "An toàn, ổn định"})
    assert response.status_code == 200, response.json()
    case = response.json()
    # Closed: the chairman may only reopen it.
    assert case["state"] == "closed" and case["closed_at"] is not None and case["actions"] == ["reopen"]
    assert [s["action"] for s in case["steps"]] == [
        "report",
        "accept",
        "assess_emergency",
        "emergency_separation",
        "assess_specific",
        "draft_plan",
        "approve_plan",
        "refer",
        "answer_referral",
        "answer_referral",
        "review",
        "end_separation",
        "close",
    ]
    assert verify().ok


def test_the_12_hour_clock_escalates_when_missed(world, frozen):
    case = reported(world)
    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    officer.post(f"/protection/{case.pk}/accept")
    officer.post(f"/protection/{case.pk}/initial-assessment", INITIAL)
    frozen.advance(hours=12, minutes=1)
    sweep(now=frozen.at)

    detail = officer.get(f"/protection/{case.pk}").json()
    [emergency] = [o for o in detail["obligations"] if o["rule"] == "protection.emergency"]
    assert emergency["escalation_level"] == 1 and emergency["status"] == "open"
    assert emergency["responsible"]["id"] == world.orgs["committee_a"].pk
    late = {o["rule"]: o["late_seconds"] for o in detail["overdue"]}
    assert late["protection.emergency"] == 60
    listed = officer.get("/protection").json()["items"][0]
    assert {o["rule"] for o in listed["overdue"]} == set(late)

    frozen.advance(minutes=9)
    case_now = chairman.post(f"/protection/{case.pk}/emergency", {"measures": "Công an xã đến nhà"}).json()
    assert case_now["steps"][-1]["action"] == "emergency_measures"
    assert case_now["steps"][-1]["late_seconds"] == 10 * 60
    assert "protection.emergency" not in {o["rule"] for o in case_now["overdue"]}


def test_a_plan_for_a_child_of_7_or_more_needs_the_childs_view(world, frozen):
    case = plan_drafted(world, born=dt.date(2015, 1, 1))
    chairman = ApiClient(world.chairman_a)
    before = snapshot(case)
    refused = chairman.post(f"/protection/{case.pk}/plan/approval", APPROVAL)
    assert refused.status_code == 409 and refused.json()["code"] == "child_view_missing"
    assert snapshot(case) == before
    officer, other_commune = ApiClient(world.officer_a), ApiClient(world.officer_b)
    before = snapshot(case)
    view = {
        "heard_on": frozen.at.date().isoformat(),
        "subject": "Kế hoạch hỗ trợ",
        "opinion": "Con muốn ở với bà ngoại",
    }
    # A view heard tomorrow, or with nothing said, is refused with every field named, and saves nothing.
    tomorrow = officer.post(
        f"/protection/{case.pk}/child-view",
        {**view, "heard_on": (frozen.at.date() + dt.timedelta(days=1)).isoformat()},
    )
    assert tomorrow.status_code == 422 and snapshot(case) == before
    assert officer.post(f"/protection/{case.pk}/child-view", {**view, "opinion": ""}).status_code == 422
    assert other_commune.post(f"/protection/{case.pk}/child-view", view).status_code == 404
    assert snapshot(case) == before
    heard = officer.post(f"/protection/{case.pk}/child-view", view)
    assert heard.status_code == 200 and heard.json()["steps"][-1]["action"] == "hear_child"
    response = chairman.post(f"/protection/{case.pk}/plan/approval", APPROVAL)
    assert response.status_code == 200 and response.json()["state"] == "in_intervention"


@pytest.mark.parametrize(
    "persona, path, body",
    [
        ("officer_a", "initial-assessment", {**LOW, "verification": "x"}),
        ("chairman_a", "emergency", {"measures": "Đưa trẻ đến nhà bà ngoại"}),
        ("officer_a", "specific-assessment", SPECIFIC),
        (
            "officer_a",
            "plan",
            {"objectives": "x", "measures": "y", "start": "2030-01-01", "end": "2030-02-01"},
        ),
        ("chairman_a", "plan/approval", APPROVAL),
        ("chairman_a", "plan/return", {"reason": "Thiếu biện pháp"}),
        ("officer_a", "review", REVIEW_LOW),
        ("chairman_a", "close", {"reason": "An toàn"}),
        ("officer_a", "replan", {"reason": "Còn nguy cơ"}),
        ("officer_a", "separation/end", {"reason": "Gia đình an toàn"}),
    ],
)
def test_a_step_out_of_order_is_refused_and_changes_nothing(world, frozen, persona, path, body):
    case = reported(world)
    client = ApiClient(getattr(world, persona))
    before = snapshot(case)
    response = client.post(f"/protection/{case.pk}/{path}", body)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "out_of_order"
    assert snapshot(case) == before


def test_a_step_taken_twice_is_refused(world, frozen):
    case = reported(world)
    officer = ApiClient(world.officer_a)
    assert officer.post(f"/protection/{case.pk}/accept").status_code == 200
    again = officer.post(f"/protection/{case.pk}/accept")
    assert again.status_code == 409 and again.json()["code"] == "out_of_order"


def test_a_case_cannot_close_while_a_risk_remains(world, frozen):
    case = plan_drafted(world)
    services.protection_approve_plan(actor=world.chairman_a, case=case, **APPROVAL)
    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    officer.post(f"/protection/{case.pk}/review", {**REVIEW_LOW, "harm": "medium"})
    before = snapshot(case)
    refused = chairman.post(f"/protection/{case.pk}/close", {"reason": "An toàn"})
    assert refused.status_code == 409 and refused.json()["code"] == "risk_remains"
    assert snapshot(case) == before
    case_now = officer.post(f"/protection/{case.pk}/replan", {"reason": "Còn nguy cơ"}).json()
    assert case_now["state"] == "assessing" and case_now["previous_scores"]["06"]["harm"] == "medium"


def test_a_returned_plan_is_drafted_again_after_a_new_assessment(world, frozen):
    case = plan_drafted(world)
    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    frozen.advance(days=1)
    returned = chairman.post(f"/protection/{case.pk}/plan/return", {"reason": "Thiếu người phụ trách"})
    assert returned.status_code == 200 and returned.json()["state"] == "assessing"
    again = officer.post(f"/protection/{case.pk}/plan", PLAN())
    assert again.status_code == 409 and again.json()["code"] == "assessment_missing"
    officer.post(f"/protection/{case.pk}/specific-assessment", SPECIFIC)
    assert officer.post(f"/protection/{case.pk}/plan", PLAN()).json()["state"] == "plan_drafted"


def test_a_separation_ends_by_a_reasoned_decision(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data=INITIAL)
    chairman = ApiClient(world.chairman_a)
    too_long = chairman.post(
        f"/protection/{case.pk}/emergency",
        {"measures": "m", "separate": True, "shelter": "Nhà tạm lánh", "separation_days": 20},
    )
    assert too_long.status_code == 422 and "separation_days" in too_long.json()["fields"]
    assert not case.separations.exists()
    chairman.post(
        f"/protection/{case.pk}/emergency", {"measures": "m", "separate": True, "shelter": "Nhà tạm lánh"}
    )
    assert "end_separation" in ApiClient(world.officer_a).get(f"/protection/{case.pk}").json()["actions"]
    no_reason = chairman.post(f"/protection/{case.pk}/separation/end", {"reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["fields"]
    ended = chairman.post(f"/protection/{case.pk}/separation/end", {"reason": "Bố dượng đã chuyển đi"}).json()
    assert ended["separations"][0]["ended_at"] is not None and "end_separation" not in ended["actions"]


# The informant and the referral's receiver


def test_the_informant_is_shown_only_to_the_roles_that_handle_reports(world, frozen):
    case = reported(world, informant_consent=True, informant=INFORMANT)
    for persona in ("officer_a", "chairman_a", "police_a", "hotline"):
        assert (
            ApiClient(getattr(world, persona)).get(f"/protection/{case.pk}").json()["informant"] == INFORMANT
        )
    provincial = ApiClient(world.provincial).get(f"/protection/{case.pk}")
    assert provincial.status_code == 200 and provincial.json()["informant"] is None
    shown = AuditEvent.objects.filter(action="protection.informant_view").count()
    assert shown == 4

    services.protection_accept(actor=world.officer_a, case=case)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết thương",
        consent=True,
    )
    hospital = ApiClient(world.hospital_sw)
    for response in (
        hospital.get(f"/protection/referrals/{referral.pk}"),
        hospital.get("/protection/referrals"),
    ):
        assert response.status_code == 200
        assert "informant" not in response.content.decode() and "Bình" not in response.content.decode()
    assert hospital.get(f"/protection/{case.pk}").status_code == 404


def test_without_consent_there_is_no_informant_to_show(world, frozen):
    case = reported(world)
    assert ApiClient(world.officer_a).get(f"/protection/{case.pk}").json()["informant"] is None
    # As on the page, an informant's section left empty needs no consent and records nobody.
    empty = {"name": " ", "phone": "", "address": ""}
    response = ApiClient(world.hotline).post("/protection", report_body(world, informant=empty))
    assert response.status_code == 201 and response.json()["informant"] is None
    assert ProtectionCase.objects.get(pk=response.json()["id"]).informant_encrypted == ""


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "facility_director", "school_a"])
def test_only_the_receiving_organisation_reads_and_answers_a_referral(world, frozen, persona):
    # officer_a sent it and sees it in the case, but does not answer for the hospital.
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết thương",
        consent=True,
    )
    client = ApiClient(getattr(world, persona))
    assert client.get(f"/protection/referrals/{referral.pk}").status_code == 404
    response = client.post(f"/protection/referrals/{referral.pk}/answer", {"status": "accepted"})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "requested" and referral.answered_by is None


def test_a_referral_to_a_body_that_sees_no_child_shows_it_nothing(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    # No referral can be made to such a body any more (test_receivers.py); one made before, still in
    # the database, shows it nothing all the same.
    referral = Referral.objects.create(
        case=case,
        from_organisation=world.orgs["committee_a"],
        to_organisation=world.orgs["monitoring"],
        service="legal",
        note="Tư vấn pháp lý",
        consent=True,
        requested_at=frozen.at,
        requested_by=world.officer_a,
    )
    analyst = ApiClient(world.analyst)
    assert analyst.get(f"/protection/referrals/{referral.pk}").status_code == 404
    assert (
        analyst.post(f"/protection/referrals/{referral.pk}/answer", {"status": "accepted"}).status_code == 404
    )


def test_a_referral_answer_follows_its_state(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    officer = ApiClient(world.officer_a)
    no_consent = {"to_organisation_id": world.orgs["hospital_a"].pk, "service": "medical", "note": "Khám"}
    response = officer.post(f"/protection/{case.pk}/referrals", {**no_consent, "consent": False})
    assert response.status_code == 422 and "consent" in response.json()["fields"]
    unknown = officer.post(
        f"/protection/{case.pk}/referrals", {**no_consent, "consent": True, "to_organisation_id": 10**12}
    )
    assert unknown.status_code == 422 and "to_organisation_id" in unknown.json()["fields"]
    assert not Referral.objects.exists()

    referral_id = officer.post(f"/protection/{case.pk}/referrals", {**no_consent, "consent": True}).json()[
        "referrals"
    ][0]["id"]
    hospital = ApiClient(world.hospital_sw)
    answer = f"/protection/referrals/{referral_id}/answer"
    early = hospital.post(answer, {"status": "done", "outcome": "Đã khám"})
    assert early.status_code == 409 and early.json()["code"] == "out_of_order"
    no_reason = hospital.post(answer, {"status": "rejected"})
    assert no_reason.status_code == 422 and "outcome" in no_reason.json()["fields"]
    assert (
        hospital.post(answer, {"status": "rejected", "outcome": "Hết giường"}).json()["status"] == "rejected"
    )
    assert hospital.get("/protection/referrals", status="rejected").json()["count"] == 1
    assert hospital.get("/protection/referrals", status="accepted").json()["count"] == 0


# Reports by other reporters


def test_a_report_about_a_known_child_is_linked_to_it(world, frozen):
    known = world.child(family_name="Hà", middle_name="Văn", given_name="Nam", sex="male")
    response = ApiClient(world.police_a).post("/protection", report_body(world, child_id=str(known.pk)))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["child"]["id"] == str(known.pk) and body["child"]["full_name"] == "Hà Văn Nam"
    assert body["channel"] == "police" and Child.objects.count() == 1


def test_a_reporter_that_does_not_follow_the_case_gets_a_receipt(world, frozen):
    response = ApiClient(world.school_a).post("/protection", report_body(world))
    assert response.status_code == 202, response.json()
    receipt = response.json()
    assert set(receipt) == {"id", "received_at", "responsible"}
    assert receipt["responsible"]["id"] == world.orgs["committee_a"].pk
    assert ProtectionCase.objects.get(pk=receipt["id"]).channel == "school"


def test_a_pregnant_girl_under_16_is_flagged(world, frozen):
    response = ApiClient(world.hotline).post(
        "/protection", report_body(world, date_of_birth="2012-02-01", pregnant=True)
    )
    assert response.status_code == 201 and response.json()["flags"] == ["pregnant_under_16"]


# Bad input


@pytest.mark.parametrize(
    "change, field",
    [
        ({"incident_commune_code": "99999"}, "incident_commune_code"),
        ({"incident_commune_code": "1"}, "incident_commune_code"),
        ({"condition": None}, "condition"),
        ({"condition": "   "}, "condition"),
        ({"likely_harm": None}, "likely_harm"),
        ({"informant": INFORMANT}, "informant_consent"),
        ({"informant": {**INFORMANT, "phone": "0912\n345"}, "informant_consent": True}, "informant.phone"),
        ({"incident_place": "Chợ\x00"}, "incident_place"),
        ({"given_name": "Mai\u0007"}, "given_name"),
        ({"sex": "other"}, "sex"),
        ({"estimated_age_years": -1, "date_of_birth": None}, "estimated_age_years"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1066-10-14"}, "date_of_birth"),
        ({"child_id": "not-a-uuid"}, "child_id"),
    ],
)
def test_a_bad_report_is_422_with_the_field_and_saves_nothing(world, frozen, change, field):
    body = report_body(world, **change)
    for name in ("condition", "likely_harm"):
        if name in change and change[name] is None:
            del body[name]
    client = ApiClient(world.hotline)
    before = AuditEvent.objects.count()
    response = client.post("/protection", body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["fields"]
    assert not ProtectionCase.objects.exists() and not Child.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("initial-assessment", {**LOW, "harm": "severe", "verification": "x"}, "harm"),
        ("initial-assessment", {**LOW}, "verification"),
        ("initial-assessment", {**LOW, "verification": "   "}, "verification"),
        ("initial-assessment", {**LOW, "verification": "x\x1b"}, "verification"),
    ],
)
def test_a_bad_form_is_422_and_saves_nothing(world, frozen, path, body, field):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    client = ApiClient(world.officer_a)
    before = snapshot(case)
    response = client.post(f"/protection/{case.pk}/{path}", body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["fields"]
    assert snapshot(case) == before


def test_a_plan_that_ends_before_it_starts_saves_nothing(world, frozen):
    case = plan_drafted(world)
    frozen.advance(days=1)
    services.protection_return_plan(actor=world.chairman_a, case=case, reason="Sửa lại")
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    officer = ApiClient(world.officer_a)
    before = snapshot(case), Assessment.objects.filter(form="04").count()
    response = officer.post(f"/protection/{case.pk}/plan", PLAN(starts_in=60, days=-60))
    assert response.status_code == 422 and "end" in response.json()["fields"]
    assert (snapshot(case), Assessment.objects.filter(form="04").count()) == before


# The list


def test_the_list_shows_what_is_late_and_filters_by_state(world, frozen):
    late = reported(world)
    frozen.advance(hours=2)
    taken = reported(world)
    services.protection_accept(actor=world.officer_a, case=taken)
    reported(world, commune=world.commune_b)  # commune B's: not commune A's officer's

    page = ApiClient(world.officer_a).get("/protection").json()
    assert (page["count"], page["page"], page["pages"]) == (2, 1, 1)
    assert [item["id"] for item in page["items"]] == [str(taken.pk), str(late.pk)]
    overdue = page["items"][1]["overdue"]
    assert [o["rule"] for o in overdue] == ["protection.transfer"]
    assert overdue[0]["late_seconds"] == 60 * 60  # reported 2 hours ago, to be taken up within 1
    assert page["items"][0]["overdue"] == [] and page["items"][0]["assigned_to"] == "officer_a"

    accepted = ApiClient(world.officer_a).get("/protection", state="with_commune").json()
    assert [item["id"] for item in accepted["items"]] == [str(taken.pk)]
    assert ApiClient(world.officer_a).get("/protection", state="lost").status_code == 422
    assert ApiClient(world.officer_b).get("/protection").json()["count"] == 1


def test_the_list_costs_the_same_queries_for_one_case_or_a_page(world, frozen):
    client = ApiClient(world.officer_a)
    client.get("/protection")  # the token's first use is recorded once; measure the steady state

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/protection").status_code == 200
        return len(captured)

    reported(world)
    frozen.advance(hours=3)
    one = queries()
    for _ in range(4):
        services.protection_accept(actor=world.officer_a, case=reported(world))
    assert queries() == one


def test_the_referral_list_costs_the_same_queries_for_one_or_a_page(world, frozen):
    client = ApiClient(world.hospital_sw)
    client.get("/protection/referrals")

    def refer() -> None:
        case = reported(world)
        services.protection_accept(actor=world.officer_a, case=case)
        services.referral_request(
            actor=world.officer_a,
            case=case,
            to_organisation=world.orgs["hospital_a"],
            service="medical",
            note="Khám",
            consent=True,
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/protection/referrals").status_code == 200
        return len(captured)

    refer()
    one = queries()
    for _ in range(4):
        refer()
    assert queries() == one


def test_a_case_is_transferred_to_another_commune_through_the_api(world, frozen):
    case = services.protection_report(
        actor=world.hotline,
        incident_commune=world.commune_a,
        incident_place="Tổ 4",
        sex="female",
        condition="Bầm tím",
        likely_harm="Bị đánh tiếp",
    )
    services.protection_accept(actor=world.officer_a, case=case)
    officer_a, officer_b = ApiClient(world.officer_a), ApiClient(world.officer_b)
    bad = officer_a.post(
        f"/protection/{case.pk}/transfers", {"to_organisation_id": world.orgs["school_a"].pk, "reason": "x"}
    )
    assert bad.status_code == 422 and "to_organisation_id" in bad.json()["fields"]
    offer = officer_a.post(
        f"/protection/{case.pk}/transfers",
        {"to_organisation_id": world.orgs["committee_b"].pk, "reason": "Chuyển nhà"},
    )
    assert offer.status_code == 200 and offer.json()["status"] == "pending"
    transfer_id = offer.json()["id"]
    assert officer_a.post(f"/protection/transfers/{transfer_id}/answer", {"accept": True}).status_code == 404
    answer = officer_b.post(f"/protection/transfers/{transfer_id}/answer", {"accept": True})
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    assert officer_b.get(f"/protection/{case.pk}").json()["responsible"]["id"] == world.orgs["committee_b"].pk


def test_a_possible_known_child_is_decided_through_the_api(world, frozen):
    people.child_create(
        actor=world.officer_a,
        family_name="Lò",
        given_name="Mai",
        sex="female",
        date_of_birth=dt.date(2020, 5, 1),
        current_commune=world.commune_a,
    )
    case = services.protection_report(
        actor=world.hotline,
        incident_commune=world.commune_a,
        incident_place="Tổ 4",
        sex="female",
        family_name="Lò",
        given_name="Mai",
        date_of_birth=dt.date(2020, 5, 1),
        condition="Bầm tím",
        likely_harm="Bị đánh tiếp",
    )
    officer = ApiClient(world.officer_a)
    detail = officer.get(f"/protection/{case.pk}").json()
    [match] = detail["known_child_matches"]
    decided = officer.post(f"/protection/{case.pk}/matches/{match['id']}/decision", {"same_child": True})
    assert decided.status_code == 200 and decided.json()["known_child_matches"] == []
    assert decided.json()["child_id"] == match["candidate_id"]


# Contradictions refused, mistakes reversible (Decree 56/2017 art. 26, 30, 32)


def test_a_contradictory_form_02_is_422_with_every_field_and_saves_nothing(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    officer = ApiClient(world.officer_a)
    before = snapshot(case)
    response = officer.post(f"/protection/{case.pk}/initial-assessment", {**INITIAL, "unfounded": True})
    assert response.status_code == 422, response.json()
    assert set(response.json()["fields"]) == {"harm", "danger", "abuser_access", "emergency", "unfounded"}
    assert snapshot(case) == before


def test_a_plan_before_the_report_is_422_and_saves_nothing(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    officer = ApiClient(world.officer_a)
    before = snapshot(case)
    response = officer.post(f"/protection/{case.pk}/plan", PLAN(start="2000-01-01", end="2000-02-01"))
    assert response.status_code == 422 and set(response.json()["fields"]) == {"start", "end"}
    assert snapshot(case) == before


def test_a_case_closed_in_error_is_reopened_through_the_api(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "x", "unfounded": True}
    )
    officer, chairman, other = (
        ApiClient(world.officer_a),
        ApiClient(world.chairman_a),
        ApiClient(world.officer_b),
    )
    before = snapshot(case)
    refused = officer.post(f"/protection/{case.pk}/reopen", {"reason": "Đóng nhầm"})
    assert refused.status_code == 409 and refused.json()["code"] == "not_your_step"
    assert other.post(f"/protection/{case.pk}/reopen", {"reason": "x"}).status_code == 404
    blank = chairman.post(f"/protection/{case.pk}/reopen", {"reason": " "})
    assert blank.status_code == 422 and "reason" in blank.json()["fields"]
    assert snapshot(case) == before
    assert chairman.get(f"/protection/{case.pk}").json()["actions"] == ["reopen"]
    reopened = chairman.post(f"/protection/{case.pk}/reopen", {"reason": "Trường báo thêm vết bầm"}).json()
    assert reopened["state"] == "with_commune" and reopened["closed_at"] is None
    assert reopened["steps"][-1]["action"] == "reopen_unfounded"
    assert {o["rule"] for o in reopened["obligations"] if o["status"] == "open"} == {
        "protection.initial_assessment",
        "protection.emergency",
        "protection.plan",
        "protection.approval",
    }
    again = chairman.post(f"/protection/{case.pk}/reopen", {"reason": "Lần nữa"})
    assert again.status_code == 409 and again.json()["code"] == "out_of_order"


def test_a_referral_is_withdrawn_through_the_api(world, frozen):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám",
        consent=True,
    )
    officer = ApiClient(world.officer_a)
    path = f"/protection/{case.pk}/referrals/{referral.pk}/withdraw"
    assert ApiClient(world.hospital_sw).post(path, {"reason": "x"}).status_code == 404
    assert (
        officer.post(f"/protection/{case.pk}/referrals/999999/withdraw", {"reason": "x"}).status_code == 404
    )
    withdrawn = officer.post(path, {"reason": "Gia đình tự đưa đi khám"}).json()
    assert withdrawn["referrals"][0]["status"] == "withdrawn"
    twice = officer.post(path, {"reason": "Lần nữa"})
    assert twice.status_code == 409 and twice.json()["code"] == "out_of_order"
