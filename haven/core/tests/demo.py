"""Demo-like data for the tests that walk every persona's pages: the `haven synth` data (300 children,
found-child cases at every stage, people at risk, facilities and families), plus what the demo lacks:
child-protection cases at three stages, a relative verified for a known child (Form 11), and a child
reported by the hospital in another commune. Everything is made through the real services."""

from __future__ import annotations

import datetime as dt

from haven.accounts.synth import DemoWorld, demo_world
from haven.care import families
from haven.care import synth as care
from haven.core import clock
from haven.foundlings import services as foundlings
from haven.foundlings import synth as found
from haven.people import synth as children
from haven.people.models import Child
from haven.prevention import synth as prevention
from haven.protection import services as protection

LOW = {"harm": "low", "danger": "low", "abuser_access": "low"}
SPECIFIC = {
    "physical": "medium",
    "psychological": "high",
    "family": "high",
    "education": "low",
    "needs": "Tư vấn tâm lý; hỗ trợ học tập",
    "meeting": "Họp: cán bộ xã, trường, mẹ của trẻ",
}


def build() -> DemoWorld:
    world = demo_world(province_code="01")
    u = {name: user for name, (user, _label) in world.users.items()}
    children.children(
        size=300,
        seed=2026,
        province=world.province,
        focus_communes=[world.commune_a, world.commune_b],
        organisations=world.organisations,
        actor=u["admin"],
        progress=lambda n: None,
    )
    found.cases(world)
    prevention.people(world)
    care.demo(world, seed=2026)
    u = {name: user for name, (user, _label) in world.users.items()}  # care adds facility.sos
    _protection(world, u)
    _relative_verified(world, u)
    from haven.entitlements import synth as entitlements

    entitlements.demo(world)
    from haven.complaints import synth as complaints

    complaints.demo(world)
    from haven.education import synth as education

    education.demo(world)
    foundlings.foundling_report(
        actor=u["hospital.sw"],
        found_at=clock.now() - dt.timedelta(hours=2),
        found_commune=world.commune_b,
        found_place="Trước cổng chợ",
        sex="female",
        estimated_age_days=20,
        condition="Trẻ khoảng 3 tuần tuổi, quấn khăn",
    )
    return world


def _report(world, u, given: str):
    return protection.protection_report(
        actor=u["hotline"],
        incident_commune=world.commune_a,
        incident_place="Tổ dân phố 4",
        sex="female",
        family_name="Lò",
        given_name=given,
        date_of_birth=dt.date(2021, 5, 1),
        condition="Có vết bầm ở tay",
        likely_harm="Tiếp tục bị đánh",
    )


def _protection(world, u) -> None:
    _report(world, u, "Mai")  # just reported: the commune takes it up
    emergency = _report(world, u, "Hoa")
    protection.protection_accept(actor=u["commune.officer"], case=emergency)
    protection.protection_assess_initial(
        actor=u["commune.officer"],
        case=emergency,
        data={
            "harm": "high",
            "danger": "high",
            "abuser_access": "high",
            "verification": "Đã gặp trường",
            "emergency": True,
        },
    )
    drafted = _report(world, u, "Lan")
    protection.protection_accept(actor=u["commune.officer"], case=drafted)
    protection.protection_assess_initial(
        actor=u["commune.officer"],
        case=drafted,
        data={**LOW, "verification": "Đã gặp trường", "emergency": False},
    )
    protection.protection_assess_specific(actor=u["commune.officer"], case=drafted, data=SPECIFIC)
    protection.protection_draft_plan(
        actor=u["commune.officer"],
        case=drafted,
        data={
            "objectives": "Trẻ an toàn",
            "measures": "Tư vấn tâm lý — trạm y tế — 2 tuần",
            "start": clock.today().isoformat(),
            "end": (clock.today() + dt.timedelta(days=90)).isoformat(),
        },
    )


def _relative_verified(world, u) -> None:
    child = (
        Child.objects.filter(current_commune=world.commune_a, date_of_birth__isnull=False)
        .order_by("pk")
        .first()
    )
    aunt = families.family_register(
        actor=u["commune.officer"],
        commune=world.commune_a,
        kind="kin",
        applicant_name="Đinh Thị Nga",
        applicant_born_on=dt.date(1975, 8, 1),
        address="Số 9 ngõ 4",
        household="",
        economic_conditions="Ổn định",
        housing="Nhà riêng",
        household_consent=True,
        no_abuse_record=True,
        relative_of=child,
        relationship="Cô ruột",
    )
    families.family_verify(actor=u["commune.officer"], family=aunt, eligible=True, note="Đủ điều kiện")


def personas(world: DemoWorld) -> dict:
    return {name: user for name, (user, _label) in world.users.items()}
