"""Rooms and places: a room never holds more children than its places, unless the director overrides
it; occupancy per room on the director's board; the room must belong to the child's home and group."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care import selectors, services
from haven.care.models import Placement
from haven.core.errors import Refused

from .test_services import admitted, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(world, site):
    return services.room_add(
        actor=world.facility_director, home=site.home, name="Phòng 1", places=1, group=site.older
    )


def test_a_room_refuses_a_child_beyond_its_places_with_the_reason(world, site, room):
    first, second = admitted(world), admitted(world)
    place(world, site, first, room=room)
    with pytest.raises(Refused) as refused:
        place(world, site, second, room=room)
    assert refused.value.code == "over_capacity"
    assert "Phòng 1" in refused.value.message and "1" in refused.value.message
    assert not Placement.objects.filter(child=second).exists()


def test_the_director_overrides_a_full_room_and_it_shows_as_overload(world, site, room):
    first, second = admitted(world), admitted(world)
    place(world, site, first, room=room)
    placement = place(world, site, second, room=room, override_reason="Phòng 2 đang sửa chữa")
    assert placement.overload and placement.room == room
    event = AuditEvent.objects.get(action="care.placement_start", object_id=str(placement.pk))
    assert "Phòng 1" in event.data["override"]["breaches"][0]
    [status] = selectors.board(site.facility).homes[0].rooms
    assert (status.occupancy, status.places, status.state) == (2, 1, "over")


def test_a_social_worker_cannot_override_a_full_room(world, site, room):
    first, second = admitted(world), admitted(world)
    place(world, site, first, room=room)
    placement = place(world, site, second)
    with pytest.raises(Refused) as refused:
        services.room_assign(
            actor=world.users["facility_sw"], placement=placement, room=room, override_reason="Tạm thời"
        )
    assert refused.value.code == "override_not_allowed"
    placement.refresh_from_db()
    assert placement.room is None


def test_a_room_of_another_group_or_home_is_refused(world, site, room):
    child = admitted(world, months=10)
    with pytest.raises(ValidationError) as error:
        place(world, site, child, group=site.infants, room=room)
    assert error.value.error_dict["room"][0].code == "other_group"
    other_home = services.home_add(actor=world.facility_director, facility=site.facility, name="Nhà Mai")
    far = services.room_add(actor=world.facility_director, home=other_home, name="Phòng A", places=4)
    with pytest.raises(ValidationError) as error:
        place(world, site, child, group=site.infants, room=far)
    assert error.value.error_dict["room"][0].code == "other_home"
    assert not Placement.objects.filter(child=child).exists()


def test_a_room_cannot_shrink_below_the_children_sleeping_there(world, site):
    room = services.room_add(actor=world.facility_director, home=site.home, name="Phòng 2", places=3)
    for _ in range(2):
        place(world, site, admitted(world), room=room)
    with pytest.raises(ValidationError) as error:
        services.room_set(actor=world.facility_director, room=room, places=1)
    assert error.value.error_dict["places"][0].code == "below_occupancy"
    room.refresh_from_db()
    assert room.places == 3
    services.room_set(actor=world.facility_director, room=room, places=2, group=site.older)
    room.refresh_from_db()
    assert (room.places, room.group) == (2, site.older)


def test_group_capacity_still_holds_with_rooms(world, site):
    """The group's places are checked as before: a free room does not make room in a full group."""
    room = services.room_add(actor=world.facility_director, home=site.home, name="Phòng 3", places=5)
    for months in (10, 12):
        place(world, site, admitted(world, months=months), group=site.infants)
    with pytest.raises(Refused) as refused:
        place(world, site, admitted(world, months=11), group=site.infants, room=room)
    assert "Nhóm Sơ sinh" in refused.value.message


def test_board_page_and_api_show_occupancy_per_room(world, site, room, client):
    place(world, site, admitted(world), room=room)
    client.force_login(world.facility_director)
    page = client.get(f"/care/facilities/{site.facility.pk}/").content.decode()
    assert f'data-room="{room.pk}"' in page and "1 / 1" in page
    api = ApiClient(world.facility_director)
    board = api.get(f"/care/facilities/{site.facility.pk}").json()
    assert board["rooms"] == [
        {
            "id": room.pk,
            "home": "Nhà Hoa Sen",
            "name": "Phòng 1",
            "places": 1,
            "occupancy": 1,
            "group_id": site.older.pk,
            "state": "full",
        }
    ]
    child = admitted(world)
    response = api.post(
        f"/care/groups/{site.older.pk}/placements",
        {"child_id": str(child.pk), "room_id": room.pk, "started_on": "2026-01-05", "reason": "Tiếp nhận"},
    )
    assert response.status_code == 409 and response.json()["code"] == "over_capacity"


def test_rooms_are_added_on_the_manage_page_and_a_child_changes_room(world, site, client):
    client.force_login(world.facility_director)
    response = client.post(
        f"/care/facilities/{site.facility.pk}/manage/",
        {"which": "room", "room-home": site.home.pk, "room-name": "Phòng 5", "room-places": 2},
    )
    assert response.status_code == 302
    room = site.home.rooms.get(name="Phòng 5")
    placement = place(world, site, admitted(world))
    response = client.post(f"/care/placements/{placement.pk}/room/", {"room": room.pk})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.room == room
    assert AuditEvent.objects.filter(action="care.room_assign", object_id=str(placement.pk)).exists()


def test_rooms_through_the_api(world, site):
    api = ApiClient(world.facility_director)
    made = api.post(
        f"/care/homes/{site.home.pk}/rooms", {"name": "Phòng 7", "places": 2, "group_id": site.older.pk}
    )
    assert made.status_code == 201 and made.json()["occupancy"] == 0
    room_id = made.json()["id"]
    placement = place(world, site, admitted(world))
    assigned = api.post(f"/care/placements/{placement.pk}/room", {"room_id": room_id})
    assert assigned.status_code == 200
    assert [p["room_id"] for p in assigned.json()["placements"]] == [room_id]
    shrink = api.patch(f"/care/rooms/{room_id}", {"places": 1, "group_id": site.older.pk})
    assert shrink.status_code == 200 and shrink.json()["state"] == "full"
    assert api.patch(f"/care/rooms/{room_id}", {"places": 1, "group_id": site.infants.pk}).status_code == 422
    assert (
        ApiClient(world.users["provincial"]).patch(f"/care/rooms/{room_id}", {"places": 3}).status_code == 404
    )
