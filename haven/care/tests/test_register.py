"""The quarterly update of the register of alternative-care families (Decree 56/2017 art. 41;
vietnam-process.md §3.4 B2): a clock on the deadline engine for the commune, met when every family has
been confirmed or removed with its reason; the next quarter's opens; a late update escalates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care import families
from haven.care.models import FamilyStatus, RegisterUpdate
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep

from .conftest import hand_over
from .test_decisions import foster_family

pytestmark = pytest.mark.django_db


def register_clocks(status=None):
    found = Obligation.objects.filter(rule="care.register_update")
    return found.filter(status=status) if status else found


def test_the_first_family_opens_the_quarterly_clock_of_the_commune(world):
    foster_family(world)
    [update] = RegisterUpdate.objects.all()
    [obligation] = register_clocks()
    assert update.commune == world.commune_a and obligation.subject_id == update.pk
    assert obligation.child is None and obligation.responsible == world.orgs["committee_a"]
    assert (obligation.due_at - obligation.opened_at).days == 92
    foster_family(world, name="Đào Thị Phương")
    assert register_clocks().count() == 1  # one update per commune and quarter


def test_every_family_confirmed_or_removed_meets_the_clock_and_opens_the_next_quarter(world):
    kept, dropped = foster_family(world), foster_family(world, name="Đào Thị Phương")
    [first] = register_clocks()
    families.family_review(actor=world.officer_a, family=kept, keep=True)
    assert register_clocks(Status.OPEN).get() == first  # one family still to review
    with pytest.raises(Refused) as refused:
        families.family_review(actor=world.officer_a, family=kept, keep=True)
    assert refused.value.code == "unchanged"
    families.family_review(actor=world.chairman_a, family=dropped, keep=False, reason="Chuyển đi nơi khác")
    first.refresh_from_db()
    assert first.status == Status.MET
    dropped.refresh_from_db()
    assert dropped.state == FamilyStatus.REMOVED and dropped.removal_reason == "Chuyển đi nơi khác"
    assert register_clocks(Status.OPEN).count() == 1  # the next quarter, for the family still on it
    update = RegisterUpdate.objects.filter(completed_on__isnull=False).get()
    assert (update.confirmed, update.removed) == (1, 1)
    assert AuditEvent.objects.filter(action="care.family_remove", object_id=str(dropped.pk)).exists()
    # A removed family is no longer suggested nor chosen.
    with pytest.raises(Refused) as refused:
        families.family_decide(
            actor=world.chairman_a, family=dropped, child=world.child(), decision_number="12/QĐ"
        )
    assert refused.value.code == "out_of_order"


def test_removal_needs_a_reason_and_a_family_caring_for_a_child_is_ended_by_decision_first(world):
    family = foster_family(world)
    with pytest.raises(ValidationError) as error:
        families.family_review(actor=world.officer_a, family=family, keep=False, reason=" ")
    assert error.value.error_dict["reason"][0].code == "required"
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=700))
    placement = hand_over(world, child)
    with pytest.raises(Refused) as refused:
        families.family_review(actor=world.officer_a, family=placement.family, keep=False, reason="Không rõ")
    assert refused.value.code == "out_of_order" and "16" in str(refused.value.message)
    placement.family.refresh_from_db()
    assert placement.family.state == FamilyStatus.HANDED_OVER


def test_only_the_commune_reviews_its_register(world):
    family = foster_family(world)
    for persona in ("facility_director", "officer_b"):
        with pytest.raises(NotVisible):
            families.family_review(actor=world.users[persona], family=family, keep=True)
    # The province reads the register it oversees, so it is told the step is the commune's.
    with pytest.raises(Refused) as refused:
        families.family_review(actor=world.users["provincial"], family=family, keep=True)
    assert refused.value.code == "not_your_step"


def test_a_late_update_escalates(world):
    foster_family(world)
    obligation = register_clocks().get()
    sweep(now=obligation.due_at + dt.timedelta(hours=1))
    obligation.refresh_from_db()
    assert obligation.escalation_level == 1


def test_the_family_page_and_the_api_confirm_or_remove(world, client):
    kept, dropped = foster_family(world), foster_family(world, name="Đào Thị Phương")
    client.force_login(world.officer_a)
    listing = client.get("/care/families/").content.decode()
    assert "register-update" in listing
    page = client.get(f"/care/families/{kept.pk}/").content.decode()
    assert 'id="register-review"' in page
    response = client.post(f"/care/families/{kept.pk}/review/", {"keep": "1"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.confirmed_on == clock.today()
    api = ApiClient(world.officer_a)
    bad = api.post(f"/care/families/{dropped.pk}/review", {"keep": False, "reason": ""})
    assert bad.status_code == 422
    done = api.post(f"/care/families/{dropped.pk}/review", {"keep": False, "reason": "Không còn nguyện vọng"})
    assert done.status_code == 200 and done.json()["status"] == "removed"
    assert register_clocks(Status.MET).count() == 1


def test_a_due_update_shows_on_the_officers_home_and_links_to_the_register(world, client):
    foster_family(world)
    register_clocks().update(due_at=clock.now() + dt.timedelta(days=2))
    client.force_login(world.officer_a)
    home = client.get("/").content.decode()
    assert "Cập nhật hằng quý danh sách gia đình nhận chăm sóc thay thế" in home
    assert 'href="/care/families/"' in home


def test_a_family_found_not_eligible_leaves_no_update_waiting_for_nobody(world):
    # The only family of the register fails Form 11: nothing is left to review this quarter, so the
    # update is done (its clock met), not left open to escalate to the province.
    family = families.family_register(
        actor=world.officer_a,
        commune=world.commune_a,
        kind="non_kin",
        applicant_name="Cao Văn Khải",
        applicant_born_on=dt.date(1975, 6, 1),
        address="Số 4 phố Liễu Giai",
        household="",
        economic_conditions="Ổn định",
        housing="Nhà thuê",
        household_consent=True,
        no_abuse_record=True,
        health_certificate_on=clock.today() - dt.timedelta(days=30),
    )
    families.family_verify(actor=world.officer_a, family=family, eligible=False, note="Nhà ở không an toàn")
    [update] = RegisterUpdate.objects.all()
    assert update.completed_on == clock.today()
    assert list(register_clocks().values_list("status", flat=True)) == [Status.MET]


def test_when_the_last_family_left_to_review_fails_the_update_is_done_and_the_next_opens(world):
    late = families.family_register(
        actor=world.officer_a,
        commune=world.commune_a,
        kind="non_kin",
        applicant_name="Lý Thị Sen",
        applicant_born_on=dt.date(1970, 2, 3),
        address="Số 8 phố Đội Cấn",
        household="",
        economic_conditions="Ổn định",
        housing="Nhà riêng",
        household_consent=True,
        no_abuse_record=True,
        health_certificate_on=clock.today() - dt.timedelta(days=10),
    )
    kept = foster_family(world)
    families.family_review(actor=world.officer_a, family=kept, keep=True)
    assert RegisterUpdate.objects.get().completed_on is None  # the late family is still to verify
    families.family_verify(actor=world.officer_a, family=late, eligible=False, note="Không tự nguyện")
    done = RegisterUpdate.objects.get(completed_on__isnull=False)
    following = RegisterUpdate.objects.get(completed_on__isnull=True)
    assert done.completed_on == clock.today() and following.completed_on is None
    assert register_clocks(Status.OPEN).get().subject_id == following.pk
