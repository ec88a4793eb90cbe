"""Demo prevention work in the demo commune, made through the real services by the demo users as if
recorded over the past weeks: villages and the collaborator who covers them, women at every stage of
§9c, one monthly visit missed (so the escalation shows) and a village nobody covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from haven.accounts.synth import DemoWorld
from haven.core import clock
from haven.deadlines.sweep import sweep
from haven.prevention import services
from haven.prevention.catalog import NEEDS
from haven.prevention.models import AtRiskPerson, Village

VILLAGES = [f"Tổ dân phố {n}" for n in range(1, 9)]
COVERED = VILLAGES[:6]  # Tổ dân phố 7 and 8 have nobody: the coverage page shows the gap.


@contextmanager
def _as_of(moment: dt.datetime) -> Iterator[None]:
    """Record as if it were ``moment``: the services read the one clock."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def people(world: DemoWorld) -> int:
    if AtRiskPerson.objects.exists():
        return 0
    u = {name: user for name, (user, _) in world.users.items()}
    collaborator, officer = u["collaborator"], u["commune.officer"]
    now = clock.now().replace(second=0, microsecond=0)
    today = clock.localdate(now)
    villages = {}
    for name in VILLAGES:
        villages[name] = Village.objects.get_or_create(commune=world.commune_a, name=name)[0]
    for name in COVERED:
        if not services.covers(collaborator, villages[name]):
            services.coverage_assign(
                actor=officer,
                collaborator=collaborator,
                village=villages[name],
                since=today - dt.timedelta(days=365),
            )

    def flag(days_ago: float, given: str, village: str, actor=collaborator, **extra) -> AtRiskPerson:
        with _as_of(now - dt.timedelta(days=days_ago)):
            return services.person_flag(
                actor=actor,
                family_name=extra.pop("family_name", "Nguyễn"),
                middle_name=extra.pop("middle_name", "Thị"),
                given_name=given,
                commune=world.commune_a,
                village=villages[village],
                **extra,
            )

    def step(days_ago: float, fn, **kwargs):
        with _as_of(now - dt.timedelta(days=days_ago)):
            return fn(**kwargs)

    # Followed since 40 days; her monthly visit is 10 days late (escalated by the sweep).
    hoa = flag(
        40,
        "Hoa",
        "Tổ dân phố 1",
        birth_year=2002,
        pregnant=True,
        consent=True,
        risk_factors=["single_mother", "unintended_pregnancy", "poverty"],
    )
    step(
        39,
        services.person_contact,
        actor=collaborator,
        person=hoa,
        at=now - dt.timedelta(days=39),
        mode="home",
        wellbeing="concern",
        consent=True,
        expected_delivery=today + dt.timedelta(days=110),
    )
    step(
        37,
        services.person_assess,
        actor=collaborator,
        person=hoa,
        needs={**{c: "some" for c, _l in NEEDS}, "psychological": "urgent", "violence": "none"},
    )
    step(
        37,
        services.support_refer,
        actor=collaborator,
        person=hoa,
        service="counselling",
        provider=f"Trạm y tế {world.commune_a.name}",
    )
    step(
        37,
        services.support_refer,
        actor=collaborator,
        person=hoa,
        service="single_parent_allowance",
        provider=f"UBND {world.commune_a.name}",
    )
    step(
        36,
        services.person_plan,
        actor=collaborator,
        person=hoa,
        note="Tư vấn tâm lý 2 tuần/lần; làm hồ sơ trợ cấp",
    )
    # Flagged yesterday: the first contact is due tomorrow.
    flag(1, "Lan", "Tổ dân phố 2", family_name="Trần", birth_year=1998, pregnant=True)
    # In her last month: weekly contact.
    mai = flag(
        200,
        "Mai",
        "Tổ dân phố 3",
        family_name="Lê",
        birth_year=2000,
        pregnant=True,
        consent=True,
        risk_factors=["migrant_in_crisis", "no_housing"],
    )
    step(
        199,
        services.person_contact,
        actor=collaborator,
        person=mai,
        at=now - dt.timedelta(days=199),
        mode="home",
        wellbeing="good",
        consent=True,
        expected_delivery=today + dt.timedelta(days=20),
    )
    step(197, services.person_assess, actor=collaborator, person=mai, needs={c: "some" for c, _l in NEEDS})
    step(
        197,
        services.support_refer,
        actor=collaborator,
        person=mai,
        service="antenatal",
        provider=f"Trạm y tế {world.commune_a.name}",
    )
    step(196, services.person_plan, actor=collaborator, person=mai)
    for days in (170, 140, 110, 80, 50, 25, 5):
        step(
            days,
            services.visit_record,
            actor=collaborator,
            person=mai,
            at=now - dt.timedelta(days=days),
            mode="home",
            wellbeing="good",
        )
    # Born 10 days ago: papers on the 60-day clock, the week-2 visit due.
    ngoc = flag(
        150,
        "Ngọc",
        "Tổ dân phố 4",
        family_name="Phạm",
        birth_year=2004,
        pregnant=True,
        consent=True,
        risk_factors=["adolescent", "says_cannot_keep"],
    )
    step(
        149,
        services.person_contact,
        actor=collaborator,
        person=ngoc,
        at=now - dt.timedelta(days=149),
        mode="home",
        wellbeing="concern",
        consent=True,
        expected_delivery=today - dt.timedelta(days=8),
    )
    step(145, services.person_assess, actor=collaborator, person=ngoc, needs={c: "some" for c, _l in NEEDS})
    step(
        145,
        services.support_refer,
        actor=collaborator,
        person=ngoc,
        service="delivery",
        provider="Bệnh viện Phụ sản Hà Nội",
    )
    step(144, services.person_plan, actor=collaborator, person=ngoc)
    for days in (120, 90, 60, 35, 20, 14):
        step(
            days,
            services.visit_record,
            actor=collaborator,
            person=ngoc,
            at=now - dt.timedelta(days=days),
            mode="home",
            wellbeing="good",
        )
    step(
        10,
        services.person_birth,
        actor=collaborator,
        person=ngoc,
        born_on=today - dt.timedelta(days=10),
        sex="female",
        given_name="An",
    )
    step(
        4,
        services.visit_record,
        actor=collaborator,
        person=ngoc,
        at=now - dt.timedelta(days=4),
        mode="home",
        wellbeing="good",
    )
    step(
        3,
        services.papers_record,
        actor=collaborator,
        person=ngoc,
        birth_registered_on=today - dt.timedelta(days=3),
    )
    # Declined: only the minimum is kept.
    thu = flag(6, "Thu", "Tổ dân phố 5", family_name="Vũ", birth_year=1995)
    step(
        5,
        services.person_contact,
        actor=collaborator,
        person=thu,
        at=now - dt.timedelta(days=5),
        mode="phone",
        wellbeing="good",
        consent=False,
    )
    # Flagged by the commune in a village nobody covers: no collaborator yet.
    flag(2, "Hạnh", "Tổ dân phố 7", actor=officer, family_name="Đỗ", birth_year=1990, pregnant=True)
    sweep(now=now)
    return AtRiskPerson.objects.count()
