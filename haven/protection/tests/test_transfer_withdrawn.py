"""A case offered to another commune is never stuck waiting for an answer.

- The commune that offered the case withdraws an offer the other commune has not answered, with its
  reason: the other commune is told, the offer leaves its task list, and the case may be offered again.
- The other commune's answer is due within 12 hours (Haven's default: no text read sets a period; the
  same as the answer to the handover of a found child) and escalates when it is late.
- A case is not closed while an offer waits: the other commune would be left an offer it cannot take.

Refused, changing nothing: the receiving commune withdrawing (it does not read the case), a blank
reason, an offer already answered; answering an offer that was withdrawn.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from haven.access.scoping import NotVisible
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.deadlines.models import Escalation, Obligation, Status
from haven.deadlines.rules import RULES
from haven.deadlines.selectors import tasks_for
from haven.deadlines.sweep import sweep
from haven.notifications.models import Notification
from haven.protection import selectors, services
from haven.protection.models import Transfer, TransferStatus
from haven.protection.tests.factories import LOW, report

ANSWER = "protection.transfer_answer"


def answers(case) -> list[str]:
    return list(
        Obligation.objects.filter(subject_id=case.pk, rule=ANSWER)
        .order_by("opened_at", "status")
        .values_list("status", flat=True)
    )


def offered(world, case) -> Transfer:
    return services.transfer_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["committee_b"],
        reason="Gia đình chuyển đến xã B",
    )


@pytest.fixture
def case(world, frozen):
    found = report(world)
    services.protection_accept(actor=world.officer_a, case=found)
    return found


def test_the_sender_withdraws_an_unanswered_offer_and_may_offer_the_case_again(world, frozen, case):
    transfer = offered(world, case)
    # The other commune's answer is its task (it leads to the offer, not to the case it cannot read).
    task = next(o for o in tasks_for(user=world.officer_b).shown if o.rule == ANSWER)
    assert task.subject_id == case.pk and task.page == f"/protection/{case.pk}/offer/"
    with pytest.raises(Refused) as refused:  # while the offer waits, no second one
        services.transfer_request(
            actor=world.officer_a, case=case, to_organisation=world.orgs["committee_b"], reason="Lần nữa"
        )
    assert refused.value.code == "already_pending"

    with pytest.raises(NotVisible):  # the receiver answers the offer; it does not withdraw it
        services.transfer_withdraw(actor=world.officer_b, case=case, transfer=transfer, reason="Không nhận")
    with pytest.raises(ValidationError) as blank:
        services.transfer_withdraw(actor=world.officer_a, case=case, transfer=transfer, reason="  ")
    assert set(blank.value.error_dict) == {"reason"}
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING and answers(case) == [Status.OPEN]

    services.transfer_withdraw(
        actor=world.officer_a, case=case, transfer=transfer, reason="Gia đình không chuyển nhà nữa"
    )
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == TransferStatus.WITHDRAWN
    assert transfer.withdrawal_reason == "Gia đình không chuyển nhà nữa"
    assert transfer.withdrawn_by == world.officer_a
    assert case.responsible == world.orgs["committee_a"]
    # The answer is no longer due: stopped as not needed, never as met.
    assert answers(case) == [Status.CANCELLED]
    assert not [o for o in tasks_for(user=world.officer_b).shown if o.rule == ANSWER]
    told = Notification.objects.get(
        organisation=world.orgs["committee_b"], kind="protection.transfer_withdraw"
    )
    assert told.link == f"/protection/transfers/{transfer.pk}/"
    event = AuditEvent.objects.get(action="protection.transfer_withdraw")
    assert event.actor == world.officer_a and event.data["transfer"] == transfer.pk
    assert case.steps.filter(action="transfer_withdraw").get().note.endswith("Gia đình không chuyển nhà nữa")
    with pytest.raises(Refused) as late:  # nothing is left to answer
        services.transfer_answer(actor=world.officer_b, transfer=transfer, accept=True)
    assert late.value.code == "withdrawn"

    again = offered(world, case)
    assert again.status == TransferStatus.PENDING
    assert answers(case) == [Status.CANCELLED, Status.OPEN]


def test_an_answered_offer_is_not_withdrawn(world, frozen, case):
    transfer = offered(world, case)
    services.transfer_answer(actor=world.officer_b, transfer=transfer, accept=False, reason="Chưa chuyển")
    assert answers(case) == [Status.MET]
    answer = ApiClient(world.officer_a).post(
        f"/protection/{case.pk}/transfers/{transfer.pk}/withdraw", {"reason": "Nhầm xã"}
    )
    assert answer.status_code == 409 and answer.json()["code"] == "already_answered"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED


def test_the_other_communes_answer_is_due_in_12_hours_and_escalates_when_late(world, frozen, case):
    rule = RULES[ANSWER]
    assert rule.amount == 12 and rule.unit == "hours"
    with translation.override("en"):
        assert "Haven's default" in str(rule.legal_basis)
    with translation.override("vi"):
        assert "mặc định của Haven" in str(rule.legal_basis)
    offered(world, case)
    clock = Obligation.objects.get(subject_id=case.pk, rule=ANSWER)
    assert clock.responsible == world.orgs["committee_b"]
    assert clock.due_at == frozen.at + dt.timedelta(hours=12)
    sweep(now=frozen.at + dt.timedelta(hours=11, minutes=59))
    assert not Escalation.objects.filter(obligation=clock).exists()
    sweep(now=frozen.at + dt.timedelta(hours=12, minutes=1))
    late = Escalation.objects.get(obligation=clock)
    assert late.level == 1 and late.to_organisation == world.orgs["committee_b"]
    # Whoever hears of it is led to the offer (the receiving commune) or to the case (its readers).
    told = Notification.objects.get(kind="escalation", organisation=world.orgs["committee_b"])
    assert told.link == f"/protection/{case.pk}/offer/"


def test_accepting_the_offer_meets_its_deadline(world, frozen, case):
    transfer = offered(world, case)
    frozen.advance(hours=2)
    services.transfer_answer(actor=world.officer_b, transfer=transfer, accept=True)
    assert answers(case) == [Status.MET]


def test_a_case_offered_to_another_commune_is_not_closed_until_the_offer_is_settled(world, frozen, case):
    transfer = offered(world, case)
    unfounded = {**LOW, "verification": "Đã xác minh với hàng xóm", "unfounded": True}
    with pytest.raises(ValidationError) as refused:
        services.protection_assess_initial(actor=world.officer_a, case=case, data=unfounded)
    assert [e.code for e in refused.value.error_dict["__all__"]] == ["transfer_pending"]
    services.transfer_withdraw(actor=world.officer_a, case=case, transfer=transfer, reason="Không chuyển")
    services.protection_assess_initial(actor=world.officer_a, case=case, data=unfounded)
    case.refresh_from_db()
    assert case.state == "unfounded"


def test_the_withdrawal_on_the_page_and_through_the_api(world, frozen, client, case):
    url = f"/protection/{case.pk}/withdraw_transfer/"
    client.force_login(world.officer_a)
    # Offered only while an offer waits for its answer.
    assert "withdraw_transfer" not in selectors.actions_for(world.officer_a, case)
    assert client.get(url).status_code == 302  # "this step is not open to you now"
    transfer = offered(world, case)
    assert "withdraw_transfer" in selectors.actions_for(world.officer_a, case)
    assert "transfer" not in selectors.actions_for(world.officer_a, case)
    page = client.get(url)
    assert page.status_code == 200 and "confirm_text" in page.context and page.context["confirm_text"]
    # Not confirmed: nothing changes.
    client.post(url, {"reason": "Gia đình không chuyển"})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    done = client.post(url, {"reason": "Gia đình không chuyển", "step-confirm": "on"})
    assert done.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.WITHDRAWN
    detail = client.get(f"/protection/{case.pk}/")
    assert "Gia đình không chuyển" in detail.content.decode()

    # The receiver's link to the offer shows it withdrawn, with nothing to answer.
    client.force_login(world.officer_b)
    assert client.get(f"/protection/{case.pk}/offer/").url == f"/protection/transfers/{transfer.pk}/"
    shown = client.get(f"/protection/transfers/{transfer.pk}/")
    assert shown.status_code == 200 and b'name="accept"' not in shown.content
    client.force_login(world.hospital_sw)
    assert client.get(f"/protection/{case.pk}/offer/").status_code == 404

    # Through the API: a blank reason is 422; the second offer withdrawn answers the case.
    second = offered(world, case)
    api = ApiClient(world.officer_a)
    assert "withdraw_transfer" in api.get(f"/protection/{case.pk}").json()["actions"]
    path = f"/protection/{case.pk}/transfers/{second.pk}/withdraw"
    blank = api.post(path, {"reason": " "})
    assert blank.status_code == 422 and "reason" in blank.json()["fields"]
    assert ApiClient(world.officer_b).post(path, {"reason": "Không nhận"}).status_code == 404
    withdrawn = api.post(path, {"reason": "Nhầm xã"})
    assert withdrawn.status_code == 200 and "transfer" in withdrawn.json()["actions"]
    second.refresh_from_db()
    assert second.status == TransferStatus.WITHDRAWN
