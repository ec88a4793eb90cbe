"""How long one `haven sweep` pass takes with a national load of open obligations.

    .venv/bin/python bench/sweep.py --open 1000000 --overdue 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/sweep.py

Builds a fresh database each run — var/bench/sweep.sqlite3, or the PostgreSQL database `haven_bench`
on the server DATABASE_URL names (dropped and created again) — migrates it, creates one commune
committee with a chairman (e-mail and phone) in each of --communes communes, every provincial
Department of Health and the Ministry, --children children, then --open open obligations (inserted
by one INSERT … SELECT) of which --overdue are past due. It times a first sweep, which escalates the
overdue ones to level 1, and a second, idle one at the same moment. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import platform
import pstats
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# The sweep's moment: obligations are due before it, or after it.
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
# Duties the sweep escalates (the timer rule, foundling.notice_period, is fired instead).
RULES = [
    "foundling.acknowledge",
    "foundling.handover_answer",
    "foundling.register_birth",
    "foundling.health_insurance",
    "foundling.allowance",
    "foundling.care_plan",
    "foundling.place",
    "foundling.review",
]


def fresh_database() -> str:
    """Point DATABASE_URL at an empty bench database and return a label for it."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        server = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(server, autocommit=True) as pg:
            pg.execute("DROP DATABASE IF EXISTS haven_bench WITH (FORCE)")
            pg.execute("CREATE DATABASE haven_bench")
            version = pg.execute("SHOW server_version").fetchone()[0]
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/haven_bench"))
        return f"PostgreSQL {version.split()[0]}"
    path = BASE_DIR / "var" / "bench" / "sweep.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def populate(*, communes: int, children: int, open_: int, overdue: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from haven.areas.models import Area
    from haven.people.models import Child

    kind = OrganisationKind
    with transaction.atomic():
        for province in Area.objects.provinces():
            Organisation.objects.create(
                name=f"Sở Y tế {province.name}", kind=kind.PROVINCIAL_HEALTH, area=province
            )
        hanoi = Area.objects.provinces().get(code="01")
        Organisation.objects.create(name="Bộ Y tế", kind=kind.MINISTRY_OF_HEALTH, area=hanoi)
        # Spread the committees over every province: one commune in every n.
        areas = list(Area.objects.communes().order_by("code"))
        areas = areas[:: max(1, len(areas) // communes)][:communes]
        committees = Organisation.objects.bulk_create(
            Organisation(name=f"UBND {area.name}", kind=kind.COMMUNE_COMMITTEE, area=area) for area in areas
        )
        password = make_password(None)
        chairmen = User.objects.bulk_create(
            User(
                username=f"chutich{i}",
                full_name=f"Chủ tịch {org.name}",
                email=f"chutich{i}@xa.gov.vn",
                phone=f"09{i:08d}",
                password=password,
            )
            for i, org in enumerate(committees)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=org, role=Role.COMMUNE_CHAIRMAN)
            for user, org in zip(chairmen, committees, strict=True)
        )
        Child.objects.bulk_create(
            (
                Child(family_name="Nguyễn", middle_name="Văn", given_name=f"An {i}", current_commune=area)
                for i in range(children)
                for area in [areas[i % len(areas)]]
            ),
            batch_size=5000,
        )

    postgres = connection.vendor == "postgresql"

    def at(minutes_sql: str) -> str:
        """NOW moved by an SQL expression in minutes, in each database's own datetime form."""
        if postgres:
            return f"(%(now)s::timestamptz + ({minutes_sql}) * interval '1 minute')"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', %(now)s, ({minutes_sql}) || ' minutes')"

    numbers = (
        "SELECT generate_series(0, %(n)s - 1) AS i"
        if postgres
        else "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %(n)s) "
        "SELECT i FROM s"
    )
    uuid = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"
    # Each child has several steps open, of different rules; the overdue ones are of every rule.
    rule = "CASE (n.i + n.i / %(children)s) %% {} {} END".format(
        len(RULES), " ".join(f"WHEN {k} THEN '{code}'" for k, code in enumerate(RULES))
    )
    # Overdue: due 1 to 600 minutes ago. The others: due within the next fortnight.
    due = at("CASE WHEN n.i < %(overdue)s THEN -1 - n.i %% 600 ELSE 1 + n.i %% 20000 END")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_child AS "
            "SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, current_commune_id FROM people_child"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_org AS SELECT area_id, id FROM accounts_organisation "
            "WHERE kind = 'commune_committee'"
        )
        cursor.execute(
            f"""
            INSERT INTO deadlines_obligation (id, rule, child_id, subject_type, subject_id, responsible_id,
                opened_at, due_at, status, escalation_level, next_escalation_at, created_at, updated_at)
            SELECT {uuid}, {rule}, c.id, 'people.child', c.id, o.id,
                {at("-20160")}, {due}, 'open', 0, {due}, {at("-20160")}, {at("-20160")}
            FROM ({numbers}) AS n
            JOIN bench_child AS c ON c.k = n.i %% %(children)s
            JOIN bench_org AS o ON o.area_id = c.current_commune_id
            """,
            {
                "now": NOW if postgres else NOW.strftime("%Y-%m-%d %H:%M:%S"),
                "n": open_,
                "overdue": overdue,
                "children": children,
            },
        )
        cursor.execute("DROP TABLE bench_child")
        cursor.execute("DROP TABLE bench_org")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE deadlines_obligation")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"inserted {open_:,} obligations in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open", type=int, default=1_000_000, help="open obligations")
    parser.add_argument("--overdue", type=int, default=10_000, help="of which past due")
    parser.add_argument("--communes", type=int, default=300, help="commune committees answering for them")
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="the sweep's batch size (its default if unset)"
    )
    parser.add_argument("--profile", action="store_true", help="print where the first pass spends its time")
    args = parser.parse_args()

    database = fresh_database()
    # A fresh chain: the checkpoints of another database (the demo's) must not be held against it.
    checkpoints = BASE_DIR / "var" / "bench" / "audit-checkpoints"
    shutil.rmtree(checkpoints, ignore_errors=True)
    os.environ["HAVEN_AUDIT_CHECKPOINTS"] = str(checkpoints)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"  # no query log in memory
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    from haven.audit.services import verify
    from haven.deadlines.models import Obligation, Status
    from haven.deadlines.sweep import sweep
    from haven.notifications.models import OutboxMessage

    print(f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    populate(communes=args.communes, children=args.children, open_=args.open, overdue=args.overdue)
    assert Obligation.objects.filter(status=Status.OPEN).count() == args.open

    options = {"batch_size": args.batch_size} if args.batch_size else {}
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    first = sweep(now=NOW, **options)
    first_seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    started = time.perf_counter()
    idle = sweep(now=NOW, **options)
    idle_seconds = time.perf_counter() - started

    assert first.escalated == args.overdue and idle.escalated == 0, (first, idle)
    assert verify().ok, "the audit chain does not verify"
    print(
        f"first pass: escalated {first.escalated:,} in {first_seconds:.2f} s "
        f"({OutboxMessage.objects.count():,} messages queued)\n"
        f"idle pass:  escalated {idle.escalated} in {idle_seconds:.3f} s"
    )


if __name__ == "__main__":
    main()
