"""A family chosen by Form 12 that never takes the child does not hold the child: the commune chairman
who decided, or the province above the commune, withdraws the decision before the handover, in
writing with the reason (Haven's reading: the rule book sets the handover within 15 working days of
the decision and names no procedure for a decision that is not carried out; Form 16 ends care that
has begun). The handover deadline stops as no longer needed, never as met; the commune (which tells
the family) and the facility holding the child are told; it is audited; and the child may then be
given another family (Form 12) or another decision (Form 16).

Refused, changing nothing: the commune officer (who arranges the handover but did not decide), the
chairman of another commune, the provincial officer of another province, a blank reason, a decision
already carried out (the child handed over: only Form 16 ends that care now).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.accounts.models import Role
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care import decisions, families, services
from haven.care.models import CareChangeDecision, FamilyStatus, Placement
from haven.core import clock
from haven.core.errors import Refused
from haven.core.testing import member
from haven.deadlines.models import Obligation, Status
from haven.notifications.models import Notification

from .test_decisions import foster_family
from .test_services import admitted, place

pytestmark = pytest.mark.django_db


def handover_clocks(family) -> list[str]:
    return list(
        Obligation.objects.filter(subject_id=family.pk, rule="care.handover")
        .order_by("opened_at")
        .values_list("status", flat=True)
    )


@pytest.fixture
def waiting(world, site):
    """A child of the facility who needs a family, and the family the chairman chose for it (Form 12)."""
    child = admitted(world, months=40)
    placement = place(world, site, child)
    services.placement_review(
        actor=world.facility_director, placement=placement, note="Cần gia đình", needs_family=True
    )
    chosen = foster_family(world, name="Lương Văn An")
    families.family_decide(actor=world.chairman_a, family=chosen, child=child, decision_number="12/QĐ-UBND")
    chosen.refresh_from_db()
    return child, placement, chosen


def test_the_chairman_withdraws_a_decision_not_carried_out_and_the_child_gets_another_family(world, waiting):
    child, placement, chosen = waiting
    other = foster_family(world, name="Mạc Thị Bích")
    # Before the withdrawal the chosen family holds the child: no other family, no removal.
    with pytest.raises(Refused) as refused:
        families.family_decide(actor=world.chairman_a, family=other, child=child, decision_number="13/QĐ")
    assert refused.value.code == "already_chosen"

    families.family_withdraw(
        actor=world.chairman_a, family=chosen, reason="Gia đình ông An không còn đồng ý nhận trẻ"
    )
    chosen.refresh_from_db()
    assert chosen.state == FamilyStatus.VERIFIED
    assert chosen.withdrawn_on == clock.today() and chosen.withdrawn_by == world.chairman_a
    assert chosen.withdrawal_reason == "Gia đình ông An không còn đồng ý nhận trẻ"
    assert chosen.decision_number == "12/QĐ-UBND"  # kept on record, marked withdrawn
    # The handover is no longer due: stopped as not needed, never as met.
    assert handover_clocks(chosen) == [Status.CANCELLED]
    # The commune (which tells the family in writing) and the facility preparing the handover are told.
    told = Notification.objects.filter(kind="care_family.family_withdraw")
    assert set(told.values_list("organisation", flat=True)) == {
        world.orgs["committee_a"].pk,
        world.orgs["facility_b"].pk,
    }
    assert "Lương Văn An" in told.get(organisation=world.orgs["committee_a"]).title
    event = AuditEvent.objects.get(action="care.family_withdraw")
    assert event.actor == world.chairman_a and event.data["decision"] == "12/QĐ-UBND"
    assert event.data["to"] == FamilyStatus.VERIFIED
    step = chosen.steps.get(action="family_withdraw")
    assert step.note == "12/QĐ-UBND: Gia đình ông An không còn đồng ý nhận trẻ"

    # The child's placement goes on, and another family may be chosen; the first is chosen no longer.
    placement.refresh_from_db()
    assert placement.ended_on is None
    families.family_decide(actor=world.chairman_a, family=other, child=child, decision_number="13/QĐ-UBND")
    families.family_handover(actor=world.officer_a, family=other)
    assert Placement.objects.get(child=child, ended_on__isnull=True).family == other
    # The withdrawn family stays on the register and may be removed or chosen for another child.
    families.family_review(actor=world.officer_a, family=chosen, keep=False, reason="Không còn nguyện vọng")
    chosen.refresh_from_db()
    assert chosen.state == FamilyStatus.REMOVED


def test_after_the_withdrawal_the_child_may_return_home_by_form_16(world, waiting):
    _child, placement, chosen = waiting

    def reunify():
        return decisions.care_change_decide(
            actor=world.users["provincial"],
            placement=placement,
            ground="reunification",
            decision_number="16/QĐ-SYT",
            on=clock.today(),
            note="Mẹ đã ổn định, nhận lại con",
        )

    with pytest.raises(Refused) as refused:
        reunify()
    assert refused.value.code == "already_chosen"
    # The province withdraws the commune's decision (it manages the facility holding the child).
    families.family_withdraw(
        actor=world.users["provincial"], family=chosen, reason="Mẹ của trẻ xin nhận lại con"
    )
    decision = reunify()
    assert CareChangeDecision.objects.get() == decision
    placement.refresh_from_db()
    assert placement.ended_on == clock.today()
    assert handover_clocks(chosen) == [Status.CANCELLED]


def test_who_may_not_withdraw_and_what_cannot_be_withdrawn(world, waiting):
    _child, _placement, chosen = waiting
    chairman_b = member("chairman_b", world.orgs["committee_b"], Role.COMMUNE_CHAIRMAN)
    with pytest.raises(Refused) as refused:  # the officer arranges the handover; the chairman decided
        families.family_withdraw(actor=world.officer_a, family=chosen, reason="Nhầm")
    assert refused.value.code == "not_your_step"
    for outsider in (chairman_b, world.users["provincial_other"]):
        with pytest.raises(NotVisible):  # they do not see this family at all
            families.family_withdraw(actor=outsider, family=chosen, reason="Nhầm")
    with pytest.raises(ValidationError) as blank:
        families.family_withdraw(actor=world.chairman_a, family=chosen, reason="   ")
    assert set(blank.value.error_dict) == {"reason"}
    chosen.refresh_from_db()
    assert chosen.state == FamilyStatus.CHOSEN and chosen.withdrawn_on is None
    assert handover_clocks(chosen) == [Status.OPEN]

    families.family_handover(actor=world.officer_a, family=chosen)
    with pytest.raises(Refused) as carried_out:
        families.family_withdraw(actor=world.chairman_a, family=chosen, reason="Quá muộn")
    assert "Form 16" in carried_out.value.message or "Mẫu số 16" in carried_out.value.message
    chosen.refresh_from_db()
    assert chosen.state == FamilyStatus.HANDED_OVER and chosen.withdrawn_on is None


def test_a_family_caring_for_a_sibling_goes_back_to_caring_when_the_siblings_decision_is_withdrawn(
    world, site
):
    from haven.people.models import SiblingLink

    from .conftest import hand_over

    brother = world.child(date_of_birth=clock.today().replace(year=clock.today().year - 3))
    sister = world.child(date_of_birth=clock.today().replace(year=clock.today().year - 4))
    SiblingLink.objects.create(child=brother, sibling=sister, recorded_by=world.officer_a)
    cares = hand_over(world, brother, kind="non_kin", name="Trần Thị Hạnh").family
    families.family_decide(actor=world.chairman_a, family=cares, child=sister, decision_number="14/QĐ-UBND")
    families.family_withdraw(actor=world.chairman_a, family=cares, reason="Trẻ về ở với bà nội")
    cares.refresh_from_db()
    assert cares.state == FamilyStatus.HANDED_OVER
    assert Placement.objects.get(child=brother, ended_on__isnull=True).family == cares


def test_the_withdrawal_on_the_family_page_and_through_the_api(world, client, waiting):
    child, _placement, chosen = waiting
    url = f"/care/families/{chosen.pk}/withdraw/"
    client.force_login(world.officer_a)
    # Offered only to whoever may take it: not to the officer.
    assert url not in client.get(f"/care/families/{chosen.pk}/").content.decode()
    client.force_login(world.chairman_a)
    page = client.get(f"/care/families/{chosen.pk}/")
    assert url in page.content.decode()
    form = client.get(url)
    assert form.status_code == 200 and form.context["confirm_text"]
    client.post(url, {"reason": "Gia đình chuyển đi nơi khác"})  # not confirmed: nothing changes
    chosen.refresh_from_db()
    assert chosen.state == FamilyStatus.CHOSEN
    done = client.post(url, {"reason": "Gia đình chuyển đi nơi khác", "step-confirm": "on"})
    assert done.status_code == 302
    chosen.refresh_from_db()
    assert chosen.state == FamilyStatus.VERIFIED
    shown = client.get(f"/care/families/{chosen.pk}/").content.decode()
    assert "Gia đình chuyển đi nơi khác" in shown and url not in shown
    # The withdrawn decision is not printed as if it stood.
    client.force_login(world.facility_director)
    assert client.get(f"/care/families/{chosen.pk}/form-12.pdf").status_code == 404

    # Through the API, the family chosen again and its decision withdrawn again.
    families.family_decide(actor=world.chairman_a, family=chosen, child=child, decision_number="15/QĐ-UBND")
    api = ApiClient(world.chairman_a)
    path = f"/care/families/{chosen.pk}/withdraw"
    assert ApiClient(world.officer_a).post(path, {"reason": "Nhầm"}).status_code == 409
    blank = api.post(path, {"reason": " "})
    assert blank.status_code == 422 and "reason" in blank.json()["fields"]
    answer = api.post(path, {"reason": "Gia đình đổi ý"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "verified" and body["withdrawal_reason"] == "Gia đình đổi ý"
    assert body["decision_withdrawn_on"] == clock.today().isoformat()
    assert api.post(path, {"reason": "Lần nữa"}).status_code == 409
