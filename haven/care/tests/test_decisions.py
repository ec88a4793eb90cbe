"""Form 16 (Law on Children art. 69; Decree 56/2017 art. 48(2)): the commune chairman or the facility's
managing authority ends a placement and moves the child to the next form of care as one dated
transfer; the ended placement's clocks are cancelled and the new ones start. The managing authority
(the provincial Department of Health for a provincial facility) may also end or move a facility
placement, and a move across facilities keeps its clocks and counts on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from haven.access.scoping import NotVisible
from haven.accounts.models import OrganisationKind, Role
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care import decisions, families, selectors, services, termination
from haven.care.models import CareChangeDecision, CaregiverChange, Placement
from haven.core import clock
from haven.core.errors import Refused
from haven.core.testing import OrganisationFactory, member
from haven.deadlines.models import Obligation, Status
from haven.people.models import Child, Involvement

from .conftest import hand_over
from .test_services import admitted, place

pytestmark = pytest.mark.django_db


def foster_family(world, name="Trần Văn Bình"):
    family = families.family_register(
        actor=world.officer_a,
        commune=world.commune_a,
        kind="non_kin",
        applicant_name=name,
        applicant_born_on=dt.date(1975, 6, 1),
        address="Số 9 phố Kim Mã",
        household="",
        economic_conditions="Ổn định",
        housing="Nhà riêng",
        household_consent=True,
        no_abuse_record=True,
        health_certificate_on=clock.today() - dt.timedelta(days=30),
    )
    return families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")


def clocks(placement, rule):
    return list(
        Obligation.objects.filter(subject_id=placement.pk, rule=rule).values_list("status", flat=True)
    )


def test_the_grounds_are_data_with_their_citation():
    assert {g.code for g in termination.GROUNDS} >= {"monitoring", "caregiver_request", "child_wishes"}
    for ground in termination.GROUNDS:
        with translation.override("en"):
            assert "art." in ground.citation
        with translation.override("vi"):
            assert "Điều" in ground.citation and "art." not in ground.citation


def test_the_chairman_moves_a_child_from_kin_care_to_a_foster_family_as_one_transfer(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    foster = foster_family(world)
    decision = decisions.care_change_decide(
        actor=world.chairman_a,
        placement=kin,
        ground="monitoring",
        decision_number="16/QĐ-UBND",
        on=clock.today(),
        note="Bà ngoại ốm nặng, không thể tiếp tục chăm sóc",
        form="foster",
        family=foster,
    )
    kin.refresh_from_db()
    new = decision.started
    assert kin.ended_on == new.started_on == clock.today()
    assert "16/QĐ-UBND" in kin.end_reason and new.form == "foster" and new.family == foster
    # The ended placement's monitoring clock is cancelled (not met); the new one runs.
    assert clocks(kin, "care.monitoring") == [Status.CANCELLED]
    assert clocks(new, "care.monitoring") == [Status.OPEN]
    change = CaregiverChange.objects.get(placement=new)
    assert (change.from_family, change.to_family) == (kin.family, foster)
    foster.refresh_from_db()
    assert foster.state == "handed_over" and foster.decided_child == child
    assert AuditEvent.objects.filter(action="care.change_decide", child_id=child.pk).exists()
    path = selectors.care_path(world.chairman_a, child)
    assert [p.form for p in path.placements] == ["kin", "foster"]


def test_the_managing_authority_ends_facility_care_for_a_family_which_meets_the_family_plan(world, site):
    child = admitted(world, months=20)  # under 3: the family-plan clock runs too
    placement = place(world, site, child)
    kin = families.family_register(
        actor=world.officer_a,
        commune=world.commune_a,
        kind="kin",
        applicant_name="Lê Thị Hạnh",
        applicant_born_on=dt.date(1960, 1, 1),
        address="Số 1 ngõ 2",
        household="",
        economic_conditions="",
        housing="",
        household_consent=True,
        no_abuse_record=True,
        relative_of=child,
        relationship="Bà nội",
    )
    families.family_verify(actor=world.officer_a, family=kin, eligible=True, note="Đủ điều kiện")
    decision = decisions.care_change_decide(
        actor=world.users["provincial"],
        placement=placement,
        ground="family_found",
        decision_number="16/QĐ-SYT",
        on=clock.today(),
        note="Bà nội nhận chăm sóc",
        form="kin",
        family=kin,
    )
    assert decision.organisation == world.orgs["health_hanoi"]
    assert clocks(placement, "care.review") == [Status.CANCELLED]
    # A family found for a child under 3 is what the family-plan duty asks for: met, as when the child
    # is handed over by Form 12 or moved to a family (the placement_to_family row).
    assert clocks(placement, "care.family_plan") == [Status.MET]
    assert clocks(decision.started, "care.monitoring") == [Status.OPEN]
    assert not Involvement.objects.filter(
        child=child, organisation=world.orgs["facility_b"], basis="placement", ended_at__isnull=True
    ).exists()


def test_a_decision_to_facility_care_starts_the_facility_clocks(world, site):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=400))
    kin = hand_over(world, child)
    decision = decisions.care_change_decide(
        actor=world.chairman_a,
        placement=kin,
        ground="caregiver_request",
        decision_number="17/QĐ-UBND",
        on=clock.today(),
        note="Người chăm sóc xin chấm dứt",
        form="facility_group",
        group=site.infants,
    )
    new = decision.started
    assert new.group == site.infants and new.started_on == clock.today()
    assert clocks(new, "care.review") == [Status.OPEN]
    assert clocks(new, "care.family_plan") == [Status.OPEN]
    assert clocks(kin, "care.monitoring") == [Status.CANCELLED]


def test_reunification_ends_the_care_without_a_next_form(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    kin = hand_over(world, child)
    decision = decisions.care_change_decide(
        actor=world.chairman_a,
        placement=kin,
        ground="reunification",
        decision_number="18/QĐ-UBND",
        on=clock.today(),
        note="Mẹ đã trở về, đủ điều kiện",
    )
    assert decision.started is None
    assert not Placement.objects.filter(child=child, ended_on__isnull=True).exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"ground": "not_a_ground"}, "ground", "required"),
        ({"note": ""}, "note", "required"),
        ({"form": ""}, "form", "required"),
        ({"ground": "reunification"}, "form", "not_allowed"),
        ({"on": "in two days"}, "on", "time_in_future"),
        ({"decision_number": " "}, "decision_number", "required"),
        ({"family": None}, "family", "required"),
        ({"ground": "family_found"}, "ground", "wrong_ground"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, change, field, code):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    args = {
        "ground": "monitoring",
        "decision_number": "16/QĐ-UBND",
        "on": clock.today(),
        "note": "Kết quả theo dõi",
        "form": "foster",
        "family": foster_family(world),
        **change,
    }
    if args["on"] == "in two days":
        args["on"] = clock.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        decisions.care_change_decide(actor=world.chairman_a, placement=kin, **args)
    assert error.value.error_dict[field][0].code == code
    kin.refresh_from_db()
    assert kin.ended_on is None and not CareChangeDecision.objects.exists()


def test_who_decides_by_persona(world, site):
    child = admitted(world)
    placement = place(world, site, child)
    args = {
        "placement": placement,
        "ground": "monitoring",
        "decision_number": "1",
        "on": clock.today(),
        "note": "x",
    }
    # A provincial facility: its province's Department of Health decides, nobody else.
    for persona in ("facility_director", "chairman_a", "provincial_other", "officer_a"):
        with pytest.raises(NotVisible):
            decisions.care_change_decide(actor=world.users[persona], **args, form="")
    assert decisions.may_decide(world.users["provincial"], placement)
    # A facility managed by its commune: the chairman of that commune, not the province.
    site.facility.management_level = "commune"
    site.facility.save()
    chairman_b = member("chairman_b", world.orgs["committee_b"], Role.COMMUNE_CHAIRMAN)
    assert decisions.may_decide(chairman_b, placement)
    assert not decisions.may_decide(world.users["provincial"], placement)
    assert not decisions.may_decide(world.chairman_a, placement)


def test_the_managing_authority_ends_or_moves_a_facility_placement(world, site):
    provincial = world.users["provincial"]
    child = admitted(world)
    placement = place(world, site, child)
    group = services.group_add(
        actor=world.facility_director, home=site.home, name="Nhóm Hướng Dương", places=4
    )
    services.shift_assign(
        actor=world.facility_director,
        staff=services.staff_add(
            actor=world.facility_director, facility=site.facility, full_name="Đinh Thị Yến", kind="caregiver"
        ),
        group=group,
        shift="day",
        started_on=clock.today(),
    )
    services.shift_assign(
        actor=world.facility_director,
        staff=services.staff_add(
            actor=world.facility_director, facility=site.facility, full_name="Mai Thị Xuân", kind="caregiver"
        ),
        group=group,
        shift="night",
        started_on=clock.today(),
    )
    moved = services.placement_transfer(
        actor=provincial,
        placement=placement,
        form="facility_group",
        group=group,
        on=clock.today(),
        reason="Sở Y tế điều chuyển",
    )
    assert moved.group == group
    ended = services.placement_end(actor=provincial, placement=moved, on=clock.today(), reason="Về với mẹ")
    assert ended.ended_on == clock.today()
    other = place(world, site, admitted(world))
    with pytest.raises(NotVisible):
        services.placement_end(
            actor=world.users["provincial_other"], placement=other, on=clock.today(), reason="x"
        )
    response = ApiClient(provincial).post(
        f"/care/placements/{other.pk}/end", {"on": clock.today().isoformat(), "reason": "Về với cha"}
    )
    assert response.status_code == 200
    response = ApiClient(world.users["provincial_other"]).post(
        f"/care/placements/{other.pk}/end", {"on": clock.today().isoformat(), "reason": "x"}
    )
    assert response.status_code == 404


def second_facility(world):
    """Facility C, also managed by the province of Hà Nội, in commune A."""
    org = OrganisationFactory(
        name="Trung tâm Bảo trợ C", kind=OrganisationKind.SOCIAL_PROTECTION_FACILITY, area=world.commune_a
    )
    director = member("director_c", org, Role.FACILITY_DIRECTOR)
    facility = services.facility_register(
        actor=director,
        organisation=org,
        ownership="public",
        licence_number="30/GP-SYT",
        licence_issued_on=dt.date(2020, 1, 1),
        address="Số 30 Láng Hạ",
        management_level="province",
    )
    home = services.home_add(actor=director, facility=facility, name="Nhà Sen")
    group = services.group_add(actor=director, home=home, name="Nhóm Bình Minh", places=6)
    start = clock.today() - dt.timedelta(days=30)
    for name, shift in (("Phan Thị Ngọc", "day"), ("Hồ Thị Liên", "night")):
        staff = services.staff_add(actor=director, facility=facility, full_name=name, kind="caregiver")
        services.shift_assign(actor=director, staff=staff, group=group, shift=shift, started_on=start)
        if shift == "day":
            services.principal_set(actor=director, group=group, staff=staff, started_on=start, reason="")
    services.staff_add(actor=director, facility=facility, full_name="Kiều Văn Tâm", kind="sw_officer")
    return facility, group


def test_a_move_across_facilities_keeps_the_clocks_and_counts_on_both_sides(world, site):
    child = admitted(world, months=20)
    first = place(world, site, child, started_on=clock.today() - dt.timedelta(days=40))
    review = Obligation.objects.get(subject_id=first.pk, rule="care.review")
    plan = Obligation.objects.get(subject_id=first.pk, rule="care.family_plan")
    facility_c, group_c = second_facility(world)
    before_b = selectors.board(site.facility).occupancy
    moved = services.placement_transfer(
        actor=world.users["provincial"],
        placement=first,
        form="facility_group",
        group=group_c,
        on=clock.today(),
        reason="Chuyển cơ sở gần gia đình",
    )
    assert selectors.board(site.facility).occupancy == before_b - 1
    assert selectors.board(facility_c).occupancy == 1
    new_review = Obligation.objects.get(subject_id=moved.pk, rule="care.review", status=Status.OPEN)
    new_plan = Obligation.objects.get(subject_id=moved.pk, rule="care.family_plan", status=Status.OPEN)
    assert (new_review.opened_at, new_review.due_at) == (review.opened_at, review.due_at)
    assert new_plan.opened_at == plan.opened_at
    assert new_review.responsible == facility_c.organisation
    assert clocks(first, "care.review") == [Status.CANCELLED]
    held = Involvement.objects.filter(child=child, basis="placement", ended_at__isnull=True).values_list(
        "organisation", flat=True
    )
    assert facility_c.organisation_id in held and world.orgs["facility_b"].pk not in held
    figures = selectors.province_figures(world.hanoi)
    assert figures.in_facility == sum(r.occupancy for r in figures.facilities)


def test_form16_pages_and_api(world, client):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    foster = foster_family(world)
    client.force_login(world.chairman_a)
    assert (
        f"/care/placements/{kin.pk}/decision/" in client.get(f"/care/children/{child.pk}/").content.decode()
    )
    page = client.get(f"/care/placements/{kin.pk}/decision/")
    assert page.status_code == 200 and "Luật Trẻ em, Điều 69" in page.content.decode()
    refused = client.post(
        f"/care/placements/{kin.pk}/decision/",
        {
            "ground": "monitoring",
            "decision_number": "16/QĐ",
            "on": clock.today().isoformat(),
            "form": "foster",
        },
    )
    assert refused.status_code == 200 and not CareChangeDecision.objects.exists()
    response = client.post(
        f"/care/placements/{kin.pk}/decision/",
        {
            "ground": "monitoring",
            "decision_number": "16/QĐ-UBND",
            "on": clock.today().isoformat(),
            "note": "Kết quả theo dõi",
            "form": "foster",
            "family": str(foster.pk),
        },
    )
    decision = CareChangeDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/care/decisions/{decision.pk}/"
    printed = client.get(f"/care/decisions/{decision.pk}/").content.decode()
    assert "Mẫu số 16" in printed and "16/QĐ-UBND" in printed and foster.applicant_name in printed
    client.force_login(world.facility_director)
    assert client.get(f"/care/placements/{decision.started_id}/decision/").status_code == 404

    api = ApiClient(world.chairman_a)
    body = {
        "ground": "child_wishes",
        "decision_number": "19/QĐ-UBND",
        "on": clock.today().isoformat(),
        "note": "Trẻ muốn về với bà",
        "form": "kin",
        "family_id": str(kin.family_id),
    }
    response = api.post(f"/care/placements/{decision.started_id}/decision", body)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["ground"] == "child_wishes" and "Điều 60 khoản 3" in made["citation"]  # the reader's language
    assert api.get(f"/care/decisions/{made['id']}").json()["decision_number"] == "19/QĐ-UBND"
    assert ApiClient(world.users["provincial_other"]).get(f"/care/decisions/{made['id']}").status_code == 404
    bad = api.post(f"/care/placements/{made['started_placement_id']}/decision", {**body, "ground": "x"})
    assert bad.status_code == 422


def test_the_managing_authority_decides_from_the_pages_and_the_director_cannot(world, site, client):
    child = admitted(world, months=60)  # under 7: no view to record first
    placement = place(world, site, child)
    client.force_login(world.users["provincial"])
    assert 'id="decide-link"' in client.get(f"/care/children/{child.pk}/").content.decode()
    response = client.post(
        f"/care/placements/{placement.pk}/decision/",
        {
            "ground": "reunification",
            "decision_number": "20/QĐ-SYT",
            "on": clock.today().isoformat(),
            "note": "Cha mẹ đủ điều kiện nhận lại con",
        },
    )
    decision = CareChangeDecision.objects.get()
    assert response.status_code == 302 and decision.organisation == world.orgs["health_hanoi"]
    assert "GIÁM ĐỐC SỞ Y TẾ" in client.get(f"/care/decisions/{decision.pk}/").content.decode()
    other = place(world, site, admitted(world))
    client.force_login(world.facility_director)
    assert 'id="decide-link"' not in client.get(f"/care/children/{other.child_id}/").content.decode()
    assert client.get(f"/care/placements/{other.pk}/decision/").status_code in (403, 404)
    assert not CareChangeDecision.objects.filter(ended=other).exists()


def test_a_decision_moving_a_child_between_facilities_cannot_restart_the_review_clocks(world, site):
    # A stay in facility care is one stay (Law on Children art. 47(4), 68(1)): a Form 16 move to another
    # facility keeps the 6-monthly review and the under-3 family-plan clocks where they were, as a move
    # does; otherwise each decision would postpone the escalation of a child under 3 by 6 months.
    child = admitted(world, months=20)
    first = place(world, site, child, started_on=clock.today() - dt.timedelta(days=40))
    review = Obligation.objects.get(subject_id=first.pk, rule="care.review")
    plan = Obligation.objects.get(subject_id=first.pk, rule="care.family_plan")
    facility_c, group_c = second_facility(world)
    decision = decisions.care_change_decide(
        actor=world.users["provincial"],
        placement=first,
        ground="monitoring",
        decision_number="18/QĐ-SYT",
        on=clock.today(),
        note="Cơ sở B quá tải, chuyển trẻ sang cơ sở C",
        form="facility_group",
        group=group_c,
    )
    moved = decision.started
    new_review = Obligation.objects.get(subject_id=moved.pk, rule="care.review", status=Status.OPEN)
    new_plan = Obligation.objects.get(subject_id=moved.pk, rule="care.family_plan", status=Status.OPEN)
    assert (new_review.opened_at, new_review.due_at) == (review.opened_at, review.due_at)
    assert (new_plan.opened_at, new_plan.due_at) == (plan.opened_at, plan.due_at)
    assert new_review.responsible == facility_c.organisation
    assert clocks(first, "care.review") == clocks(first, "care.family_plan") == [Status.CANCELLED]
    held = Involvement.objects.filter(child=child, basis="placement", ended_at__isnull=True).values_list(
        "organisation", flat=True
    )
    assert list(held) == [facility_c.organisation_id]


def test_a_decision_cannot_give_the_child_to_a_family_while_another_awaits_the_handover(world, site):
    # Form 12 chose family A; a Form 16 to family B would be silently undone by A's handover.
    child = admitted(world, months=40)
    placement = place(world, site, child)
    services.placement_review(
        actor=world.facility_director, placement=placement, note="Cần gia đình", needs_family=True
    )
    chosen, other = foster_family(world, name="Lương Văn An"), foster_family(world, name="Mạc Thị Bích")
    families.family_decide(actor=world.chairman_a, family=chosen, child=child, decision_number="12/QĐ-UBND")
    with pytest.raises(Refused) as refused:
        decisions.care_change_decide(
            actor=world.users["provincial"],
            placement=placement,
            ground="family_found",
            decision_number="16/QĐ-SYT",
            on=clock.today(),
            note="Gia đình B nhận chăm sóc",
            form="foster",
            family=other,
        )
    assert refused.value.code == "already_chosen"
    with pytest.raises(Refused) as refused:  # nor back to the parents while the handover is pending
        decisions.care_change_decide(
            actor=world.users["provincial"],
            placement=placement,
            ground="reunification",
            decision_number="16/QĐ-SYT",
            on=clock.today(),
            note="Mẹ nhận lại con",
        )
    assert refused.value.code == "already_chosen"
    placement.refresh_from_db()
    assert placement.ended_on is None and not CareChangeDecision.objects.exists()
    # And the other way round: a child given to a family by Form 16 is not taken from it by a handover.
    families.family_handover(actor=world.officer_a, family=chosen)
    assert Placement.objects.get(child=child, ended_on__isnull=True).family == chosen


def test_a_handover_does_not_take_the_child_from_a_family_a_decision_gave_it_to(world, site):
    # Data made before decisions checked the pending handover: the child lives with family B (Form 16)
    # while family A still awaits the handover. A's handover must not end B's care silently.
    child = admitted(world, months=40)
    placement = place(world, site, child)
    services.placement_review(
        actor=world.facility_director, placement=placement, note="Cần gia đình", needs_family=True
    )
    chosen, other = foster_family(world, name="Lương Văn An"), foster_family(world, name="Mạc Thị Bích")
    families.family_decide(actor=world.chairman_a, family=chosen, child=child, decision_number="12/QĐ-UBND")
    Placement.objects.filter(pk=placement.pk).update(ended_on=clock.today())
    given = Placement.objects.create(
        child=child,
        state="in_family",
        form="foster",
        family=other,
        carer_name=other.applicant_name,
        started_on=clock.today(),
        placed_by=world.chairman_a,
    )
    with pytest.raises(Refused) as refused:
        families.family_handover(actor=world.officer_a, family=chosen)
    assert refused.value.code == "already_chosen"
    assert Placement.objects.get(child=child, ended_on__isnull=True) == given


def test_kin_care_is_ended_by_the_chairmans_decision_not_by_the_officer(world, client):
    # Law on Children art. 69; Decree 56/2017 art. 48(2), Form 16 (vietnam-process.md §3.4 E1): the
    # commune chairman ends or changes kinship or foster care, reunification included.
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=5 * 365))
    kin = hand_over(world, child)
    with pytest.raises(Refused) as refused:
        services.placement_end(actor=world.officer_a, placement=kin, on=clock.today(), reason="Về với mẹ")
    assert refused.value.code == "by_decision"
    api = ApiClient(world.officer_a).post(
        f"/care/placements/{kin.pk}/end", {"on": clock.today().isoformat(), "reason": "Về với mẹ"}
    )
    assert api.status_code == 409 and api.json()["code"] == "by_decision"
    client.force_login(world.officer_a)
    page = client.post(
        f"/care/placements/{kin.pk}/end/",
        {"on": clock.today().isoformat(), "reason": "Về với mẹ", "step-confirm": "on"},
    )
    assert page.status_code == 200 and refused.value.message in page.content.decode()
    kin.refresh_from_db()
    assert kin.ended_on is None


def test_kin_care_of_a_young_person_who_turned_16_ends_without_a_decision(world):
    # A child is a person under 16 (Law on Children art. 1): alternative care ends with childhood.
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=5 * 365))
    kin = hand_over(world, child)
    # Years later (the birth date moved back rather than the clock forward): the child has turned 16.
    type(child).objects.filter(pk=child.pk).update(
        date_of_birth=clock.today() - dt.timedelta(days=16 * 365 + 10)
    )
    kin.refresh_from_db()
    kin.child.refresh_from_db()
    ended = services.placement_end(
        actor=world.officer_a, placement=kin, on=clock.today(), reason="Đủ 16 tuổi"
    )
    assert ended.ended_on == clock.today()


def test_a_child_of_7_or_over_is_heard_before_any_decision_changing_the_care(world, site, client):
    # Law on Children art. 60(3): a child aged 7 or over must be consulted — also on a move to another
    # facility or a return to the parents, not only when a family is chosen (Form 12's check).
    from haven.people.models import ChildOpinion

    child = admitted(world, months=100)
    placement = place(world, site, child)
    args = {
        "actor": world.users["provincial"],
        "placement": placement,
        "decision_number": "21/QĐ-SYT",
        "on": clock.today(),
        "note": "Cha mẹ đủ điều kiện nhận lại con",
    }
    with pytest.raises(Refused) as refused:
        decisions.care_change_decide(**args, ground="reunification")
    assert refused.value.code == "child_view_missing"  # the one rule: the shared "child_heard" guard
    _facility_c, group_c = second_facility(world)
    with pytest.raises(Refused):
        decisions.care_change_decide(**args, ground="monitoring", form="facility_group", group=group_c)
    client.force_login(world.users["provincial"])
    page = client.post(
        f"/care/placements/{placement.pk}/decision/",
        {
            "ground": "reunification",
            "decision_number": "21/QĐ-SYT",
            "on": clock.today().isoformat(),
            "note": "x",
        },
    )
    assert page.status_code == 200 and refused.value.message in page.content.decode()
    placement.refresh_from_db()
    assert placement.ended_on is None and not CareChangeDecision.objects.exists()
    ChildOpinion.objects.create(
        child=child,
        heard_on=clock.today(),
        subject="Về với cha mẹ",
        opinion="Cháu muốn về nhà",
        recorded_by=world.officer_a,
    )
    decision = decisions.care_change_decide(**args, ground="reunification")
    assert decision.started is None


def test_the_commune_that_followed_the_family_stops_seeing_the_child_when_the_care_ends(world, site, client):
    # A child of commune B handed to a family living in commune A: commune A follows the family and so
    # sees the child; once the chairman of A ends that care (Form 16), A no longer sees the child — as a
    # facility stops seeing a child who left it — but still reads the decision it issued.
    child = world.child(commune=world.commune_b, date_of_birth=clock.today() - dt.timedelta(days=4 * 365))
    world.involve(child, "facility_b")
    place(world, site, child)
    kin = hand_over(world, child, kind="non_kin")
    assert Child.objects.visible_to(world.officer_a).filter(pk=child.pk).exists()
    client.force_login(world.chairman_a)
    response = client.post(
        f"/care/placements/{kin.pk}/decision/",
        {
            "ground": "reunification",
            "decision_number": "22/QĐ-UBND",
            "on": clock.today().isoformat(),
            "note": "Mẹ đã đủ điều kiện nuôi con",
        },
    )
    decision = CareChangeDecision.objects.get()
    assert response.status_code == 302
    for user in (world.officer_a, world.chairman_a):
        assert not Child.objects.visible_to(user).filter(pk=child.pk).exists()
    assert client.get(f"/care/decisions/{decision.pk}/").status_code == 200
    assert ApiClient(world.chairman_a).get(f"/care/decisions/{decision.pk}").status_code == 200
    assert ApiClient(world.officer_a).get(f"/care/decisions/{decision.pk}").status_code == 404
    # The child's own commune still sees the child.
    assert Child.objects.visible_to(world.users["officer_b"]).filter(pk=child.pk).exists()


def test_the_managing_authority_moves_a_placed_child_but_does_not_admit_a_new_one(world, site):
    # Admission into a facility is the facility's own act (its intake); the managing authority moves
    # or ends a child's facility care, or decides by Form 16 — it does not place a child from home.
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=5 * 365))
    payload = {
        "form": "facility_group",
        "group_id": site.older.pk,
        "started_on": clock.today().isoformat(),
        "reason": "Tiếp nhận",
    }
    for persona in ("provincial", "chairman_a"):
        response = ApiClient(world.users[persona]).post(f"/care/children/{child.pk}/placements", payload)
        assert response.status_code == 404
        with pytest.raises(NotVisible):
            services.placement_start(
                actor=world.users[persona],
                child=child,
                form="facility_group",
                group=site.older,
                started_on=clock.today(),
                reason="Tiếp nhận",
            )
    assert not Placement.objects.filter(child=child).exists()


def test_the_api_takes_the_facts_of_a_decision_over_several_lines_as_the_page_does(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = hand_over(world, child)
    response = ApiClient(world.chairman_a).post(
        f"/care/placements/{kin.pk}/decision",
        {
            "ground": "reunification",
            "decision_number": "23/QĐ-UBND",
            "on": clock.today().isoformat(),
            "note": "Mẹ đã có việc làm ổn định.\nNhà ở an toàn, trẻ muốn về với mẹ.",
        },
    )
    assert response.status_code == 201
    assert CareChangeDecision.objects.get().note.count("\n") == 1


def test_a_decision_cannot_take_effect_before_a_visit_already_recorded_on_the_placement(world):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    clock.set_offset(dt.timedelta(days=-20))
    kin = hand_over(world, child)
    clock.set_offset(dt.timedelta(0))
    services.monitoring_visit(
        actor=world.officer_a,
        placement=kin,
        visited_on=clock.today() - dt.timedelta(days=2),
        living_conditions="Ổn định",
        health="Khoẻ",
        schooling="Đi học đều",
        integration="Hoà nhập tốt",
    )
    with pytest.raises(ValidationError) as error:
        decisions.care_change_decide(
            actor=world.chairman_a,
            placement=kin,
            ground="reunification",
            decision_number="19/QĐ-UBND",
            on=clock.today() - dt.timedelta(days=10),
            note="Mẹ đã trở về",
        )
    assert error.value.error_dict["on"][0].code == "before_recorded"
    kin.refresh_from_db()
    assert kin.ended_on is None and not CareChangeDecision.objects.exists()
