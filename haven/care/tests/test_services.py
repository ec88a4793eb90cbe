"""Placements, transfers, rosters, principal caregivers, overrides and the review clocks."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.audit.models import AuditEvent
from haven.care import selectors, services
from haven.care.models import CaregiverChange, Placement, ShiftAssignment
from haven.core import clock
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
    assert (clock.localdate(review.due_at) - placement.started_on).days == 183
    assert review.responsible == site.facility.organisation
    assert not Obligation.objects.filter(subject_id=placement.pk, rule="care.family_plan").exists()
    assert AuditEvent.objects.filter(action="care.placement_start", child_id=child.pk).exists()


def test_a_child_under_3_gets_the_family_plan_clock_which_a_plan_stops(world, site):
    child = admitted(world, months=20)
    placement = place(world, site, child)
    clock_ = Obligation.objects.get(subject_id=placement.pk, rule="care.family_plan")
    assert (clock.localdate(clock_.due_at) - placement.started_on).days == 183
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
        services.placement_start(
            actor=world.facility_director,
            child=child,
            form="kin",
            carer_name="Nguyễn Văn Bình",
            started_on=clock.today() - dt.timedelta(days=5),
            reason="Ông nội nhận",
        )
    assert refused.value.code == "overlapping_placement"
    assert Placement.objects.filter(child=child).count() == 1


def test_a_full_group_refuses_with_the_reason_unless_overridden(world, site):
    first, second, third = (admitted(world, months=10) for _ in range(3))
    place(world, site, first, group=site.infants)
    place(world, site, second, group=site.infants)
    with pytest.raises(Refused) as refused:
        place(world, site, third, group=site.infants)
    assert refused.value.code == "over_capacity"
    assert "2" in refused.value.message and "Circular 09/2024" in refused.value.message
    assert not Placement.objects.filter(child=third).exists()
    # A social worker may place but not override.
    with pytest.raises(Exception):  # noqa: B017 - NotVisible (404)
        services.placement_start(
            actor=world.facility_sw,
            child=third,
            form="facility_group",
            group=site.infants,
            started_on=clock.today(),
            reason="Khẩn cấp",
            override_reason="Không còn chỗ khác",
        )
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


def test_transfer_to_kin_care_ends_facility_clocks_and_involvement(world, site):
    child = admitted(world, months=20)
    placement = place(world, site, child, group=site.infants)
    kin = services.placement_transfer(
        actor=world.facility_director,
        placement=placement,
        form="kin",
        carer_name="Nguyễn Thị Tâm",
        on=clock.today(),
        reason="Quyết định giao trẻ cho bà ngoại (Mẫu 12)",
    )
    assert kin.form == "kin" and kin.group is None
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
    kin = world.child()
    services.placement_start(
        actor=world.officer_a,
        child=kin,
        form="kin",
        carer_name="Lê Văn Tư",
        started_on=clock.today() - dt.timedelta(days=40),
        reason="Ông nội nhận chăm sóc",
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
    from haven.deadlines.sweep import sweep

    child = world.child()
    placement = services.placement_start(
        actor=world.officer_a,
        child=child,
        form="foster",
        carer_name="Trần Thị Hạnh",
        started_on=clock.today() - dt.timedelta(days=200),
        reason="Quyết định giao trẻ (Mẫu 12)",
    )
    visit = Obligation.objects.get(subject_id=placement.pk, rule="care.monitoring")
    assert (clock.localdate(visit.due_at) - placement.started_on).days == 183
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
    assert clock.localdate(following.due_at) == clock.today() + dt.timedelta(days=183)


def test_an_incident_inside_the_facility_opens_a_protection_report_and_tells_the_province(world, site):
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
