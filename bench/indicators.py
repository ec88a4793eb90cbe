"""How long the indicator dashboards take on `haven synth --size N` data, and how long counting the
indicators into the summary table takes.

    .venv/bin/python bench/indicators.py --size 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/indicators.py --size 5000

Builds a fresh database (var/bench/indicators.sqlite3, or `haven_bench_indicators` on the PostgreSQL
server that DATABASE_URL names), migrates it and runs `haven synth --size N` (N children in one
province, with found-child cases, people at risk, facilities and placements). `--national M` then adds
M children spread over all 3,321 communes, each in one or two groups of special circumstances, and a
step due this month or last for every second one (met on time, late, or still open), so the national
and provincial tables have every area in them. Then it times, with wall-clock time:

- counting every indicator for the current month into the summary table (what the sweep does);
- the dashboard, the scorecard and one indicator's page, for the nation (the central analyst, whose
  counts are protected by the disclosure policy, and the ministry, whose are exact), the province and a
  commune — each page requested --repeat times after a first request, the median reported (warm).

It prints the machine's load average before and after, since other work on the machine changes the
figures. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DB = "haven_bench_indicators"


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
    path = BASE_DIR / "var" / "bench" / "indicators.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(client, url: str, repeat: int) -> tuple[float, int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _i in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return statistics.median(times), len(response.content)


def spread(n: int, world) -> None:
    """``n`` children over every commune, with their groups and a step each for every second one."""
    import datetime as dt
    import random
    import uuid

    from django.db import transaction

    from haven.areas.models import Area
    from haven.core import clock
    from haven.deadlines.models import Obligation
    from haven.people.models import Child, CircumstanceGroup, SpecialCircumstance

    rng = random.Random(18)
    communes = list(Area.objects.communes().values_list("pk", flat=True))
    groups = list(CircumstanceGroup.values)
    responsible = world.organisations["committee_a"].pk
    rules = ["protection.emergency", "protection.plan", "foundling.register_birth", "care.review"]
    now = clock.now()
    for start in range(0, n, 20_000):
        with transaction.atomic():
            kids = [
                Child(
                    id=uuid.uuid4(),
                    family_name="Nguyễn",
                    given_name=f"An {i}",
                    sex=rng.choice(["male", "female"]),
                    date_of_birth=dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(5800)),
                    current_commune_id=rng.choice(communes),
                )
                for i in range(start, min(n, start + 20_000))
            ]
            Child.objects.bulk_create(kids, batch_size=5000)
            SpecialCircumstance.objects.bulk_create(
                [
                    SpecialCircumstance(child=k, group=g, started_on=dt.date(2024, 1, 1), evidence="bench")
                    for k in kids
                    for g in rng.sample(groups, rng.choice([1, 1, 2]))
                ],
                batch_size=5000,
            )
            steps = []
            for k in kids[::2]:
                due = now - dt.timedelta(hours=rng.randrange(1, 24 * 55))
                status = rng.choice(["met", "met", "met", "open"])
                late = rng.random() < 0.2
                steps.append(
                    Obligation(
                        rule=rng.choice(rules),
                        child=k,
                        subject_type="protection.protectioncase",
                        subject_id=uuid.uuid4(),
                        responsible_id=responsible,
                        opened_at=due - dt.timedelta(days=2),
                        due_at=due,
                        status=status,
                        closed_at=(due + dt.timedelta(hours=5) if late else due - dt.timedelta(hours=3))
                        if status == "met"
                        else None,
                    )
                )
            Obligation.objects.bulk_create(steps, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", type=int, default=2000, help="children made by `haven synth` (default 2000)"
    )
    parser.add_argument("--national", type=int, default=0, help="children added over every commune")
    parser.add_argument("--repeat", type=int, default=5, help="requests per page after the first (default 5)")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    database = fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    print(
        f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}; load {load()}", flush=True
    )
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    call_command("synth", size=args.size, verbosity=0)
    print(f"synth --size {args.size}: {time.perf_counter() - began:.0f} s", flush=True)

    from haven.accounts.models import User
    from haven.accounts.synth import demo_world
    from haven.people.models import Child
    from haven.reports import periods, store
    from haven.reports.models import StoredFact
    from haven.reports.registry import in_order

    world = demo_world()
    if args.national:
        began = time.perf_counter()
        spread(args.national, world)
        print(f"--national {args.national}: {time.perf_counter() - began:.0f} s", flush=True)
    month = periods.current(periods.Kind.MONTH)
    began = time.perf_counter()
    for ind in in_order():
        store.refresh(ind, month)
        store.refresh(ind, month.previous())
    counted = time.perf_counter() - began
    print(
        f"{Child.objects.count()} children; counting {len(in_order())} indicators for two months: "
        f"{counted:.2f} s, {StoredFact.objects.count()} facts kept",
        flush=True,
    )

    province, commune = world.province.code, world.commune_a.code
    pages = [
        ("analyst", "/reports/", "nation, protected"),
        ("analyst", "/reports/scorecard/", "nation, protected"),
        ("analyst", "/reports/indicators/HV.SC/", "nation, protected"),
        ("ministry", "/reports/", "nation, exact"),
        ("analyst", f"/reports/?area={province}", "province, protected"),
        ("province", "/reports/", "province, exact"),
        ("province", "/reports/scorecard/", "province, exact"),
        ("province", "/reports/indicators/HV.CLOCKS/", "province, exact"),
        ("commune.officer", "/reports/", "commune, exact"),
        ("analyst", f"/reports/?area={commune}", "commune, protected"),
    ]
    print(f"\nwarm, median of {args.repeat}; load before {load()}")
    print("| page | reader | scope | ms | KB |")
    print("|---|---|---|---:|---:|")
    client = Client()
    for username, url, scope in pages:
        client.force_login(User.objects.get(username=username))
        seconds, size = timed(client, url, args.repeat)
        print(f"| `{url}` | {username} | {scope} | {seconds * 1000:.0f} | {size / 1024:.0f} |", flush=True)
    print(f"load after {load()}")


if __name__ == "__main__":
    main()
