"""The care tables (care/workflow/) by the rules they encode: each family, placement and Form 16
decision moves only by its table, keeps a timeline, and tells the next person who must act
(walkthrough D14: after Form 11 the chairman is told Form 12 is his)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.care import services, workflow
from haven.care.models import (
    CareChangeDecision,
    CareFamily,
    FamilyStatus,
    Placement,
    PlacementState,
)
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.rules import RULES
from haven.notifications.models import Notification
from haven.people.models import ChildOpinion
from haven.people.rules import child_not_heard
from haven.workflow.guards import GUARDS

from .conftest import hand_over
from .test_decisions import foster_family, second_facility
from .test_services import admitted, place

pytestmark = pytest.mark.django_db

TABLES = (workflow.FAMILIES, workflow.PLACEMENTS, workflow.DECISIONS)


def told(kind: str, organisation) -> list[str]:
    return list(
        Notification.objects.filter(kind=kind, organisation=organisation).values_list("title", flat=True)
    )


def registered(world, **kwargs) -> CareFamily:
    fields = {
        "commune": world.commune_a,
        "kind": "non_kin",
        "applicant_name": "Trần Thị Hạnh",
        "applicant_born_on": dt.date(1980, 4, 2),
        "address": "Số 5 ngõ 12 Đội Cấn",
        "household": "",
        "economic_conditions": "Ổn định",
        "housing": "Nhà riêng",
        "household_consent": True,
        "no_abuse_record": True,
        "health_certificate_on": clock.today() - dt.timedelta(days=30),
        **kwargs,
    }
    return services.family_register(actor=world.officer_a, **fields)


# --- The tables themselves --------------------------------------------------------------------------


def test_every_row_is_titled_and_names_only_registered_guards_and_known_clocks():
    for flow in TABLES:
        for action, row in flow.transitions.items():
            assert str(row.title), f"{flow.name}.{action} has no title"
            assert set(row.guards) <= set(GUARDS), f"{flow.name}.{action}"
            assert set(row.opens + row.closes + row.cancels) <= set(RULES), f"{flow.name}.{action}"


def test_the_age_7_hearing_is_the_one_shared_guard_on_every_care_decision():
    # Law on Children art. 60(3): Form 12 and Form 16 both name the one rule (people/rules.py).
    assert "child_heard" in workflow.FAMILY_TRANSITIONS["family_decide"].guards
    assert "child_heard" in workflow.DECISION_TRANSITIONS["change_decide"].guards


def test_the_family_moves_only_by_its_table_in_the_order_of_forms_08_11_12(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    family = registered(world)
    assert family.state == FamilyStatus.REGISTERED
    # Form 12 before Form 11: refused, said in the domain's words; nothing written.
    with pytest.raises(Refused) as refused:
        services.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ")
    assert (refused.value.code, refused.value.message) == ("out_of_order", str(workflow.NOT_CHOSEN))
    services.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    with pytest.raises(Refused) as refused:
        services.family_verify(actor=world.officer_a, family=family, eligible=True, note="Lần hai")
    assert refused.value.code == "out_of_order"
    services.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ")
    services.family_handover(actor=world.officer_a, family=family)
    family.refresh_from_db()
    assert family.state == FamilyStatus.HANDED_OVER
    assert list(family.steps.values_list("action", "from_state", "to_state")) == [
        ("family_register", "", "registered"),
        ("family_verify", "registered", "verified"),
        ("family_decide", "verified", "chosen"),
        ("family_handover", "chosen", "handed_over"),
    ]
    # The chairman's decision is audited against the child it gives.
    assert AuditEvent.objects.get(action="care.family_decide").child_id == child.pk


def test_a_family_found_not_eligible_is_not_told_to_the_chairman(world):
    family = registered(world)
    services.family_verify(actor=world.officer_a, family=family, eligible=False, note="Nhà không an toàn")
    family.refresh_from_db()
    assert family.state == FamilyStatus.NOT_ELIGIBLE
    assert not Notification.objects.filter(kind__startswith="care_family.").exists()


# --- The next person told -------------------------------------------------------------------------


def test_after_form_11_the_chairman_is_told_form_12_is_his(world):
    # Walkthrough D14: after Form 11 verification nothing told the chairman that Form 12 is his.
    family = registered(world, applicant_name="Lê Thị Hồng")
    services.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    [title] = told("care_family.family_verify", world.orgs["committee_a"])
    assert "Lê Thị Hồng" in title and "12" in title
    notice = Notification.objects.get(kind="care_family.family_verify")
    assert notice.link == f"/care/families/{family.pk}/"


def test_after_form_12_the_officer_is_told_to_hand_over_and_the_facility_to_prepare(world, site):
    child = admitted(world, months=30)
    place(world, site, child)
    family = foster_family(world, name="Mạc Thị Bích")
    services.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ")
    [title] = told("care_family.family_decide", world.orgs["committee_a"])
    assert "Mạc Thị Bích" in title and "15" in title
    assert told("care_family.family_decide", world.orgs["facility_b"])
    # The handover ends the facility placement the facility did not decide: it is told to let the child go.
    services.family_handover(actor=world.officer_a, family=family)
    assert told("care_placement.placement_to_family", world.orgs["facility_b"])


def test_a_placement_decided_elsewhere_tells_the_facility_and_its_own_move_does_not(world, site):
    child = admitted(world)
    first = place(world, site, child)
    assert not Notification.objects.filter(organisation=world.orgs["facility_b"]).exists()  # its own intake
    facility_c, group_c = second_facility(world)
    moved = services.placement_transfer(
        actor=world.users["provincial"],
        placement=first,
        form="facility_group",
        group=group_c,
        on=clock.today(),
        reason="Sở Y tế điều chuyển",
    )
    assert told("care_placement.placement_move_in", facility_c.organisation)
    assert told("care_placement.placement_transfer", world.orgs["facility_b"])
    # A move inside facility C by its own director tells no one.
    director_c = User.objects.get(username="director_c")
    before = Notification.objects.count()
    other = services.group_add(actor=director_c, home=group_c.home, name="Nhóm Hai", places=8)
    for name, shift in (("Tạ Thị Ánh", "day"), ("Lò Thị Mai", "night")):
        staff = services.staff_add(actor=director_c, facility=facility_c, full_name=name, kind="caregiver")
        services.shift_assign(
            actor=director_c, staff=staff, group=other, shift=shift, started_on=clock.today()
        )
    services.placement_transfer(
        actor=director_c,
        placement=moved,
        form="facility_group",
        group=other,
        on=clock.today(),
        reason="Nhóm phù hợp lứa tuổi",
    )
    assert Notification.objects.count() == before


def test_a_form_16_decision_tells_whoever_must_act_next(world, site):
    # Reunification of a child of commune A from facility B, decided by the province: the facility hands
    # the child over, and the child's commune supports the family the child returns to.
    child = admitted(world, months=60)
    placement = place(world, site, child)
    decision = services.care_change_decide(
        actor=world.users["provincial"],
        placement=placement,
        ground="reunification",
        decision_number="20/QĐ-SYT",
        on=clock.today(),
        note="Cha mẹ đủ điều kiện nhận lại con",
    )
    assert told("care_placement.placement_decided", world.orgs["facility_b"])
    [title] = told("care_decision.change_decide", world.orgs["committee_a"])
    assert "16" in title
    assert (
        Notification.objects.get(kind="care_decision.change_decide").link == f"/care/decisions/{decision.pk}/"
    )
    # A family chosen by the province for a child of another facility: the commune following it is told.
    other = admitted(world, months=60)
    kin = foster_family(world)
    services.care_change_decide(
        actor=world.users["provincial"],
        placement=place(world, site, other),
        ground="family_found",
        decision_number="21/QĐ-SYT",
        on=clock.today(),
        note="Gia đình nhận chăm sóc",
        form="foster",
        family=kin,
    )
    assert told("care_placement.placement_with_family", world.orgs["committee_a"])


# --- States, timelines and clocks -----------------------------------------------------------------


def test_a_family_whose_last_child_leaves_has_its_care_ended_and_may_then_leave_the_register(world):
    # Law on Children art. 69: the chairman ends kinship care by decision (Form 16); the family no longer
    # cares for a child and the quarterly update may remove it (Decree 56/2017 art. 41).
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    family = kin.family
    with pytest.raises(Refused):
        services.family_review(
            actor=world.officer_a, family=family, keep=False, reason="Không còn nguyện vọng"
        )
    services.care_change_decide(
        actor=world.chairman_a,
        placement=kin,
        ground="reunification",
        decision_number="18/QĐ-UBND",
        on=clock.today(),
        note="Mẹ đã trở về",
    )
    family.refresh_from_db()
    assert family.state == FamilyStatus.ENDED
    assert family.steps.last().action == "family_care_ended"
    services.family_review(actor=world.officer_a, family=family, keep=False, reason="Không còn nguyện vọng")
    family.refresh_from_db()
    assert family.state == FamilyStatus.REMOVED


def test_a_placement_keeps_its_timeline_and_its_state_from_start_to_end(world, site):
    child = admitted(world, months=20)
    placement = place(world, site, child)
    assert placement.state == PlacementState.IN_FACILITY
    services.placement_review(
        actor=world.facility_director, placement=placement, note="Ổn", needs_family=True
    )
    services.placement_end(
        actor=world.facility_director, placement=placement, on=clock.today(), reason="Về nhà"
    )
    placement.refresh_from_db()
    assert placement.state == PlacementState.ENDED
    assert list(placement.steps.values_list("action", flat=True)) == [
        "placement_start",
        "placement_review",
        "placement_end",
    ]
    with pytest.raises(Refused) as refused:
        services.placement_review(
            actor=world.facility_director, placement=placement, note="x", needs_family=False
        )
    assert refused.value.code == "out_of_order"


def test_a_review_without_a_family_plan_leaves_the_under_3_clock_running(world, site):
    # Notice 432 §3 (issue #4): only a family-based plan meets the under-3 clock; a review alone does not.
    from haven.deadlines.models import Obligation, Status

    placement = place(world, site, admitted(world, months=20))
    services.placement_review(
        actor=world.facility_director, placement=placement, note="Ổn", needs_family=True
    )
    plan = Obligation.objects.get(subject_id=placement.pk, rule="care.family_plan")
    assert plan.status == Status.OPEN


def test_the_care_does_not_end_before_what_is_recorded_on_it(world, site):
    # A review recorded today says the child was in the group today: the placement cannot have ended
    # the day before.
    placement = place(world, site, admitted(world), started_on=clock.today() - dt.timedelta(days=30))
    services.placement_review(
        actor=world.facility_director, placement=placement, note="Ổn", needs_family=False
    )
    with pytest.raises(ValidationError) as error:
        services.placement_end(
            actor=world.facility_director,
            placement=placement,
            on=clock.today() - dt.timedelta(days=1),
            reason="Về nhà",
        )
    assert error.value.error_dict["on"][0].code == "before_recorded"
    placement.refresh_from_db()
    assert placement.ended_on is None and placement.state == PlacementState.IN_FACILITY


@pytest.mark.parametrize(
    ("days", "code"),
    [(1, "time_in_future"), (-40, "before_timeline")],  # the placement started 30 days ago
)
def test_dates_of_a_placement_are_lawful_on_its_own_timeline(world, site, days, code):
    placement = place(world, site, admitted(world), started_on=clock.today() - dt.timedelta(days=30))
    with pytest.raises(ValidationError) as error:
        services.placement_end(
            actor=world.facility_director,
            placement=placement,
            on=clock.today() + dt.timedelta(days=days),
            reason="Về nhà",
        )
    assert error.value.error_dict["on"][0].code == code
    with pytest.raises(ValidationError) as error:
        place(world, site, admitted(world), started_on=clock.today() + dt.timedelta(days=1))
    assert error.value.error_dict["started_on"][0].code == "time_in_future"


def test_the_managing_authority_is_told_a_review_is_the_facilitys(world, site):
    # It sees the child, so it is told whose step it is rather than shown "not found".
    placement = place(world, site, admitted(world))
    with pytest.raises(Refused) as refused:
        services.placement_review(
            actor=world.users["provincial"], placement=placement, note="x", needs_family=True
        )
    assert refused.value.code == "not_your_step"


def test_a_decision_is_in_effect_with_its_timeline(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    decision = services.care_change_decide(
        actor=world.chairman_a,
        placement=kin,
        ground="reunification",
        decision_number="18/QĐ-UBND",
        on=clock.today(),
        note="Mẹ đã trở về",
    )
    decision = CareChangeDecision.objects.get(pk=decision.pk)
    assert decision.state == "in_effect"
    [step] = decision.steps.all()
    assert (step.action, step.actor, step.organisation) == (
        "change_decide",
        world.chairman_a,
        world.orgs["committee_a"],
    )
    assert list(kin.steps.values_list("action", flat=True))[-1] == "placement_decided"


def test_the_migration_gives_existing_rows_the_state_their_fields_say(world, site):
    from django.apps import apps

    migration = importlib.import_module("haven.care.migrations.0010_care_workflow_states")
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    in_group = place(world, site, admitted(world))
    ended = place(world, site, admitted(world))
    Placement.objects.filter(pk=ended.pk).update(ended_on=clock.today(), state="in_facility")
    done = foster_family(world, name="Đào Thị Phương")
    CareFamily.objects.filter(pk=done.pk).update(state="handed_over")  # handed over once, caring for none
    migration.fill_states(apps, None)
    states = dict(Placement.objects.values_list("pk", "state"))
    assert (states[kin.pk], states[in_group.pk], states[ended.pk]) == ("in_family", "in_facility", "ended")
    assert dict(CareFamily.objects.values_list("pk", "state")) == {
        kin.family_id: "handed_over",
        done.pk: "ended",
    }


# --- The step pages ---------------------------------------------------------------------------------


def test_the_family_page_offers_each_step_only_to_whoever_takes_it(world, client):
    family = registered(world)
    page = f"/care/families/{family.pk}/"
    client.force_login(world.chairman_a)
    assert f"{page}verify/" not in client.get(page).content.decode()
    response = client.get(f"{page}verify/")
    assert response.status_code == 302 and response["Location"] == page  # told the step is not open to him
    client.force_login(world.officer_a)
    assert f"{page}verify/" in client.get(page).content.decode()
    assert client.post(f"{page}verify/", {"eligible": "on", "note": "Đủ điều kiện"}).status_code == 302
    client.force_login(world.chairman_a)
    assert f"{page}decide/" in client.get(page).content.decode()


def test_the_chairman_decides_form_12_reading_what_the_officer_found_at_the_home(world, client):
    family = registered(world)
    services.family_verify(actor=world.officer_a, family=family, eligible=True, note="Nhà rộng, bà khỏe mạnh")
    client.force_login(world.chairman_a)
    body = client.get(f"/care/families/{family.pk}/decide/").content.decode()
    assert 'id="family-facts"' in body and "Nhà rộng, bà khỏe mạnh" in body and family.address in body


def test_a_refused_form_12_keeps_what_was_typed_and_says_why(world, client):
    # A child of 9 not yet heard (Law on Children art. 60(3)): the chairman is told why on the page, and
    # the decision number typed stays in the form.
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365))
    family = registered(
        world, kind="kin", relative_of=child, relationship="Bà ngoại", health_certificate_on=None
    )
    services.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    client.force_login(world.chairman_a)
    response = client.post(
        f"/care/families/{family.pk}/decide/", {"child": child.pk, "decision_number": "12/QĐ-UBND"}
    )
    body = response.content.decode()
    said = escape(child_not_heard(child, clock.today()))  # the one rule (people/rules.py)
    assert response.status_code == 200 and 'value="12/QĐ-UBND"' in body and said in body
    family.refresh_from_db()
    assert family.state == FamilyStatus.VERIFIED
    ChildOpinion.objects.create(
        child=child,
        heard_on=clock.today(),
        subject="Nơi ở",
        opinion="Cháu muốn ở với bà",
        recorded_by=world.officer_a,
    )
    assert (
        client.post(
            f"/care/families/{family.pk}/decide/", {"child": child.pk, "decision_number": "12/QĐ-UBND"}
        ).status_code
        == 302
    )
    family.refresh_from_db()
    assert family.state == FamilyStatus.CHOSEN


def test_the_handover_page_asks_to_confirm_what_will_happen(world, client):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    family = foster_family(world)
    services.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ")
    client.force_login(world.officer_a)
    unconfirmed = client.post(f"/care/families/{family.pk}/handover/", {})
    assert unconfirmed.status_code == 200 and not Placement.objects.filter(child=child).exists()
    # The officer reads which child the chairman's decision names before handing the child over.
    assert child.full_name in unconfirmed.content.decode() and "12/QĐ" in unconfirmed.content.decode()
    done = client.post(f"/care/families/{family.pk}/handover/", {"step-confirm": "on"})
    assert done.status_code == 302 and done["Location"] == f"/care/children/{child.pk}/"
    assert Placement.objects.get(child=child).family == family
