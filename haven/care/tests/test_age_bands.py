"""A small group kept for one age band of Circular 09/2024 art. 6 (a preschool group, a group of
school-age children) takes a child of other ages only with the director's recorded override, as a
group beyond its capacity does (walkthrough D9: a 16-year-old took the last place of the preschool
group, and the 4-year-old who belonged there was then refused)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care import services
from haven.care.models import Placement
from haven.core import clock
from haven.core.errors import Refused

from .test_services import admitted, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def preschool(world, site):
    """The older group of the site, kept for children of 18 months to under 6 years."""
    return services.group_age_band_set(actor=world.facility_director, group=site.older, age_band="young")


def sixteen(world):
    return admitted(world, months=16 * 12 + 3)


def test_a_child_outside_the_groups_ages_is_refused_with_the_reason(world, site, preschool):
    teenager = sixteen(world)
    with pytest.raises(Refused) as refused:
        place(world, site, teenager, group=preschool)
    assert refused.value.code == "over_capacity"
    assert (
        "16 tuổi" in refused.value.message
        and "(Thông tư 09/2024/TT-BLĐTBXH, Điều 6)" in refused.value.message
    )
    assert not Placement.objects.filter(child=teenager).exists()
    # A child of the group's ages is placed without a word.
    four = admitted(world, months=4 * 12)
    assert place(world, site, four, group=preschool).overload is False


def test_the_director_may_override_with_a_reason_which_is_audited(world, site, preschool):
    teenager = sixteen(world)
    with pytest.raises(Refused) as not_allowed:
        services.placement_start(
            actor=world.facility_sw,
            child=teenager,
            form="facility_group",
            group=preschool,
            started_on=clock.today(),
            reason="Tiếp nhận",
            override_reason="Chị em ruột ở chung",
        )
    assert not_allowed.value.code == "override_not_allowed"
    placement = place(world, site, teenager, group=preschool, override_reason="Ở cùng em gái 5 tuổi")
    assert placement.overload and placement.override_by == world.facility_director
    event = AuditEvent.objects.get(action="care.placement_start", child_id=teenager.pk)
    assert event.reason == "Ở cùng em gái 5 tuổi"
    assert any("Điều 6" in breach for breach in event.data["override"]["breaches"])


def test_a_group_of_mixed_ages_or_a_child_of_unknown_birth_date_is_not_refused(world, site):
    assert site.infants.age_band == ""
    place(world, site, sixteen(world), group=site.older)
    services.group_age_band_set(actor=world.facility_director, group=site.infants, age_band="infant")
    unknown = world.child(date_of_birth=None)
    world.involve(unknown, "facility_b")
    assert place(world, site, unknown, group=site.infants).overload is False


def test_the_band_is_set_by_the_facility_and_audited(world, site):
    group = services.group_add(
        actor=world.facility_director, home=site.home, name="Nhóm Mầm non", places=6, age_band="young"
    )
    assert group.age_band == "young" and group.get_age_band_display() == "từ 18 tháng đến dưới 6 tuổi"
    with pytest.raises(ValidationError):
        services.group_add(
            actor=world.facility_director, home=site.home, name="Nhóm X", places=6, age_band="old"
        )
    assert AuditEvent.objects.filter(action="care.group_add", data__age_band="young").exists()


def test_the_place_page_says_why_and_keeps_nothing(world, client, site, preschool):
    teenager = sixteen(world)
    client.force_login(world.facility_director)
    page = client.get(f"/care/groups/{preschool.pk}/place/").content.decode()
    assert "Độ tuổi" in page and "từ 18 tháng đến dưới 6 tuổi" in page
    form = {"child": teenager.pk, "started_on": clock.today().strftime("%d/%m/%Y"), "reason": "Tiếp nhận"}
    response = client.post(f"/care/groups/{preschool.pk}/place/", form)
    body = response.content.decode()
    assert response.status_code == 200 and "16 tuổi" in body and "Thông tư 09/2024/TT-BLĐTBXH, Điều 6" in body
    assert not Placement.objects.filter(child=teenager).exists()
    response = client.post(
        f"/care/groups/{preschool.pk}/place/", {**form, "override_reason": "Ở cùng em gái 5 tuổi"}
    )
    assert response.status_code == 302 and Placement.objects.get(child=teenager).overload


def test_the_api_refuses_sets_and_overrides_the_same_way(world, site):
    director = ApiClient(world.facility_director)
    assert director.patch(f"/care/groups/{site.older.pk}", {"age_band": "young"}).status_code == 200
    site.older.refresh_from_db()
    assert site.older.age_band == "young"
    teenager = sixteen(world)
    body = {"child_id": str(teenager.pk), "started_on": clock.today().isoformat(), "reason": "Tiếp nhận"}
    refused = director.post(f"/care/groups/{site.older.pk}/placements", body)
    assert refused.status_code == 409 and "16" in refused.json()["message"]
    assert not Placement.objects.filter(child=teenager).exists()
    body["override_reason"] = "Ở cùng em gái 5 tuổi"
    assert director.post(f"/care/groups/{site.older.pk}/placements", body).status_code == 201
    assert director.patch(f"/care/groups/{site.older.pk}", {"age_band": "old"}).status_code == 422
    assert director.patch(f"/care/groups/{site.older.pk}", {}).status_code == 422
    group = director.get(f"/care/facilities/{site.facility.pk}").json()["groups"]
    assert {g["name"]: g["age_band"] for g in group}["Nhóm Măng non"] == "young"


def test_a_form_16_decision_cannot_put_a_child_in_a_group_of_other_ages(world, site):
    """The commune chairman has no override: only the facility's director places beyond its norms."""
    from haven.care import decisions
    from haven.care.tests.conftest import hand_over

    infants = services.group_age_band_set(
        actor=world.facility_director, group=site.infants, age_band="infant"
    )
    three = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365 + 40))
    kin = hand_over(world, three)
    with pytest.raises(Refused):
        decisions.care_change_decide(
            actor=world.chairman_a,
            placement=kin,
            ground="caregiver_request",
            decision_number="16/QĐ-UBND",
            on=clock.today(),
            note="Bà xin thôi chăm sóc",
            form="facility_group",
            group=infants,
        )
    kin.refresh_from_db()
    assert kin.ended_on is None
