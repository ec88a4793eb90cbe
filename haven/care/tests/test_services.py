"""Placements, transfers, rosters, principal caregivers, overrides and the review clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from haven.audit.models import AuditEvent
from haven.care import selectors, services
from haven.care.models import CaregiverChange, Placement, ShiftAssignment
from haven.core import calendar, clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.people.models import CircumstanceGroup, SpecialCircumstance

pytestmark = pytest.mark.django_db


def admitted(world, *, months: int = 100):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=int(months * 30.5)))
    world.involve(child, "facility_b")
    return child


def place(world, site, child, group=None, **kwargs):
    return services.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        group=group or site.older,
        started_on=kwargs.pop("started_on", clock.today()),
        reason="Tiếp nhận từ Ủy ban nhân dân xã",
        **kwargs,
    )


def test_a_placement_opens_the_six_monthly_review(world, site):
    child = admitted(world)
    placement = place(world, site, child)
    review = Obligation.objects.get(subject_id=placement.pk, rule="care.review")
    assert review.status == Status.OPEN
    # Six calendar months, to the end of the corresponding day (Civil Code 2015 art. 148(3)).
    assert review.due_at == calendar.day_end(placement.started_on + relativedelta(months=6))
    assert review.responsible == site.facility.organisation
    assert not Obligation.objects.filter(subject_id=placement.pk, rule="care.family_plan").exists()
    assert AuditEvent.objects.filter(action="care.placement_start", child_id=child.pk).exists()


def test_a_child_under_3_gets_the_family_plan_clock_which_a_plan_stops(world, site):
    child = admitted(world, months=20)
    placement = place(world, site, child)
    clock_ = Obligation.objects.get(subject_id=placement.pk, rule="care.family_plan")
    assert clock_.due_at == calendar.day_end(placement.started_on + relativedelta(months=6))
    services.placement_review(
        actor=world.facility_director,
        placement=placement,
        note="Sức khỏe tốt",
        needs_family=True,
        family_plan="Tìm gia đình nhận chăm sóc thay thế (bà ngoại)",
    )
    clock_.refresh_from_db()
    assert clock_.status == Status.MET
    # The review itself is met and the next one runs 6 months from today.
    assert (
        Obligation.objects.filter(subject_id=placement.pk, rule="care.review", status=Status.OPEN).count()
        == 1
    )


def test_overlapping_placements_are_refused_and_nothing_is_saved(world, site):
    child = admitted(world)
    place(world, site, child, started_on=clock.today() - dt.timedelta(days=10))
    with pytest.raises(Refused) as refused:
        place(world, site, child, group=site.infants, started_on=clock.today() - dt.timedelta(days=5))
    assert refused.value.code == "overlapping_placement"
    assert Placement.objects.filter(child=child).count() == 1


def test_a_full_group_refuses_with_the_reason_unless_overridden(world, site):
    first, second, third = (admitted(world, months=10) for _ in range(3))
    place(world, site, first, group=site.infants)
    place(world, site, second, group=site.infants)
    with pytest.raises(Refused) as refused:
        place(world, site, third, group=site.infants)
    assert refused.value.code == "over_capacity"
    assert "2" in refused.value.message and "Thông tư 09/2024/TT-BLĐTBXH, Điều 6" in refused.value.message
    assert not Placement.objects.filter(child=third).exists()
    # A social worker may place but not override: a clear refusal (409), not "not found".
    with pytest.raises(Refused) as not_allowed:
        services.placement_start(
            actor=world.facility_sw,
            child=third,
            form="facility_group",
            group=site.infants,
            started_on=clock.today(),
            reason="Khẩn cấp",
            override_reason="Không còn chỗ khác",
        )
    assert not_allowed.value.code == "override_not_allowed"
    placement = place(
        world, site, third, group=site.infants, override_reason="Trẻ bị bỏ rơi, tiếp nhận khẩn cấp"
    )
    assert placement.overload and placement.override_by == world.facility_director
    event = AuditEvent.objects.get(action="care.placement_start", child_id=third.pk)
    assert event.data["override"]["breaches"]
    status = next(s for s in selectors.group_statuses(site.home.groups.all()) if s.group == site.infants)
    assert status.over and status.overload_placements == 1


def test_ratio_counts_children_with_disabilities_at_the_lower_ratio(world, site):
    # The older group has one caregiver per shift: 5 children with disabilities fill it.
    children = [admitted(world, months=100) for _ in range(6)]
    for child in children:
        SpecialCircumstance.objects.create(
            child=child,
            group=CircumstanceGroup.HCDB_D,
            started_on=clock.today() - dt.timedelta(days=30),
            evidence="Giấy xác nhận khuyết tật",
            recorded_by=world.officer_a,
        )
    for child in children[:5]:
        place(world, site, child)
    with pytest.raises(Refused) as refused:
        place(world, site, children[5])
    assert refused.value.code == "over_capacity" and "2" in refused.value.message


def test_transfer_ends_one_placement_starts_the_next_and_records_the_caregiver_change(world, site):
    child = admitted(world, months=10)
    first = place(world, site, child, group=site.infants, started_on=clock.today() - dt.timedelta(days=30))
    review = Obligation.objects.get(subject_id=first.pk, rule="care.review")
    second = services.placement_transfer(
        actor=world.facility_director,
        placement=first,
        form="facility_group",
        group=site.older,
        on=clock.today(),
        reason="Chuyển nhóm theo độ tuổi",
    )
    first.refresh_from_db()
    assert first.ended_on == second.started_on == clock.today()
    change = CaregiverChange.objects.get(child=child)
    assert (change.from_name, change.to_name) == ("Nguyễn Thị Lan", "Vũ Thị Hằng")
    # The review clock keeps counting from the first day in the facility.
    moved = Obligation.objects.get(subject_id=second.pk, rule="care.review", status=Status.OPEN)
    assert moved.due_at == review.due_at
    path = selectors.care_path(world.facility_director, child)
    assert [p.pk for p in path.placements] == [first.pk, second.pk]
    assert path.current_carer == "Vũ Thị Hằng"


def test_a_family_form_is_only_by_the_chairmans_decision_and_leaving_a_facility_is_the_facilitys(world, site):
    child = admitted(world, months=20)
    placement = place(world, site, child, group=site.infants)
    for form in ("kin", "foster", "adopted"):
        with pytest.raises(Refused) as refused:
            services.placement_transfer(
                actor=world.facility_director,
                placement=placement,
                form=form,
                on=clock.today(),
                reason="Bà ngoại nhận",
            )
        assert refused.value.code == "family_by_decision"
        with pytest.raises(Refused):
            services.placement_start(
                actor=world.officer_a, child=world.child(), form=form, started_on=clock.today(), reason="x"
            )
    # The commune may see the child, but only the facility ends its placement.
    with pytest.raises(Exception):  # noqa: B017 - NotVisible (404)
        services.placement_end(actor=world.officer_a, placement=placement, on=clock.today(), reason="x")
    assert Placement.objects.get(child=child).ended_on is None


def test_handover_to_kin_care_ends_facility_clocks_and_involvement(world, site):
    from haven.care.tests.conftest import hand_over

    child = admitted(world, months=20)
    placement = place(world, site, child, group=site.infants)
    kin = hand_over(world, child)
    assert kin.form == "kin" and kin.group is None and kin.family.applicant_name == "Nguyễn Thị Tâm"
    # The facility's clocks stop; the commune's 6-monthly monitoring of the family starts.
    open_clocks = Obligation.objects.filter(child=child, status=Status.OPEN)
    assert [(o.rule, o.responsible) for o in open_clocks] == [("care.monitoring", world.orgs["committee_a"])]
    assert Obligation.objects.get(subject_id=placement.pk, rule="care.family_plan").status == Status.MET
    assert selectors.care_path(world.officer_a, child).current_carer == "Nguyễn Thị Tâm"


def test_a_caregiver_cannot_be_in_two_groups_on_the_same_shift(world, site):
    with pytest.raises(Refused) as refused:
        services.shift_assign(
            actor=world.facility_director,
            staff=site.caregivers[4],
            group=site.infants,
            shift="day",
            started_on=clock.today(),
        )
    assert refused.value.code == "shift_taken"
    assert ShiftAssignment.objects.filter(staff=site.caregivers[4]).count() == 1


def test_each_change_of_principal_caregiver_is_recorded_and_more_than_two_flags_the_child(world, site):
    child = admitted(world)
    place(world, site, child, started_on=clock.today() - dt.timedelta(days=100))
    for i, staff in enumerate([site.caregivers[3], site.caregivers[2], site.caregivers[4]]):
        services.principal_set(
            actor=world.facility_director,
            group=site.older,
            staff=staff,
            started_on=clock.today() - dt.timedelta(days=60 - 20 * i),
            reason="Nghỉ thai sản",
        )
    path = selectors.care_path(world.facility_director, child)
    assert path.changes_12m == 3 and path.unstable
    status = next(s for s in selectors.group_statuses(site.home.groups.all()) if s.group == site.older)
    assert status.changes_12m == 3 and status.stability == 3.0
    board = selectors.board(site.facility)
    assert [c for c, _n in board.unstable] == [child]
    figures = selectors.province_figures(world.hanoi)
    assert figures.changes_12m == 3 and figures.stability == 3.0


def test_the_caseload_of_social_work_staff_is_checked(world, site):
    site.facility.staff.exclude(kind="caregiver").update(is_active=False)
    child = admitted(world)
    with pytest.raises(Refused) as refused:
        place(world, site, child)
    assert "0" in refused.value.message


def test_province_figures_and_the_family_share(world, site):
    in_facility = admitted(world)
    place(world, site, in_facility)
    from haven.care.tests.conftest import hand_over

    hand_over(
        world,
        world.child(date_of_birth=clock.today() - dt.timedelta(days=900)),
        name="Lê Văn Tư",
        backdate_days=40,
    )
    figures = selectors.province_figures(world.hanoi)
    assert (figures.in_family, figures.in_facility, figures.family_share) == (1, 1, 50)
    assert figures.facilities[0].occupancy == 1
    trend = selectors.family_share_trend(world.hanoi, months=3)
    assert trend[-1]["share"] == 50 and trend[0]["facility"] == 0


def test_people_outside_the_facility_cannot_place_into_it(world, site):
    child = admitted(world)
    with pytest.raises(Exception):  # noqa: B017 - NotVisible (404)
        services.placement_start(
            actor=world.officer_a,
            child=child,
            form="facility_group",
            group=site.older,
            started_on=clock.today(),
            reason="x",
        )
    assert not Placement.objects.filter(child=child).exists()


def test_a_family_placement_is_visited_every_six_months_and_a_late_visit_escalates(world, site):
    from haven.care.tests.conftest import hand_over
    from haven.deadlines.sweep import sweep

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=900))
    placement = hand_over(world, child, kind="non_kin", name="Trần Thị Hạnh")
    visit = Obligation.objects.get(subject_id=placement.pk, rule="care.monitoring")
    # Handed over 200 days ago: the first visit, 6 months after, is past due.
    placement.started_on = clock.today() - dt.timedelta(days=200)
    placement.save(update_fields=["started_on"])
    visit.opened_at -= dt.timedelta(days=200)
    visit.due_at -= dt.timedelta(days=200)
    visit.next_escalation_at = visit.due_at
    visit.save(update_fields=["opened_at", "due_at", "next_escalation_at"])
    assert visit.due_at < clock.now()
    sweep(now=clock.now())
    visit.refresh_from_db()
    assert visit.escalation_level >= 1
    with pytest.raises(Refused):
        services.monitoring_visit(
            actor=world.officer_a,
            placement=place(world, site, admitted(world)),
            visited_on=clock.today(),
            living_conditions="x",
            health="x",
            schooling="x",
            integration="x",
        )
    services.monitoring_visit(
        actor=world.officer_a,
        placement=placement,
        visited_on=clock.today(),
        living_conditions="Nhà ở sạch sẽ, có góc học tập",
        health="Khỏe mạnh",
        schooling="Học lớp 3, kết quả khá",
        integration="Hòa đồng với gia đình và hàng xóm",
    )
    visit.refresh_from_db()
    assert visit.status == Status.MET
    following = Obligation.objects.get(subject_id=placement.pk, rule="care.monitoring", status=Status.OPEN)
    assert following.due_at == calendar.day_end(clock.today() + relativedelta(months=6))


def test_an_incident_inside_the_facility_opens_a_protection_report_and_tells_the_province(
    world, site, frozen
):
    from haven.care.models import Incident
    from haven.notifications.models import Notification

    child = admitted(world)
    place(world, site, child)
    incident = services.incident_report(
        actor=world.facility_director,
        child=child,
        kind="violence",
        occurred_at=clock.now() - dt.timedelta(hours=2),
        description="Trẻ bị một nhân viên đánh vào tay, có vết bầm",
        actions_taken="Tạm đình chỉ nhân viên, đưa trẻ đi khám",
    )
    case = incident.protection_case
    assert case.child == child and "inside_facility" in case.flags
    assert case.incident_commune == site.facility.organisation.area
    assert Notification.objects.filter(
        organisation=world.orgs["health_hanoi"], kind="protection.facility_incident", child=child
    ).exists()
    outsider = world.child()
    with pytest.raises(Refused):
        services.incident_report(
            actor=world.facility_director,
            child=outsider,
            kind="violence",
            occurred_at=clock.now(),
            description="x",
        )
    assert Incident.objects.count() == 1


def test_the_province_inspects_a_facility_against_the_checklist(world, site):
    from haven.care import checklist

    results = {item.code: "met" for item in checklist.ITEMS}
    with pytest.raises(Exception):  # noqa: B017 - NotVisible: not the facility's province
        services.inspection_record(
            actor=world.provincial_other, facility=site.facility, inspected_on=clock.today(), results=results
        )
    with pytest.raises(Exception):  # noqa: B017 - the director does not inspect his own facility
        services.inspection_record(
            actor=world.facility_director, facility=site.facility, inspected_on=clock.today(), results=results
        )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.inspection_record(
            actor=world.provincial,
            facility=site.facility,
            inspected_on=clock.today(),
            results={"location": "met"},
        )
    with pytest.raises(ValidationError):
        services.inspection_record(
            actor=world.provincial,
            facility=site.facility,
            inspected_on=clock.today(),
            results={**results, "drainage": "not_met"},
        )
    inspection = services.inspection_record(
        actor=world.provincial,
        facility=site.facility,
        inspected_on=clock.today(),
        results={**results, "drainage": "not_met"},
        findings="Cống thoát nước bị tắc; sửa trong 30 ngày",
    )
    assert inspection.not_met == ["drainage"]


def test_a_move_keeps_the_first_admission_for_the_family_plan_and_only_a_review_restarts_its_clock(
    world, site
):
    child = admitted(world, months=10)
    first = place(world, site, child, group=site.infants, started_on=clock.today() - dt.timedelta(days=90))
    plan = Obligation.objects.get(subject_id=first.pk, rule="care.family_plan")
    services.placement_review(
        actor=world.facility_director, placement=first, note="Ổn định", needs_family=True
    )
    reviewed = Obligation.objects.get(subject_id=first.pk, rule="care.review", status=Status.OPEN)
    second = services.placement_transfer(
        actor=world.facility_director,
        placement=first,
        form="facility_group",
        group=site.older,
        on=clock.today(),
        reason="Chuyển nhóm",
        override_reason="Nhóm đông",
    )
    moved_plan = Obligation.objects.get(subject_id=second.pk, rule="care.family_plan", status=Status.OPEN)
    assert (moved_plan.opened_at, moved_plan.due_at) == (plan.opened_at, plan.due_at)
    moved_review = Obligation.objects.get(subject_id=second.pk, rule="care.review", status=Status.OPEN)
    assert moved_review.due_at == reviewed.due_at


def test_a_shift_cannot_end_in_the_future_and_an_ended_shift_still_overlaps_a_new_one(world, site):
    assignment = ShiftAssignment.objects.get(staff=site.caregivers[4], group=site.older, shift="day")
    with pytest.raises(ValidationError) as future:
        services.shift_end(
            actor=world.facility_director,
            assignment=assignment,
            ended_on=clock.today() + dt.timedelta(days=3),
        )
    assert "ended_on" in str(future.value)
    services.shift_end(actor=world.facility_director, assignment=assignment, ended_on=clock.today())
    with pytest.raises(Refused) as refused:
        services.shift_assign(
            actor=world.facility_director,
            staff=site.caregivers[4],
            group=site.infants,
            shift="day",
            started_on=clock.today() - dt.timedelta(days=5),
        )
    assert refused.value.code == "shift_taken"
    services.shift_assign(
        actor=world.facility_director,
        staff=site.caregivers[4],
        group=site.infants,
        shift="day",
        started_on=clock.today(),
    )


def test_a_child_from_another_province_counts_for_the_facilitys_province(world, site):
    outsider = world.child(
        commune=world.other_province.communes().order_by("code").first(),
        date_of_birth=clock.today() - dt.timedelta(days=3000),
    )
    world.involve(outsider, "facility_b")
    place(world, site, outsider, started_on=clock.today() - dt.timedelta(days=40))
    assert selectors.province_figures(world.hanoi).in_facility == 1
    assert selectors.province_figures(world.other_province).in_facility == 0
    assert selectors.family_share_trend(world.hanoi, months=2)[-1]["facility"] == 1


def test_a_caregiver_on_shift_reports_an_incident_within_the_placement(world, site):
    from django.test import Client
    from django.urls import reverse

    child = admitted(world)
    place(world, site, child, started_on=clock.today() - dt.timedelta(days=3))
    with pytest.raises(ValidationError):
        services.incident_report(
            actor=world.caregiver_b,
            child=child,
            kind="violence",
            occurred_at=clock.now() - dt.timedelta(days=10),
            description="Trẻ bị đánh",
        )
    incident = services.incident_report(
        actor=world.caregiver_b,
        child=child,
        kind="violence",
        occurred_at=clock.now() - dt.timedelta(hours=1),
        description="Trẻ bị một trẻ lớn hơn đánh, có vết bầm ở tay",
    )
    assert incident.reported_by == world.caregiver_b
    # The button shows to the caregiver, not to the commune officer who would be refused.
    page = reverse("care:child", args=[child.pk])
    caregiver = Client()
    caregiver.force_login(world.caregiver_b)
    assert reverse("care:incident", args=[child.pk]) in caregiver.get(page).content.decode()
    officer = Client()
    officer.force_login(world.officer_a)
    assert reverse("care:incident", args=[child.pk]) not in officer.get(page).content.decode()


def test_a_staff_member_who_left_cannot_become_principal_caregiver(world, site):
    leaver = site.caregivers[3]
    services.shift_end(
        actor=world.facility_director,
        assignment=ShiftAssignment.objects.get(staff=leaver, ended_on__isnull=True),
        ended_on=clock.today(),
    )
    services.staff_deactivate(actor=world.facility_director, staff=leaver, ended_on=clock.today())
    with pytest.raises(Refused) as refused:
        services.principal_set(
            actor=world.facility_director,
            group=site.older,
            staff=leaver,
            started_on=clock.today(),
            reason="x",
        )
    assert refused.value.code == "not_caregiver"
