"""Pages of family-like care: who is refused first, then what each role sees and does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.care.models import Placement
from haven.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_outsiders_are_refused_the_board_and_placing(world, site, as_user):
    board = reverse("care:board", args=[site.facility.pk])
    place = reverse("care:place", args=[site.older.pk])
    for user in (world.provincial_other, world.analyst, world.nobody):
        assert as_user(user).get(board).status_code in (302, 403, 404)
    # The commune of the facility sees its figures, not the names of children of other communes.
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3000))
    world.involve(child, "facility_b")
    from haven.care import services

    services.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        group=site.older,
        started_on=clock.today(),
        reason="Tiếp nhận",
    )
    page = as_user(world.officer_b).get(board).content.decode()
    # The full name and the link, not the given name alone: a short given name ("Hoa") may be part of
    # a caregiver's name on the roster.
    assert str(child) not in page and f"/care/children/{child.pk}/" not in page and "1 / 10" in page
    for user in (world.officer_a, world.provincial, world.caregiver_b):
        assert as_user(user).get(place).status_code in (403, 404)


def test_the_director_places_a_child_and_sees_the_full_group_warning(
    world, site, as_user, django_assert_max_num_queries
):
    client = as_user(world.facility_director)
    children = []
    for _ in range(3):
        child = world.child(date_of_birth=clock.today() - dt.timedelta(days=200))
        world.involve(child, "facility_b")
        children.append(child)
    url = reverse("care:place", args=[site.infants.pk])
    for child in children[:2]:
        response = client.post(
            url, {"child": child.pk, "started_on": clock.today().isoformat(), "reason": "Tiếp nhận khẩn cấp"}
        )
        assert response.status_code == 302, response.context["form"].errors
    page = client.get(url)
    assert b'id="ratio-warning"' in page.content
    refused = client.post(
        url, {"child": children[2].pk, "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"}
    )
    assert refused.status_code == 200 and "Thông tư 09/2024/TT-BLĐTBXH, Điều 6" in refused.content.decode()
    assert not Placement.objects.filter(child=children[2]).exists()
    allowed = client.post(
        url,
        {
            "child": children[2].pk,
            "started_on": clock.today().isoformat(),
            "reason": "Tiếp nhận",
            "override_reason": "Trẻ sơ sinh bị bỏ rơi, không còn cơ sở nào nhận",
        },
    )
    assert allowed.status_code == 302
    with django_assert_max_num_queries(30):
        board = client.get(reverse("care:board", args=[site.facility.pk]))
    assert board.status_code == 200
    assert "badge-danger" in board.content.decode()


def test_the_provincial_officer_sees_the_overload(world, site, as_user):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3000))
    world.involve(child, "facility_b")
    from haven.care import services

    services.group_add(actor=world.facility_director, home=site.home, name="Nhóm Một chỗ", places=1)
    services.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        group=site.older,
        started_on=clock.today(),
        reason="Tiếp nhận",
    )
    response = as_user(world.provincial).get(reverse("care:province"))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(site.facility) in body and "1 / 13" in body
    assert as_user(world.provincial_other).get(reverse("care:province")).status_code == 200
    assert (
        str(site.facility)
        not in as_user(world.provincial_other).get(reverse("care:province")).content.decode()
    )


def test_care_path_page_and_form14(world, site, as_user):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=400))
    world.involve(child, "facility_b")
    client = as_user(world.facility_director)
    client.post(
        reverse("care:place", args=[site.infants.pk]),
        {"child": child.pk, "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"},
    )
    page = client.get(reverse("care:child", args=[child.pk]))
    assert page.status_code == 200 and "Nguyễn Thị Lan" in page.content.decode()
    # The page title (browser tab, history) names no child and holds no page content.
    title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1)
    assert child.given_name not in title and "<" not in title and len(title) < 80
    form14 = client.get(reverse("care:form14", args=[site.facility.pk]))
    assert form14.status_code == 200 and child.family_name in form14.content.decode()
    assert as_user(world.officer_b).get(reverse("care:child", args=[child.pk])).status_code == 404


def test_manage_refuses_a_caregiver_in_two_groups_on_one_shift(world, site, as_user):
    client = as_user(world.facility_director)
    response = client.post(
        reverse("care:manage", args=[site.facility.pk]),
        {
            "which": "shift",
            "shift-staff": site.caregivers[4].pk,
            "shift-group": site.infants.pk,
            "shift-shift": "day",
            "shift-started_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 200 and "alert-error" in response.content.decode()


def test_inspection_page_families_pages_and_incident_page(world, site, as_user):
    from haven.care import checklist
    from haven.care.models import CareFamily, Incident, Inspection

    inspect = reverse("care:inspect", args=[site.facility.pk])
    assert as_user(world.facility_director).get(inspect).status_code in (403, 404)
    assert as_user(world.provincial_other).get(inspect).status_code in (403, 404)
    data = {"inspected_on": clock.today().isoformat(), **{f"item_{i.code}": "met" for i in checklist.ITEMS}}
    data["item_sign"] = "not_met"
    province = as_user(world.provincial)
    refused = province.post(inspect, data)
    assert refused.status_code == 200 and not Inspection.objects.exists()
    assert province.post(inspect, {**data, "findings": "Chưa có biển tên"}).status_code == 302
    assert "badge-danger" in province.get(reverse("care:board", args=[site.facility.pk])).content.decode()

    officer = as_user(world.officer_a)
    form = {
        "kind": "non_kin",
        "applicant_name": "Trần Thị Hạnh",
        "applicant_born_on": "1980-04-02",
        "address": "Số 5 ngõ 12 Đội Cấn",
        "health_certificate_on": (clock.today() - dt.timedelta(days=300)).isoformat(),
        "household_consent": "on",
        "no_abuse_record": "on",
    }
    stale = officer.post(reverse("care:families"), form)
    assert stale.status_code == 200 and not CareFamily.objects.exists()
    form["health_certificate_on"] = clock.today().isoformat()
    assert officer.post(reverse("care:families"), form).status_code == 302
    family = CareFamily.objects.get()
    assert as_user(world.officer_b).get(reverse("care:family", args=[family.pk])).status_code == 404
    page = officer.get(reverse("care:family", args=[family.pk])).content.decode()
    assert f'href="/care/families/{family.pk}/verify/"' in page

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3000))
    world.involve(child, "facility_b")
    director = as_user(world.facility_director)
    director.post(
        reverse("care:place", args=[site.older.pk]),
        {"child": child.pk, "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"},
    )
    response = director.post(
        reverse("care:incident", args=[child.pk]),
        {
            "kind": "violence",
            "occurred_at": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M"),
            "description": "Trẻ bị bạn cùng nhóm đánh",
        },
    )
    assert response.status_code == 302 and "/protection/" in response["Location"]
    assert Incident.objects.filter(child=child).exists()


def test_the_move_form_hides_the_override_from_those_without_the_right(world, site, as_user):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3000))
    world.involve(child, "facility_b")
    client = as_user(world.facility_director)
    client.post(
        reverse("care:place", args=[site.older.pk]),
        {"child": child.pk, "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"},
    )
    placement = Placement.objects.get(child=child)
    url = reverse("care:transfer", args=[placement.pk])
    assert "override_reason" in client.get(url).content.decode()
    social_worker = as_user(world.facility_sw).get(url)
    assert social_worker.status_code == 200 and "override_reason" not in social_worker.content.decode()


def test_the_board_shows_no_lower_ratio_badge_for_a_child_it_does_not_name(world, site, as_user):
    from haven.care import services
    from haven.people.models import CircumstanceGroup, SpecialCircumstance

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3000))
    world.involve(child, "facility_b")
    SpecialCircumstance.objects.create(
        child=child,
        group=CircumstanceGroup.HCDB_D,
        started_on=clock.today() - dt.timedelta(days=900),
        recorded_by=world.officer_a,
    )
    services.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        group=site.older,
        started_on=clock.today(),
        reason="Tiếp nhận",
    )
    board = reverse("care:board", args=[site.facility.pk])
    assert "badge-info" in as_user(world.facility_director).get(board).content.decode()
    assert "badge-info" not in as_user(world.officer_b).get(board).content.decode()


def test_the_manage_page_ends_a_shift_and_changes_a_groups_places(world, site, as_user):
    from haven.care.models import ShiftAssignment

    client = as_user(world.facility_director)
    url = reverse("care:manage", args=[site.facility.pk])
    page = client.get(url).content.decode()
    assert 'value="shift_end"' in page and 'value="places"' in page and 'value="principal_end"' in page
    assignment = ShiftAssignment.objects.get(staff=site.caregivers[4], group=site.older, shift="day")
    future = (clock.today() + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        url, {"which": "shift_end", "shift_end-assignment": assignment.pk, "shift_end-ended_on": future}
    )
    assert refused.status_code == 200 and "error" in refused.content.decode()
    done = client.post(
        url,
        {"which": "shift_end", "shift_end-assignment": assignment.pk, "shift_end-ended_on": clock.today()},
    )
    assert done.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == clock.today()
    client.post(url, {"which": "places", "places-group": site.older.pk, "places-places": 8})
    site.older.refresh_from_db()
    assert site.older.places == 8
