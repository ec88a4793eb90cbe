"""Caregiver changes compare people, not names: two caregivers of the same name are a change, a renamed
caregiver is not. The stability measure counts those changes: more than two in 12 months flags a
child (issue #4; Notice 432-TB/VPTW §3: a stable caregiver)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from haven.care import selectors, services
from haven.care.models import CaregiverChange
from haven.core import clock

from .test_services import admitted, place

pytestmark = pytest.mark.django_db


def caregiver(world, site, name):
    return services.staff_add(
        actor=world.facility_director, facility=site.facility, full_name=name, kind="caregiver"
    )


def test_two_caregivers_of_the_same_name_are_a_change(world, site):
    child = admitted(world)
    placement = place(world, site, child, started_on=clock.today() - dt.timedelta(days=30))
    namesake = caregiver(world, site, site.caregivers[4].full_name)  # the older group's principal's name
    services.principal_set(
        actor=world.facility_director,
        group=site.older,
        staff=namesake,
        started_on=clock.today(),
        reason="Người chăm sóc chính nghỉ hưu",
    )
    change = CaregiverChange.objects.get(child=child)
    assert change.from_name == change.to_name
    assert (change.from_staff, change.to_staff) == (site.caregivers[4], namesake)
    assert change.placement == placement


def test_a_move_to_a_namesake_principal_is_a_change_and_to_the_same_person_renamed_is_not(world, site):
    child = admitted(world, months=10)
    placement = place(
        world, site, child, group=site.infants, started_on=clock.today() - dt.timedelta(days=60)
    )
    lan = site.caregivers[0]  # principal of the infants
    # The same person becomes principal of a third group too, and her name is corrected.
    third = services.group_add(actor=world.facility_director, home=site.home, name="Nhóm Cầu Vồng", places=4)
    for staff, shift in (
        (caregiver(world, site, "Tạ Thị Vân"), "day"),
        (caregiver(world, site, "Lò Thị Hà"), "night"),
    ):
        services.shift_assign(
            actor=world.facility_director, staff=staff, group=third, shift=shift, started_on=clock.today()
        )
    services.principal_set(
        actor=world.facility_director, group=third, staff=lan, started_on=clock.today(), reason=""
    )
    lan.full_name = "Nguyễn Thị Lan Anh"
    lan.save()
    moved = services.placement_transfer(
        actor=world.facility_director,
        placement=placement,
        form="facility_group",
        group=third,
        on=clock.today(),
        reason="Nhóm phù hợp lứa tuổi",
    )
    assert not CaregiverChange.objects.filter(child=child).exists()
    # A namesake of the principal of the group the child moves to next is another person: a change.
    namesake = caregiver(world, site, "Nguyễn Thị Lan Anh")
    fourth = services.group_add(
        actor=world.facility_director, home=site.home, name="Nhóm Bình Minh", places=4
    )
    for staff, shift in ((namesake, "day"), (caregiver(world, site, "Lục Thị Na"), "night")):
        services.shift_assign(
            actor=world.facility_director, staff=staff, group=fourth, shift=shift, started_on=clock.today()
        )
    services.principal_set(
        actor=world.facility_director, group=fourth, staff=namesake, started_on=clock.today(), reason=""
    )
    services.placement_transfer(
        actor=world.facility_director,
        placement=moved,
        form="facility_group",
        group=fourth,
        on=clock.today(),
        reason="Chuyển nhóm",
    )
    change = CaregiverChange.objects.get(child=child)
    assert (change.from_staff, change.to_staff) == (lan, namesake)


def changes(world, site, *days_ago):
    """Changes of the principal caregiver of the older group, ``days_ago`` each: every new principal
    has the same name, so only their identity tells them apart."""
    for days in days_ago:
        services.principal_set(
            actor=world.facility_director,
            group=site.older,
            staff=caregiver(world, site, "Nguyễn Thị Lan"),
            started_on=clock.today() - dt.timedelta(days=days),
            reason="Luân chuyển",
        )


def test_more_than_two_changes_in_12_months_flag_the_child(world, site):
    child = admitted(world)
    place(world, site, child, started_on=clock.today() - dt.timedelta(days=200))
    changes(world, site, 100, 90)
    path = selectors.care_path(world.facility_director, child)
    assert path.changes_12m == 2 and not path.unstable
    assert selectors.board(site.facility).unstable == []
    changes(world, site, 80)
    path = selectors.care_path(world.facility_director, child)
    assert path.changes_12m == 3 and path.unstable
    assert [(c.pk, n) for c, n in selectors.board(site.facility).unstable] == [(child.pk, 3)]


def test_a_change_older_than_12_months_no_longer_counts(world, site):
    child = admitted(world)
    place(world, site, child, started_on=clock.today() - dt.timedelta(days=300))
    changes(world, site, 100, 90, 80)
    first = CaregiverChange.objects.filter(child=child).order_by("on").first()
    CaregiverChange.objects.filter(pk=first.pk).update(on=clock.today() - dt.timedelta(days=366))
    assert selectors.care_path(world.facility_director, child).changes_12m == 2


def test_the_data_migration_fills_in_who_the_carers_were(world, site):
    child = admitted(world)
    placement = place(world, site, child, started_on=clock.today() - dt.timedelta(days=30))
    newcomer = caregiver(world, site, "Hà Thị Thu")
    services.principal_set(
        actor=world.facility_director,
        group=site.older,
        staff=newcomer,
        started_on=clock.today(),
        reason="Đổi",
    )
    # As recorded before the migration: names only.
    CaregiverChange.objects.update(from_staff=None, to_staff=None)
    migration = importlib.import_module("haven.care.migrations.0008_caregiver_change_identity")
    migration.fill(apps, None)
    change = CaregiverChange.objects.get(child=child, placement=placement)
    assert (change.from_staff, change.to_staff) == (site.caregivers[4], newcomer)
