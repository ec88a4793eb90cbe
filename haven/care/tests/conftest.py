"""A facility of commune B in Hà Nội (the world's facility_b) with one home, two small groups, staff
on both shifts, a principal caregiver per group, and two social-work officers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from haven.accounts.models import Role
from haven.care import services
from haven.care.models import Facility, Home, SmallGroup, Staff
from haven.core import clock
from haven.core.testing import member


@dataclass
class Site:
    facility: Facility
    home: Home
    infants: SmallGroup
    older: SmallGroup
    caregivers: list[Staff]


def build_site(world) -> Site:
    director = world.facility_director
    world.users["facility_sw"] = member("facility_sw", world.orgs["facility_b"], Role.FACILITY_SOCIAL_WORKER)
    start = clock.today() - dt.timedelta(days=400)
    facility = services.facility_register(
        actor=director,
        organisation=world.orgs["facility_b"],
        ownership="public",
        licence_number="12/GP-SYT",
        licence_issued_on=dt.date(2019, 5, 2),
        address="15 Phố Vọng, Hà Nội",
        management_level="province",
    )
    home = services.home_add(actor=director, facility=facility, name="Nhà Hoa Sen")
    infants = services.group_add(actor=director, home=home, name="Nhóm Sơ sinh", places=2)
    older = services.group_add(actor=director, home=home, name="Nhóm Măng non", places=10)
    names = ["Nguyễn Thị Lan", "Trần Thị Hoa", "Lê Thị Mai", "Phạm Thị Cúc", "Vũ Thị Hằng"]
    caregivers = [
        services.staff_add(actor=director, facility=facility, full_name=n, kind="caregiver") for n in names
    ]
    for kind, name in [("sw_officer", "Đỗ Văn Hùng"), ("sw_staff", "Hoàng Thị Thu")]:
        services.staff_add(actor=director, facility=facility, full_name=name, kind=kind)
    # Infants: 2 caregivers by day, 2 at night; the older group: 1 and 1.
    for staff, group, shift in [
        (caregivers[0], infants, "day"),
        (caregivers[1], infants, "day"),
        (caregivers[2], infants, "night"),
        (caregivers[3], infants, "night"),
        (caregivers[4], older, "day"),
        (caregivers[1], older, "night"),
    ]:
        services.shift_assign(actor=director, staff=staff, group=group, shift=shift, started_on=start)
    services.principal_set(actor=director, group=infants, staff=caregivers[0], started_on=start, reason="")
    services.principal_set(actor=director, group=older, staff=caregivers[4], started_on=start, reason="")
    return Site(facility, home, infants, older, caregivers)


@pytest.fixture
def site(world) -> Site:
    return build_site(world)
