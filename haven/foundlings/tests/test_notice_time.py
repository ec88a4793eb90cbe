"""Decree 123/2015 art. 14(2): the notice is posted for 7 consecutive days before the birth of a found
child is registered. A posting time typed in by hand can neither precede the child's own timeline nor
shorten the 7 days: they count from when Haven recorded the posting until a supervisor confirms the
earlier time (walkthrough D2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.deadlines.models import Obligation
from haven.deadlines.sweep import sweep
from haven.foundlings import selectors, services
from haven.foundlings.models import State
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report


@pytest.fixture
def in_care(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    frozen.advance(days=3)
    case.refresh_from_db()
    return case


def notice_clock(case) -> Obligation:
    return Obligation.objects.get(subject_id=case.pk, rule="foundling.notice_period")


def test_a_notice_posted_before_the_child_was_found_is_refused_and_nothing_changes(world, frozen, in_care):
    with pytest.raises(ValidationError) as error:
        services.foundling_post_notice(
            actor=world.officer_a, case=in_care, posted_at=dt.datetime(2020, 1, 1, 8, tzinfo=dt.UTC)
        )
    assert error.value.error_dict["posted_at"][0].code in ("before_timeline", "time_absurd")
    in_care.refresh_from_db()
    assert in_care.state == State.TEMPORARY_CARE and in_care.notice_posted_at is None


def test_a_notice_posted_before_the_child_was_taken_into_care_is_refused(world, frozen, in_care):
    before_care = in_care.found_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        services.foundling_post_notice(actor=world.officer_a, case=in_care, posted_at=before_care)
    assert error.value.error_dict["posted_at"][0].code == "before_previous_step"


def test_a_notice_in_the_future_is_refused(world, frozen, in_care):
    with pytest.raises(ValidationError) as error:
        services.foundling_post_notice(
            actor=world.officer_a, case=in_care, posted_at=frozen.at + dt.timedelta(days=1)
        )
    assert error.value.error_dict["posted_at"][0].code == "time_in_future"


def test_a_backdated_notice_never_opens_birth_registration_early(world, frozen, in_care):
    posted = frozen.at - dt.timedelta(days=2)  # after the handover, but two days before it is recorded
    services.foundling_post_notice(actor=world.officer_a, case=in_care, posted_at=posted)
    in_care.refresh_from_db()
    assert in_care.notice_posted_at == posted  # what the officer said is kept on the notice
    assert notice_clock(in_care).opened_at == frozen.at  # but the 7 days run from the recording
    assert selectors.notice_backdated(in_care)
    frozen.advance(days=5, hours=1)  # 7 days after the typed time, 5 after the recording
    sweep(now=frozen.at)
    in_care.refresh_from_db()
    assert in_care.state == State.NOTICE_PERIOD
    assert "register_birth" not in selectors.actions_for(world.civil_status_a, in_care)
    frozen.advance(days=2)
    sweep(now=frozen.at)
    in_care.refresh_from_db()
    assert in_care.state == State.NOTICE_EXPIRED


def test_the_chairman_confirms_the_earlier_posting_time_with_a_reason(world, frozen, in_care):
    posted = frozen.at - dt.timedelta(days=2)
    services.foundling_post_notice(actor=world.officer_a, case=in_care, posted_at=posted)
    assert "confirm_notice_time" in selectors.actions_for(world.chairman_a, in_care)
    with pytest.raises(ValidationError):
        services.foundling_notice_time_confirm(actor=world.chairman_a, case=in_care, reason=" ")
    services.foundling_notice_time_confirm(
        actor=world.chairman_a, case=in_care, reason="Đã xem biên bản niêm yết có chữ ký của cán bộ"
    )
    in_care.refresh_from_db()
    assert notice_clock(in_care).opened_at == posted
    assert in_care.notice_ends_at == notice_clock(in_care).due_at
    assert AuditEvent.objects.filter(action="foundling.confirm_notice_time").exists()
    assert not selectors.notice_backdated(in_care)
    frozen.advance(days=5, hours=1)
    sweep(now=frozen.at)
    in_care.refresh_from_db()
    assert in_care.state == State.NOTICE_EXPIRED


def test_the_officer_who_typed_the_time_cannot_confirm_it(world, frozen, in_care):
    services.foundling_post_notice(
        actor=world.chairman_a, case=in_care, posted_at=frozen.at - dt.timedelta(days=1)
    )
    with pytest.raises(Refused) as refused:
        services.foundling_notice_time_confirm(actor=world.chairman_a, case=in_care, reason="Tự xác nhận")
    assert refused.value.code == "not_your_step"


def test_the_officer_may_not_confirm_a_posting_time(world, frozen, in_care):
    services.foundling_post_notice(
        actor=world.officer_a, case=in_care, posted_at=frozen.at - dt.timedelta(days=1)
    )
    with pytest.raises(Refused) as refused:
        services.foundling_notice_time_confirm(actor=world.officer_a, case=in_care, reason="Đã kiểm tra")
    assert refused.value.code == "not_your_step"


def test_the_api_confirms_a_posting_time_as_the_page_does(world, frozen, in_care):
    services.foundling_post_notice(
        actor=world.officer_a, case=in_care, posted_at=frozen.at - dt.timedelta(days=1)
    )
    url = f"/foundlings/{in_care.pk}/notice/confirm-time"
    assert ApiClient(world.officer_a).post(url, {"reason": "Đã kiểm tra"}).status_code == 409
    response = ApiClient(world.chairman_a).post(url, {"reason": "Đã kiểm tra biên bản"})
    assert response.status_code == 200
    assert notice_clock(in_care).opened_at == frozen.at - dt.timedelta(days=1)


def test_the_page_keeps_what_was_typed_when_the_posting_time_is_refused(world, client, frozen, in_care):
    client.force_login(world.officer_a)
    response = client.post(f"/foundlings/{in_care.pk}/post_notice/", {"posted_at": "01/01/2020 08:00"})
    body = response.content.decode()
    assert response.status_code == 200 and "01/01/2020 08:00" in body and "errorlist" in body
    in_care.refresh_from_db()
    assert in_care.state == State.TEMPORARY_CARE
