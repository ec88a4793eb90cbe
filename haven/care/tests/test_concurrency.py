"""Two placements racing for a group's last place, each in its own thread and database connection: the
group (and facility) row locks in capacity.placement_breaches make one wait for the other, so one wins and
the other is refused with the reason — never both placed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from haven.care import services
from haven.care.models import Placement
from haven.core import clock
from haven.core.errors import Refused

from .conftest import build_site


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_placements_racing_for_the_last_place_one_wins_one_is_refused(world):
    site = build_site(world)
    services.group_places_set(actor=world.facility_director, group=site.older, places=1)
    children = [world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365)) for _ in range(2)]
    for child in children:
        world.involve(child, "facility_b")
    start = threading.Barrier(2)
    placed, refused, errors = [], [], []

    def run(child) -> None:
        try:
            start.wait()
            placed.append(
                services.placement_start(
                    actor=world.facility_director,
                    child=child,
                    form="facility_group",
                    group=site.older,
                    started_on=clock.today(),
                    reason="Tiếp nhận",
                )
            )
        except Refused as error:
            refused.append(error)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(child,)) for child in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(placed) == 1 and len(refused) == 1
    assert refused[0].code == "over_capacity" and "1" in refused[0].message
    assert Placement.objects.filter(group=site.older, ended_on__isnull=True).count() == 1


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_placement_and_a_room_change_racing_for_the_last_bed_one_wins_one_is_refused(world):
    # A new placement into a room (placement_start) and a child already placed moved into the same room
    # (room_assign) count its beds under the same lock: the room's.
    site = build_site(world)
    room = services.room_add(actor=world.facility_director, home=site.home, name="Phòng 1", places=1)
    children = [world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365)) for _ in range(2)]
    for child in children:
        world.involve(child, "facility_b")
    already = services.placement_start(
        actor=world.facility_director,
        child=children[1],
        form="facility_group",
        group=site.older,
        started_on=clock.today(),
        reason="Tiếp nhận",
    )
    start = threading.Barrier(2)
    done, refused, errors = [], [], []

    def run(act) -> None:
        try:
            start.wait()
            done.append(act())
        except Refused as error:
            refused.append(error)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def place():
        return services.placement_start(
            actor=world.facility_director,
            child=children[0],
            form="facility_group",
            group=site.older,
            room=room,
            started_on=clock.today(),
            reason="Tiếp nhận",
        )

    def move():
        return services.room_assign(actor=world.facility_director, placement=already, room=room)

    threads = [threading.Thread(target=run, args=(act,)) for act in (place, move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(done) == 1 and len(refused) == 1
    assert refused[0].code == "over_capacity"
    assert Placement.objects.filter(room=room, ended_on__isnull=True).count() == 1
