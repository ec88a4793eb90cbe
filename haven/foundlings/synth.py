"""Demo found-children cases at every stage of the pathway, some of them late, made through the real
services by the demo users (so the timeline, the escalations and the reconciliation view have data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from haven.accounts.synth import DemoWorld
from haven.core import clock
from haven.deadlines.sweep import sweep
from haven.foundlings import services

VITALS = {
    "temperature_c": Decimal("36.8"),
    "heart_rate": 138,
    "respiratory_rate": 42,
    "weight_grams": 3100,
    "estimated_age_days": 4,
    "findings": "Trẻ khỏe, bú tốt; đã tiêm vitamin K1",
    "referrals": "",
}


def _record(world: DemoWorld, case) -> None:
    services.foundling_record(
        actor=world.users["commune.officer"][0],
        case=case,
        drafter_title="Chủ tịch UBND phường",
        drawn_up_place=f"Trụ sở UBND {world.commune_a.name}",
        physique="Bé sơ sinh, da hồng, tóc đen, nặng khoảng 3 kg",
        health="Bình thường",
        belongings="Một chăn len màu xanh, một túi quần áo sơ sinh",
        finder_name="Trần Văn Hậu",
        finder_id_document="CCCD 001089012345",
        finder_address=f"Tổ dân phố 3, {world.commune_a.name}",
    )


@contextmanager
def _taken_at(moment: dt.datetime) -> Iterator[None]:
    """Take the steps inside at ``moment``: the engine refuses a posting time entered before the
    handover it follows, so a case whose notice was posted days ago is built on the days it happened."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def cases(world: DemoWorld) -> int:
    u = {name: user for name, (user, _) in world.users.items()}
    now = clock.now()
    made = []

    def found(
        hours_ago: float, sex: str = "male", place: str = "Cổng cấp cứu bệnh viện", actor="hospital.sw"
    ):
        case = services.foundling_report(
            actor=u[actor],
            found_at=now - dt.timedelta(hours=hours_ago),
            found_commune=world.commune_a,
            found_place=place,
            sex=sex,
            estimated_age_days=4,
            condition="Trẻ sơ sinh, quấn khăn, khóc to",
            belongings="Chăn len xanh",
            finder_name="Trần Văn Hậu",
        )
        made.append(case)
        return case

    # 1. Reported 30 hours ago and never acknowledged: escalated up the ladder.
    found(30, place="Ghế đá công viên Thủ Lệ", actor="police")
    # 2. Screened and recorded; handed to the facility, which has not answered yet.
    case = found(20, sex="female")
    services.foundling_acknowledge(actor=u["commune.officer"], case=case)
    services.foundling_screen(
        actor=u["hospital.sw"], case=case, screened_at=now - dt.timedelta(hours=19), **VITALS
    )
    _record(world, case)
    services.foundling_decide_temporary_care(
        actor=u["commune.officer"],
        case=case,
        kind="facility",
        to_organisation=world.organisations["facility_b"],
    )
    # 3 and 4. In the facility, notice posted 3 days ago; and one posted 8 days ago (now expired).
    for posted_days_ago in (3, 8):
        with _taken_at(now - dt.timedelta(days=posted_days_ago + 2, hours=-1)):
            case = found(24 * (posted_days_ago + 2))
            services.foundling_acknowledge(actor=u["commune.officer"], case=case)
            services.foundling_screen(actor=u["hospital.sw"], case=case, screened_at=case.found_at, **VITALS)
            _record(world, case)
            handover = services.foundling_decide_temporary_care(
                actor=u["commune.officer"],
                case=case,
                kind="facility",
                to_organisation=world.organisations["facility_b"],
            )
            services.foundling_handover_answer(actor=u["facility.director"], handover=handover, accept=True)
        posted_at = now - dt.timedelta(days=posted_days_ago)
        with _taken_at(posted_at):
            services.foundling_post_notice(actor=u["commune.officer"], case=case, posted_at=posted_at)
    # 5. A member of the public, just now, in the other commune.
    made.append(
        services.foundling_report(
            actor=None,
            found_at=now - dt.timedelta(minutes=20),
            found_commune=world.commune_b,
            found_place="Trước cổng chợ",
            sex="female",
            estimated_age_days=30,
            condition="Trẻ khoảng 1 tháng tuổi, sốt nhẹ",
            reporter_contact="0912 345 678",
        )
    )
    sweep(now=now)
    return len(made)
