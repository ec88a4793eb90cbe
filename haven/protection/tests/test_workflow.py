"""The child-protection table (workflow.py) by the rules it encodes: contradictions refused with every
reason at once, clocks stopped honestly, a case closed in error reopened by its supervisor, and the next
person told. Decree 56/2017 art. 25–32; Law on Children art. 52, 60(3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import AuditEvent
from haven.audit.services import verify
from haven.core import clock
from haven.core.errors import Refused, field_errors
from haven.deadlines.models import Obligation, Status
from haven.deadlines.rules import RULES
from haven.deadlines.services import due
from haven.notifications.models import Notification
from haven.people.models import Child
from haven.protection import services
from haven.protection.models import State
from haven.protection.tests.factories import HIGH, LOW, REVIEW_LOW, SPECIFIC, plan, report, reviewed
from haven.protection.workflow import FLOW, TRANSITIONS
from haven.workflow.guards import GUARDS


def clocks(case) -> dict[str, str]:
    """Each clock of the case with the status of its latest obligation."""
    found: dict[str, str] = {}
    for o in Obligation.objects.filter(subject_id=case.pk).order_by("created_at", "opened_at"):
        found[o.rule] = o.status
    return found


def taken_up(world, **extra):
    case = report(world, **extra)
    services.protection_accept(actor=world.officer_a, case=case)
    return case


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}


# --- The table itself ---------------------------------------------------------------------------


def test_every_row_has_a_title_and_only_named_guards_and_known_clocks():
    """The permission document is generated from the rows: each says what it is and what it needs."""
    for action, row in TRANSITIONS.items():
        assert str(row.title), action
        assert all(name in GUARDS for name in row.guards), action
        assert all(code in RULES for code in (*row.closes, *row.cancels, *row.opens)), action


def test_the_irreversible_steps_say_what_will_happen():
    """Closing, concluding unfounded and approving the plan (Form 05) ask the person to confirm."""
    for action in ("close", "assess_unfounded", "approve_plan", "reopen_closed", "reopen_unfounded"):
        assert str(TRANSITIONS[action].confirm), action


# --- D1: a contradictory Form 02 ------------------------------------------------------------------


def test_form_02_cannot_conclude_unfounded_while_a_risk_is_high_or_emergency_is_chosen(world, frozen):
    """Decree 56/2017 art. 26(2)–(3): Form 02 decides whether the child needs emergency measures within
    12 hours. "Unfounded" with every risk High and emergency measures chosen is refused, with every
    contradiction named at once, and nothing changes."""
    case = taken_up(world)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.protection_assess_initial(
            actor=world.officer_a,
            case=case,
            data={**HIGH, "verification": "Hàng xóm xác nhận", "unfounded": True, "emergency": True},
        )
    assert codes(refused.value) == {
        "harm": ["unfounded_with_high_risk"],
        "danger": ["unfounded_with_high_risk"],
        "abuser_access": ["unfounded_with_high_risk"],
        "emergency": ["unfounded_with_emergency"],
        "unfounded": ["contradiction"],
    }
    case.refresh_from_db()
    assert case.state == State.WITH_COMMUNE and case.closed_at is None and not case.assessments.exists()
    assert clocks(case)["protection.emergency"] == Status.OPEN
    assert AuditEvent.objects.count() == events


def test_one_high_risk_is_enough_to_refuse_unfounded(world, frozen):
    case = taken_up(world)
    with pytest.raises(ValidationError) as refused:
        services.protection_assess_initial(
            actor=world.officer_a,
            case=case,
            data={**LOW, "danger": "high", "verification": "x", "unfounded": True},
        )
    assert set(codes(refused.value)) == {"danger", "unfounded"}


def test_an_unfounded_report_stops_its_clocks_as_no_longer_needed_never_as_done(world, frozen):
    """No step is reported done that was not done: the 12-hour emergency clock, the plan and the
    approval are cancelled; only the initial assessment, which was made, is met."""
    case = taken_up(world)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Không có căn cứ", "unfounded": True}
    )
    assert case.state == State.UNFOUNDED
    assert clocks(case) == {
        "protection.transfer": Status.MET,
        "protection.initial_assessment": Status.MET,
        "protection.emergency": Status.CANCELLED,
        "protection.plan": Status.CANCELLED,
        "protection.approval": Status.CANCELLED,
    }


def test_support_without_emergency_cancels_the_12_hour_clock(world, frozen):
    case = taken_up(world)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    assert clocks(case)["protection.emergency"] == Status.CANCELLED


# --- D15: closure and plan checks ----------------------------------------------------------------


def separated(world):
    case = taken_up(world)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**HIGH, "verification": "x", "emergency": True}
    )
    services.protection_emergency(
        actor=world.chairman_a, case=case, measures="Đưa trẻ đến nhà bà", separate=True, shelter="Nhà bà"
    )
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=plan())
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="1", participants="x")
    services.protection_review(actor=world.officer_a, case=case, data=REVIEW_LOW)
    return case


def test_a_case_cannot_close_while_the_temporary_separation_is_in_force(world, frozen):
    """Decree 56/2017 art. 32: the separation is ended by a decision; closing first would leave a child
    separated on a closed case."""
    case = separated(world)
    with pytest.raises(ValidationError) as refused:
        services.protection_close(actor=world.chairman_a, case=case, reason="An toàn")
    assert codes(refused.value) == {"__all__": ["separation_in_force"]}
    case.refresh_from_db()
    assert case.state == State.REVIEW and case.closed_at is None
    services.protection_end_separation(
        actor=world.chairman_a, case=case, reason="Mẹ đã được đánh giá an toàn"
    )
    services.protection_close(actor=world.chairman_a, case=case, reason="An toàn")
    assert case.state == State.CLOSED


def test_a_case_cannot_close_while_a_service_of_the_intervention_is_under_way(world, frozen):
    """A referral asked or accepted and not yet done is the intervention still running: the case closes
    once it is done, rejected, or withdrawn by the commune (the receiver is told)."""
    case = reviewed(world)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="psychological",
        note="Tư vấn tâm lý",
        consent=True,
    )
    services.referral_answer(actor=world.hospital_sw, referral=referral, status="accepted")
    with pytest.raises(ValidationError) as refused:
        services.protection_close(actor=world.chairman_a, case=case, reason="An toàn")
    assert codes(refused.value) == {"__all__": ["service_in_progress"]}
    with pytest.raises(ValidationError):
        services.referral_withdraw(actor=world.officer_a, case=case, referral=referral, reason=" ")
    services.referral_withdraw(
        actor=world.officer_a, case=case, referral=referral, reason="Gia đình tự đưa đi"
    )
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert Notification.objects.filter(
        organisation=world.orgs["hospital_a"], kind="protection.withdraw_referral"
    ).exists()
    services.protection_close(actor=world.chairman_a, case=case, reason="An toàn")
    assert case.state == State.CLOSED


def test_a_report_with_a_service_under_way_is_not_concluded_unfounded(world, frozen):
    case = taken_up(world)
    services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết bầm",
        consent=True,
    )
    with pytest.raises(ValidationError) as refused:
        services.protection_assess_initial(
            actor=world.officer_a, case=case, data={**LOW, "verification": "x", "unfounded": True}
        )
    assert codes(refused.value) == {"__all__": ["service_in_progress"]}


def assessed_specifically(world):
    case = taken_up(world)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    return case


def test_form_04_cannot_lie_before_the_report(world, frozen):
    """Decree 56/2017 art. 28(1): the plan answers this report, so it starts no earlier than the report
    was received (the walkthrough's 01/01/2000–01/02/2000 plan for a report of today)."""
    case = assessed_specifically(world)
    with pytest.raises(ValidationError) as refused:
        services.protection_draft_plan(
            actor=world.officer_a, case=case, data=plan(start="2000-01-01", end="2000-02-01")
        )
    assert codes(refused.value) == {"start": ["before_timeline"], "end": ["before_timeline"]}
    assert clock.localdate(case.received_at).strftime("%d/%m/%Y") in str(refused.value)
    case.refresh_from_db()
    assert case.state == State.ASSESSING and not case.assessments.filter(form="04").exists()


def test_form_04_cannot_end_before_it_starts(world, frozen):
    case = assessed_specifically(world)
    with pytest.raises(ValidationError) as refused:
        services.protection_draft_plan(actor=world.officer_a, case=case, data=plan(starts_in=30, days=-10))
    assert codes(refused.value) == {"end": ["ends_before_start"]}
    services.protection_draft_plan(actor=world.officer_a, case=case, data=plan())
    assert case.state == State.PLAN_DRAFTED


def test_every_missing_field_of_a_form_is_named_at_once(world, frozen):
    case = taken_up(world)
    with pytest.raises(ValidationError) as refused:
        services.protection_assess_initial(actor=world.officer_a, case=case, data={"harm": "severe"})
    assert set(field_errors(refused.value)) == {"harm", "danger", "abuser_access", "verification"}


# --- Reopening a case closed in error -------------------------------------------------------------


def test_a_report_closed_as_unfounded_in_error_is_reopened_by_the_chairman_its_clocks_restored(world, frozen):
    """The chairman reopens it with a reason: back to the commune's verification (the state it was
    closed from), audited, and the clocks the closure stopped run again from now."""
    case = taken_up(world)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Không có căn cứ", "unfounded": True}
    )
    frozen.advance(days=2)
    services.protection_reopen(actor=world.chairman_a, case=case, reason="Trường báo thêm vết bầm mới")
    case.refresh_from_db()
    assert case.state == State.WITH_COMMUNE and case.closed_at is None
    step = case.steps.latest("at")
    assert (step.action, step.from_state, step.to_state) == ("reopen_unfounded", "unfounded", "with_commune")
    assert step.note == "Trường báo thêm vết bầm mới" and step.actor == world.chairman_a
    running = Obligation.objects.filter(subject_id=case.pk, status=Status.OPEN)
    assert {o.rule for o in running} == {
        "protection.initial_assessment",
        "protection.emergency",
        "protection.plan",
        "protection.approval",
    }
    emergency = running.get(rule="protection.emergency")
    assert emergency.opened_at == frozen.at and emergency.due_at == due(frozen.at, 12, "hours")
    event = AuditEvent.objects.get(action="protection.reopen_unfounded")
    assert event.actor == world.chairman_a and event.data["closed_from"] == "with_commune"
    assert event.data["restored"] == [
        "protection.initial_assessment",
        "protection.emergency",
        "protection.plan",
        "protection.approval",
    ]
    assert Notification.objects.filter(
        organisation=world.orgs["committee_a"], kind="protection.reopen_unfounded"
    ).exists()
    # The case runs on: a new Form 02.
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**HIGH, "verification": "Có vết bầm", "emergency": True}
    )
    assert case.state == State.EMERGENCY and verify().ok


def test_a_closed_case_is_reopened_at_its_review(world, frozen):
    case = reviewed(world)
    services.protection_close(actor=world.chairman_a, case=case, reason="An toàn")
    services.protection_reopen(actor=world.provincial, case=case, reason="Đóng nhầm: trẻ vẫn bị đe dọa")
    case.refresh_from_db()
    assert case.state == State.REVIEW and case.closed_at is None
    services.protection_replan(actor=world.officer_a, case=case, reason="Lập lại kế hoạch")
    assert case.state == State.ASSESSING


def test_only_the_chairman_or_the_provincial_officer_reopens_and_only_with_a_reason(world, frozen):
    case = reviewed(world)
    with pytest.raises(Refused) as not_yet:
        services.protection_reopen(actor=world.chairman_a, case=case, reason="x")
    assert not_yet.value.code == "out_of_order"  # an open case is not reopened
    services.protection_close(actor=world.chairman_a, case=case, reason="An toàn")
    with pytest.raises(Refused) as officer:
        services.protection_reopen(actor=world.officer_a, case=case, reason="Đóng nhầm")
    assert officer.value.code == "not_your_step"
    with pytest.raises(ValidationError) as no_reason:
        services.protection_reopen(actor=world.chairman_a, case=case, reason="  ")
    assert set(field_errors(no_reason.value)) == {"reason"}
    case.refresh_from_db()
    assert case.state == State.CLOSED and not AuditEvent.objects.filter(
        action__startswith="protection.reopen"
    )


def test_a_reopened_case_opens_the_child_again_to_the_commune_of_the_incident(world, frozen):
    """The commune of the incident sees a child who lives elsewhere while the case is open (Decree 56
    art. 26(2)): again once the case is reopened."""
    child = world.child(commune=world.commune_b)
    case = report(world, child=child)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "x", "unfounded": True}
    )
    assert not Child.objects.visible_to(world.officer_a).filter(pk=child.pk).exists()
    services.protection_reopen(actor=world.provincial, case=case, reason="Kết luận vội")
    assert Child.objects.visible_to(world.officer_a).filter(pk=child.pk).exists()


# --- The next person is told -----------------------------------------------------------------------


def test_the_chairman_is_told_a_plan_awaits_approval_and_the_officer_that_it_was_approved(world, frozen):
    """Law on Children art. 52: the chairman approves the plan (Form 05); then the officer carries it out."""
    case = assessed_specifically(world)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=plan())
    drafted = Notification.objects.get(kind="protection.draft_plan")
    assert drafted.organisation == world.orgs["committee_a"] and drafted.link == f"/protection/{case.pk}/"
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="1", participants="x")
    approved = Notification.objects.get(kind="protection.approve_plan")
    assert approved.organisation == world.orgs["committee_a"] and approved.child == case.child


def test_the_commune_police_are_told_when_emergency_measures_are_needed(world, frozen):
    """Decree 56/2017 art. 26(3): within 12 hours; the commune police carry the measures out with the
    committee."""
    case = taken_up(world)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**HIGH, "verification": "x", "emergency": True}
    )
    told = set(
        Notification.objects.filter(kind="protection.assess_emergency").values_list("organisation", flat=True)
    )
    assert told == {world.orgs["committee_a"].pk, world.orgs["police_a"].pk}


def test_a_referral_and_its_answers_are_on_the_case_timeline_and_told_to_the_other_side(world, frozen):
    case = taken_up(world)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết bầm",
        consent=True,
    )
    asked = Notification.objects.get(kind="protection.refer")
    assert (
        asked.organisation == world.orgs["hospital_a"]
        and asked.link == f"/protection/referrals/{referral.pk}/"
    )
    assert asked.child is None or asked.child == case.child
    services.referral_answer(actor=world.hospital_sw, referral=referral, status="accepted")
    answered = Notification.objects.get(kind="protection.answer_referral")
    assert answered.organisation == world.orgs["committee_a"]
    assert [s.action for s in case.steps.all()] == ["report", "accept", "refer", "answer_referral"]


def test_a_separation_needs_the_view_of_a_child_of_7_heard_within_6_months(world, frozen):
    """Law on Children art. 47(5), 60(3): the shared "child heard" guard, one rule for every pathway."""
    case = taken_up(world, date_of_birth=dt.date(2015, 1, 1))
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**HIGH, "verification": "x", "emergency": True}
    )
    services.protection_hear_child(
        actor=world.officer_a,
        case=case,
        heard_on=frozen.at.date() - dt.timedelta(days=200),
        subject="Ở đâu",
        opinion="Con muốn ở với bà",
    )
    with pytest.raises(Refused) as refused:
        services.protection_emergency(
            actor=world.chairman_a, case=case, measures="m", separate=True, shelter="Nhà bà"
        )
    assert refused.value.code == "child_view_missing"
    services.protection_hear_child(
        actor=world.officer_a, case=case, heard_on=frozen.at.date(), subject="Ở đâu", opinion="Ở với bà"
    )
    services.protection_emergency(
        actor=world.chairman_a, case=case, measures="m", separate=True, shelter="Nhà bà"
    )
    assert case.steps.filter(action="hear_child").count() == 2
    assert clocks(case)["protection.separation_review"] == Status.OPEN
    assert FLOW.transitions["emergency_separation"].guards == ("protection.stands_in", "child_heard")
