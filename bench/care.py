"""Province-level occupancy and stability of family-like care with 200,000 placements.

    .venv/bin/python bench/care.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/care.py

Builds a fresh database (var/bench/care.sqlite3, or `haven_bench_care` on the PostgreSQL server that
DATABASE_URL names), migrates it, and creates --facilities social protection facilities spread over
the 34 provinces, each with 2 homes of 4 small groups (10 places, two caregivers on each shift, a
principal caregiver) and two social-work officers; then --children children, each with a closed
placement and an open one (--placements in all: facility small groups and kin/foster families), and
about 1.3 caregiver changes per child in the last 12 months. Then it times, with wall-clock time:
the figures of the largest province (selectors.province_figures: facilities by occupancy, groups
beyond norms, overload, family share, stability), the same for all 34 provinces, and one province's
12-month trend of the family share. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DB = "haven_bench_care"


def fresh_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        server = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(server, autocommit=True) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            pg.execute(f"CREATE DATABASE {DB}")
            version = pg.execute("SHOW server_version").fetchone()[0]
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{DB}"))
        return f"PostgreSQL {version.split()[0]}"
    path = BASE_DIR / "var" / "bench" / "care.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def populate(*, facilities: int, children: int, placements: int) -> None:
    import uuid

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from haven.accounts.models import Organisation, OrganisationKind, User
    from haven.areas.models import Area
    from haven.care.models import (
        CaregiverChange,
        Facility,
        Home,
        Placement,
        PrincipalCaregiver,
        ShiftAssignment,
        SmallGroup,
        Staff,
    )
    from haven.core import bulk, clock
    from haven.people.models import Child

    today = clock.today()
    started = time.perf_counter()
    with transaction.atomic():
        actor = User.objects.create(username="bench", password=make_password(None))
        communes = list(Area.objects.communes().order_by("code"))
        # Hà Nội and Hồ Chí Minh City hold a larger share, as they do in life.
        by_province: dict[int, list[Area]] = {}
        for c in communes:
            by_province.setdefault(c.parent_id, []).append(c)
        provinces = list(by_province)
        weights = [6 if Area.objects.get(pk=p).code in ("01", "79") else 1 for p in provinces]
        slots = [p for p, w in zip(provinces, weights, strict=True) for _ in range(w)]
        orgs = Organisation.objects.bulk_create(
            Organisation(
                name=f"Trung tâm Bảo trợ xã hội {i}",
                kind=OrganisationKind.SOCIAL_PROTECTION_FACILITY,
                area=by_province[slots[i % len(slots)]][i % len(by_province[slots[i % len(slots)]])],
            )
            for i in range(facilities)
        )
        made = Facility.objects.bulk_create(
            Facility(
                organisation=o,
                ownership="public",
                licence_number=f"{i}/GP",
                licence_issued_on=dt.date(2020, 1, 1),
                address="—",
            )
            for i, o in enumerate(orgs)
        )
        homes = Home.objects.bulk_create(Home(facility=f, name=f"Nhà {h}") for f in made for h in range(2))
        groups = SmallGroup.objects.bulk_create(
            SmallGroup(home=h, name=f"Nhóm {g}", places=10) for h in homes for g in range(4)
        )
        facility_of = {h.pk: h.facility_id for h in homes}
        staff = Staff.objects.bulk_create(
            Staff(
                facility_id=facility_of[g.home_id], full_name=f"Người chăm sóc {g.pk}-{k}", kind="caregiver"
            )
            for g in groups
            for k in range(4)
        )
        Staff.objects.bulk_create(
            Staff(facility=f, full_name=f"CTXH {f.pk}-{k}", kind="sw_officer") for f in made for k in range(2)
        )
        start = today - dt.timedelta(days=900)
        ShiftAssignment.objects.bulk_create(
            ShiftAssignment(staff=staff[4 * i + k], group=g, shift=("day", "night")[k % 2], started_on=start)
            for i, g in enumerate(groups)
            for k in range(4)
        )
        PrincipalCaregiver.objects.bulk_create(
            PrincipalCaregiver(group=g, staff=staff[4 * i], started_on=start) for i, g in enumerate(groups)
        )
        kids = [
            {
                "id": uuid.uuid4(),
                "family_name": "Nguyễn",
                "middle_name": "Văn",
                "given_name": f"An {i}",
                "current_commune_id": communes[i % len(communes)].pk,
                "date_of_birth": today - dt.timedelta(days=200 + (i * 37) % 5500),
            }
            for i in range(children)
        ]
        bulk.insert(Child, kids)
        # Children of a facility's province go to its groups, up to 11 per group of 10 (a few overloads).
        groups_by_province: dict[int, list[SmallGroup]] = {}
        area_province = {c.pk: c.parent_id for c in communes}
        org_area = {o.pk: o.area_id for o in orgs}
        facility_area = {f.pk: org_area[f.organisation_id] for f in made}
        for g in groups:
            groups_by_province.setdefault(area_province[facility_area[facility_of[g.home_id]]], []).append(g)
        filled: dict[int, int] = {}
        rows, changes = [], []
        open_each = placements - children  # one closed placement per child, the rest open
        for i, kid in enumerate(kids):
            province = area_province[kid["current_commune_id"]]
            begun = today - dt.timedelta(days=100 + i % 600)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "child_id": kid["id"],
                    "form": "kin",
                    "group_id": None,
                    "carer_name": "Bà ngoại",
                    "started_on": begun - dt.timedelta(days=300),
                    "ended_on": begun,
                    "state": "ended",
                    "reason": "—",
                    "end_reason": "—",
                    "placed_by_id": actor.pk,
                }
            )
            if i >= open_each:
                continue
            target = None
            for g in groups_by_province.get(province, []) if i % 3 == 0 else []:
                if filled.get(g.pk, 0) < 10 + (g.pk % 9 == 0):
                    target = g
                    break
            placement = {
                "id": uuid.uuid4(),
                "child_id": kid["id"],
                "form": "facility_group" if target else ("kin", "foster")[i % 2],
                "group_id": target.pk if target else None,
                "carer_name": "" if target else "Ông bà",
                "started_on": begun,
                "ended_on": None,
                "state": "in_facility" if target else "in_family",
                "reason": "—",
                "end_reason": "",
                "overload": bool(target and filled.get(target.pk, 0) >= 10),
                "placed_by_id": actor.pk,
            }
            if target:
                filled[target.pk] = filled.get(target.pk, 0) + 1
            rows.append(placement)
            for k in range(1 + (i % 10 < 3)):
                changes.append(
                    {
                        "child_id": kid["id"],
                        "placement_id": placement["id"],
                        "on": today - dt.timedelta(days=30 + 90 * k + i % 60),
                        "from_name": "A",
                        "to_name": "B",
                        "reason": "—",
                    }
                )
        bulk.insert(Placement, rows)
        bulk.insert(CaregiverChange, changes)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"{len(made):,} facilities, {len(groups):,} groups, {children:,} children, {len(rows):,} placements "
        f"({sum(filled.values()):,} open in groups), {len(changes):,} caregiver changes "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def timed(label: str, run, repeat: int) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    print(
        f"{label}: median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}) — {result}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facilities", type=int, default=340)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--placements", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    database = fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    print(f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    call_command("migrate", verbosity=0)
    populate(facilities=args.facilities, children=args.children, placements=args.placements)

    from haven.areas.models import Area
    from haven.care import selectors

    hanoi = Area.objects.provinces().get(code="01")
    provinces = list(Area.objects.provinces())

    def one():
        f = selectors.province_figures(hanoi)
        return (
            f"{len(f.facilities)} facilities, {f.occupancy}/{f.places} places, share {f.family_share} %, "
            + (f"stability {f.stability}")
        )

    def all_():
        total = [selectors.province_figures(p) for p in provinces]
        return f"{sum(len(f.facilities) for f in total)} facilities in {len(total)} provinces"

    def trend():
        points = selectors.family_share_trend(hanoi)
        return f"{len(points)} months, last share {points[-1]['share']} %"

    timed("Hà Nội figures", one, args.repeat)
    timed("34 provinces' figures", all_, max(1, args.repeat // 2))
    timed("Hà Nội 12-month trend", trend, args.repeat)


if __name__ == "__main__":
    main()
