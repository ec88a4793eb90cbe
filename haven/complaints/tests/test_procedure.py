"""The procedure as the Law on Complaints 2011 sets it, on the one workflow and deadline engines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.complaints import clocks, selectors, services, workflow
from haven.complaints.models import Complaint, State, Track
from haven.complaints.tests.conftest import D, accepted, at, category, received, settled
from haven.core import calendar
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep


def clock_of(complaint: Complaint, rule: str) -> Obligation:
    return Obligation.objects.get(subject_id=complaint.pk, rule=rule)


def due_day(obligation: Obligation) -> dt.date:
    """The last day of the deadline in Vietnam (a deadline at midnight ends the day before)."""
    return calendar.local_day(obligation.due_at - dt.timedelta(seconds=1))


def annotated(complaint: Complaint, day: dt.date):
    with at(day):
        return selectors.with_deadlines(Complaint.objects.filter(pk=complaint.pk)).first()


def status(complaint: Complaint, day: dt.date) -> str:
    with at(day):
        return selectors.status_of(
            selectors.with_deadlines(Complaint.objects.filter(pk=complaint.pk)).first()
        )


def test_a_complaint_is_accepted_or_refused_within_10_days_of_its_receipt(world):
    complaint = received(world, on=D(2026, 3, 2))
    acceptance = clock_of(complaint, clocks.ACCEPT)
    assert due_day(acceptance) == D(2026, 3, 12)
    assert acceptance.responsible == world.orgs["committee_a"]
    assert complaint.state == State.RECEIVED and complaint.track == Track.COMPLAINT


def test_the_10_days_run_from_the_day_it_was_received_not_from_when_it_was_typed(world):
    with at(D(2026, 3, 5)):
        complaint = services.complaint_receive(
            actor=world.officer_a,
            category=category(),
            content="Đơn gửi qua bưu điện.",
            complainant_name="Trần Văn Nam",
            complainant_address="Thôn 3",
            received_on=D(2026, 3, 2),
            channel="post",
        )
    assert due_day(clock_of(complaint, clocks.ACCEPT)) == D(2026, 3, 12)


def test_an_accepted_complaint_is_settled_within_30_days_of_its_acceptance(world):
    complaint = accepted(world, on=D(2026, 3, 2), accepted_on=D(2026, 3, 9))
    assert clock_of(complaint, clocks.ACCEPT).status == Status.MET
    settle = clock_of(complaint, clocks.SETTLE)
    assert due_day(settle) == D(2026, 4, 8)
    assert settle.responsible == world.orgs["committee_a"]


def test_a_complicated_case_has_45_days_counted_from_the_same_acceptance(world):
    complaint = accepted(world, on=D(2026, 3, 2), accepted_on=D(2026, 3, 9))
    with at(D(2026, 3, 20)):
        services.complaint_extend(
            actor=world.chairman_a, complaint=complaint, reason="Phải xác minh tại hai đơn vị."
        )
    assert clock_of(complaint, clocks.SETTLE).status == Status.CANCELLED
    assert due_day(clock_of(complaint, clocks.SETTLE_COMPLICATED)) == D(2026, 4, 23)
    complaint.refresh_from_db()
    with at(D(2026, 3, 21)), pytest.raises(Refused) as refused:
        services.complaint_extend(actor=world.chairman_a, complaint=complaint, reason="Lần nữa")
    assert refused.value.code == "already"


def test_in_a_remote_area_45_days_and_60_when_complicated(world):
    complaint = received(world, on=D(2026, 3, 2), remote_area=True)
    with at(D(2026, 3, 2)):
        services.complaint_accept(actor=world.officer_a, complaint=complaint, accepted_on=D(2026, 3, 2))
    assert due_day(clock_of(complaint, clocks.SETTLE_REMOTE)) == D(2026, 4, 16)
    with at(D(2026, 3, 3)):
        services.complaint_extend(actor=world.chairman_a, complaint=complaint, reason="Vụ việc phức tạp.")
    assert due_day(clock_of(complaint, clocks.SETTLE_REMOTE_COMPLICATED)) == D(2026, 5, 1)


def test_only_the_chairman_settles_the_first_time(world):
    complaint = accepted(world, on=D(2026, 3, 2))
    with at(D(2026, 3, 10)), pytest.raises(Refused) as refused:
        services.complaint_settle(
            actor=world.officer_a,
            complaint=complaint,
            decision_number="1/QĐ-UBND",
            decided_on=D(2026, 3, 10),
            outcome="upheld",
            reasons="Đúng.",
        )
    assert refused.value.code == "not_your_step"
    complaint.refresh_from_db()
    assert complaint.state == State.ACCEPTED and complaint.decision_number == ""


def test_an_appeal_after_the_decision_goes_to_the_province_with_its_own_deadlines(world):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))
    window = clock_of(complaint, clocks.APPEAL_WINDOW)
    assert due_day(window) == D(2026, 4, 19)
    with at(D(2026, 4, 1)):
        services.complaint_appeal(actor=world.provincial, complaint=complaint, appealed_on=D(2026, 4, 1))
    complaint.refresh_from_db()
    assert complaint.state == State.APPEALED and complaint.appeal_grounds == "disagrees"
    assert clock_of(complaint, clocks.APPEAL_WINDOW).status == Status.CANCELLED
    acceptance = clock_of(complaint, clocks.APPEAL_ACCEPT)
    assert acceptance.responsible == world.orgs["health_hanoi"]
    assert due_day(acceptance) == D(2026, 4, 11)
    # The commune does not take the province's steps.
    with at(D(2026, 4, 3)), pytest.raises(Refused):
        services.complaint_appeal_accept(
            actor=world.chairman_a, complaint=complaint, accepted_on=D(2026, 4, 3)
        )
    with at(D(2026, 4, 3)):
        services.complaint_appeal_accept(
            actor=world.provincial, complaint=complaint, accepted_on=D(2026, 4, 3)
        )
    second = clock_of(complaint, clocks.APPEAL_SETTLE)
    assert second.responsible == world.orgs["health_hanoi"]
    assert due_day(second) == D(2026, 5, 18)
    with at(D(2026, 5, 10)):
        services.complaint_appeal_settle(
            actor=world.provincial,
            complaint=complaint,
            decision_number="120/QĐ-UBND",
            decided_on=D(2026, 5, 10),
            outcome="partly",
            reasons="Chi trả bổ sung tháng 4.",
        )
    complaint.refresh_from_db()
    assert complaint.state == State.SETTLED_SECOND
    assert status(complaint, D(2026, 5, 11)) == selectors.DONE


def test_another_province_does_not_settle_the_second_time(world):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))
    with at(D(2026, 4, 1)), pytest.raises(Exception) as refused:
        services.complaint_appeal(
            actor=world.provincial_other, complaint=complaint, appealed_on=D(2026, 4, 1)
        )
    assert refused.type.__name__ == "NotVisible"
    complaint.refresh_from_db()
    assert complaint.state == State.SETTLED


def test_the_31st_day_after_the_decision_is_too_late(world):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))
    with at(D(2026, 4, 25)), pytest.raises(ValidationError) as refused:
        services.complaint_appeal(actor=world.officer_a, complaint=complaint, appealed_on=D(2026, 4, 20))
    assert refused.value.error_dict["appealed_on"][0].code == "too_late"
    complaint.refresh_from_db()
    assert complaint.state == State.SETTLED and complaint.appealed_on is None
    assert not Obligation.objects.filter(subject_id=complaint.pk, rule=clocks.APPEAL_ACCEPT).exists()


def test_with_no_appeal_in_time_the_first_decision_takes_effect(world):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))
    with at(D(2026, 4, 21)):
        sweep()
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED
    assert complaint.steps.filter(action="take_effect", actor=None).exists()


def test_a_complaint_not_settled_in_time_may_go_to_the_province_and_stays_breached(world):
    complaint = accepted(world, on=D(2026, 3, 2))
    with at(D(2026, 3, 20)), pytest.raises(Refused) as early:
        services.complaint_appeal(actor=world.officer_a, complaint=complaint, appealed_on=D(2026, 3, 20))
    assert early.value.code == "too_early"
    with at(D(2026, 4, 10)):
        services.complaint_appeal(actor=world.officer_a, complaint=complaint, appealed_on=D(2026, 4, 10))
    complaint.refresh_from_db()
    assert complaint.state == State.APPEALED and complaint.appeal_grounds == "not_settled"
    first = clock_of(complaint, clocks.SETTLE)
    assert first.status == Status.CANCELLED and first.closed_at > first.due_at
    assert status(complaint, D(2026, 4, 11)) == selectors.BREACHED


def test_a_complaint_settled_late_counts_as_breached(world):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 4, 15))
    settle = clock_of(complaint, clocks.SETTLE)
    assert settle.status == Status.MET and settle.closed_at > settle.due_at
    assert status(complaint, D(2026, 4, 16)) == selectors.BREACHED
    on_time = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 25))
    assert status(on_time, D(2026, 3, 26)) == selectors.DONE


def test_on_track_then_at_risk_within_the_week_then_breached(world):
    complaint = accepted(world, on=D(2026, 3, 2))  # due 1 April
    assert status(complaint, D(2026, 3, 10)) == selectors.ON_TRACK
    assert status(complaint, D(2026, 3, 27)) == selectors.AT_RISK
    assert status(complaint, D(2026, 4, 2)) == selectors.BREACHED


def test_anonymous_is_feedback_with_its_own_clock_and_cannot_be_appealed(world):
    with at(D(2026, 3, 2)):
        feedback = services.complaint_receive(
            actor=world.officer_a,
            category=category("officer_conduct"),
            content="Cán bộ xã đòi tiền khi làm hồ sơ trợ cấp.",
            received_on=D(2026, 3, 2),
            channel="phone",
        )
    assert feedback.track == Track.FEEDBACK and feedback.anonymous
    assert feedback.state == State.FEEDBACK_RECEIVED
    # 10 working days (recommended): 2 March 2026 is a Monday.
    assert due_day(clock_of(feedback, clocks.ANSWER)) == D(2026, 3, 16)
    assert not Obligation.objects.filter(subject_id=feedback.pk, rule=clocks.ACCEPT).exists()
    with at(D(2026, 3, 5)), pytest.raises(Refused) as refused:
        services.complaint_appeal(actor=world.officer_a, complaint=feedback, appealed_on=D(2026, 3, 5))
    assert refused.value.message == str(workflow.FEEDBACK_HAS_NO_APPEAL)
    with at(D(2026, 3, 6)):
        services.feedback_answer(
            actor=world.officer_a,
            complaint=feedback,
            answered_on=D(2026, 3, 6),
            answer="Đã kiểm tra hồ sơ; nhắc nhở cán bộ tiếp nhận.",
        )
    with at(D(2026, 3, 7)), pytest.raises(Refused) as refused:
        services.complaint_appeal(actor=world.officer_a, complaint=feedback, appealed_on=D(2026, 3, 7))
    assert refused.value.message == str(workflow.FEEDBACK_HAS_NO_APPEAL)
    feedback.refresh_from_db()
    assert feedback.state == State.ANSWERED and feedback.appealed_on is None


def test_a_complaint_needs_its_authors_name_and_a_way_to_answer_them(world):
    before = Complaint.objects.count()
    with at(D(2026, 3, 2)), pytest.raises(ValidationError) as refused:
        services.complaint_receive(
            actor=world.officer_a,
            category=category(),
            content="",
            complainant_name="Lê Văn An",
            received_on=D(2026, 3, 9),
        )
    fields = refused.value.error_dict
    assert {"content", "complainant_phone", "received_on"} <= set(fields)
    assert Complaint.objects.count() == before
    assert not Obligation.objects.filter(subject_type="complaints.complaint").exists()


def test_a_withdrawal_stops_every_clock(world):
    complaint = accepted(world, on=D(2026, 3, 2))
    with at(D(2026, 3, 5)):
        services.complaint_withdraw(actor=world.officer_a, complaint=complaint, reason="Đã nhận đủ tiền.")
    assert not Obligation.objects.filter(subject_id=complaint.pk, status=Status.OPEN).exists()
    complaint.refresh_from_db()
    assert complaint.state == State.WITHDRAWN


def test_at_the_second_level_the_province_not_the_commune_extends_it(world):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))
    with at(D(2026, 4, 1)):
        services.complaint_appeal(actor=world.officer_a, complaint=complaint, appealed_on=D(2026, 4, 1))
        services.complaint_appeal_accept(
            actor=world.provincial, complaint=complaint, accepted_on=D(2026, 4, 1)
        )
    with at(D(2026, 4, 2)), pytest.raises(Refused):
        services.complaint_extend(actor=world.chairman_a, complaint=complaint, reason="Phức tạp.")
    with at(D(2026, 4, 2)):
        services.complaint_extend(
            actor=world.provincial, complaint=complaint, reason="Cần xác minh tại hai xã."
        )
    assert clock_of(complaint, clocks.APPEAL_SETTLE).status == Status.CANCELLED
    assert due_day(clock_of(complaint, clocks.APPEAL_SETTLE_COMPLICATED)) == D(2026, 5, 31)
    complaint.refresh_from_db()
    assert complaint.appeal_complicated and not complaint.complicated
