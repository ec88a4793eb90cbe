"""How long the task list takes for a user whose organisation owes 5,000 open steps among 2,000,000.

    .venv/bin/python bench/tasks.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/tasks.py

Builds a fresh database each run — var/bench/tasks.sqlite3, or the PostgreSQL database
`haven_bench_tasks` on the server DATABASE_URL names (dropped and created again) — migrates it,
creates one commune committee in each of --communes communes and the Department of Health of the first
one's province, --children children, then --mine open obligations owed by the first committee (the
user's) and --open in all (inserted by INSERT … SELECT). The user's steps are about --cases protection
cases of their commune held by four case workers (one case in five has none), with due times spread
evenly from --past-days ago to --future-days ahead. The others are owed by the other committees.

It times, warm, the median of --runs calls of:
- ``tasks_for`` for a commune child-protection officer of the first committee (the home page);
- ``team_for`` for its chairman (the supervisor's view, by case worker);
- ``team_for`` for the provincial officer (every organisation of the province).
Each call reads the user's memberships again, as a request does. Not part of `make test`.
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
# The moment of the task list: Monday 2 March 2026, 09:00 in Hà Nội (as in bench/sweep.py).
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
DATABASE = "haven_bench_tasks"
PROTECTION_RULES = [
    "protection.initial_assessment",
    "protection.emergency",
    "protection.plan",
    "protection.approval",
    "protection.separation_review",
    "protection.review",
]
OTHER_RULES = [
    "foundling.register_birth",
    "foundling.health_insurance",
    "foundling.allowance",
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
            pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            pg.execute(f"CREATE DATABASE {DATABASE}")
            version = pg.execute("SHOW server_version").fetchone()[0]
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{DATABASE}"))
        return f"PostgreSQL {version.split()[0]}"
    path = BASE_DIR / "var" / "bench" / "tasks.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def populate(args) -> dict:
    """The organisations, users, children and cases; then the obligations by INSERT … SELECT."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from haven.areas.models import Area
    from haven.people.models import Child
    from haven.protection.models import Channel, ProtectionCase

    kind = OrganisationKind
    started = time.perf_counter()
    with transaction.atomic():
        areas = list(Area.objects.communes().order_by("code"))
        areas = areas[:: max(1, len(areas) // args.communes)][: args.communes]
        committees = Organisation.objects.bulk_create(
            Organisation(name=f"UBND {area.name}", kind=kind.COMMUNE_COMMITTEE, area=area) for area in areas
        )
        home, home_area = committees[0], areas[0]
        health = Organisation.objects.create(
            name=f"Sở Y tế {home_area.parent.name}", kind=kind.PROVINCIAL_HEALTH, area=home_area.parent
        )
        password = make_password(None)
        people = {
            name: User.objects.create(username=name, full_name=full, password=password)
            for name, full in [
                ("canbo", "Nguyễn Thị Lan"),
                ("canbo2", "Trần Văn Minh"),
                ("canbo3", "Lê Thị Hoa"),
                ("canbo4", "Phạm Văn Đức"),
                ("chutich", "Hoàng Văn Nam"),
                ("so_y_te", "Vũ Thị Thu"),
            ]
        }
        Membership.objects.bulk_create(
            [
                *(
                    Membership(user=people[n], organisation=home, role=Role.COMMUNE_CHILD_PROTECTION_OFFICER)
                    for n in ("canbo", "canbo2", "canbo3", "canbo4")
                ),
                Membership(user=people["chutich"], organisation=home, role=Role.COMMUNE_CHAIRMAN),
                Membership(user=people["so_y_te"], organisation=health, role=Role.PROVINCIAL_OFFICER),
            ]
        )
        Child.objects.bulk_create(
            (
                Child(family_name="Nguyễn", middle_name="Văn", given_name=f"An {i}", current_commune=area)
                for i in range(args.children)
                for area in [areas[i % len(areas)]]
            ),
            batch_size=5000,
        )
        workers = [people[n] for n in ("canbo", "canbo2", "canbo3", "canbo4")] + [None]
        # Several cases for some children when the commune has fewer children than cases.
        local = list(Child.objects.filter(current_commune=home_area).order_by("id"))
        children = [local[i % len(local)] for i in range(args.cases)]
        ProtectionCase.objects.bulk_create(
            ProtectionCase(
                child=child,
                received_at=NOW,
                channel=Channel.HOTLINE,
                incident_commune=home_area,
                incident_place="Tổ 4",
                condition="Có vết bầm",
                likely_harm="Tiếp tục bị đánh",
                responsible=home,
                assigned_to=workers[i % len(workers)],
            )
            for i, child in enumerate(children)
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

    def rule(rules: list[str]) -> str:
        return "CASE n.i %% {} {} END".format(
            len(rules), " ".join(f"WHEN {k} THEN '{code}'" for k, code in enumerate(rules))
        )

    # Due times spread evenly from --past-days ago to --future-days ahead (in minutes).
    span = (args.past_days + args.future_days) * 1440
    due = at(f"-{args.past_days * 1440} + (CAST(n.i AS BIGINT) * {span}) / %(n)s")
    columns = (
        "id, rule, child_id, subject_type, subject_id, responsible_id, opened_at, due_at, status, "
        "escalation_level, next_escalation_at, created_at, updated_at"
    )
    params = {"now": NOW if postgres else NOW.strftime("%Y-%m-%d %H:%M:%S")}
    with transaction.atomic(), connection.cursor() as cursor:
        # The user's organisation: protection cases of its commune.
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_case AS "
            "SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, child_id FROM protection_protectioncase"
        )
        cursor.execute(
            f"""
            INSERT INTO deadlines_obligation ({columns})
            SELECT {uuid}, {rule(PROTECTION_RULES)}, c.child_id, 'protection.protectioncase', c.id,
                %(home)s, {at("-43200")}, {due}, 'open', 0, {due}, {at("-43200")}, {at("-43200")}
            FROM ({numbers}) AS n JOIN bench_case AS c ON c.k = n.i %% %(cases)s
            """,
            {**params, "n": args.mine, "home": home.pk, "cases": len(children)},
        )
        # Everyone else's: the children of the other communes, owed by their committee.
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_child AS "
            "SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, current_commune_id FROM people_child "
            "WHERE current_commune_id <> %(area)s",
            {"area": home_area.pk},
        )
        cursor.execute("SELECT count(*) FROM bench_child")
        others = cursor.fetchone()[0]
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_org AS SELECT area_id, id FROM accounts_organisation "
            "WHERE kind = 'commune_committee'"
        )
        cursor.execute(
            f"""
            INSERT INTO deadlines_obligation ({columns})
            SELECT {uuid}, {rule(OTHER_RULES)}, c.id, 'people.child', c.id, o.id,
                {at("-43200")}, {due}, 'open', 0, {due}, {at("-43200")}, {at("-43200")}
            FROM ({numbers}) AS n
            JOIN bench_child AS c ON c.k = n.i %% %(children)s
            JOIN bench_org AS o ON o.area_id = c.current_commune_id
            """,
            {**params, "n": args.open - args.mine, "children": others},
        )
        for table in ("bench_case", "bench_child", "bench_org"):
            cursor.execute(f"DROP TABLE {table}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    print(f"populated {args.open:,} obligations in {time.perf_counter() - started:.1f} s", flush=True)
    return {"officer": people["canbo"], "chairman": people["chutich"], "provincial": people["so_y_te"]}


def timed(call, runs: int) -> tuple[float, float, float, object]:
    """Median, fastest and slowest of ``runs`` warm calls, in milliseconds, and the last result."""
    for _ in range(3):
        result = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times), result


def plan(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open", type=int, default=2_000_000, help="open obligations in all")
    parser.add_argument("--mine", type=int, default=5_000, help="of which the user's organisation owes")
    parser.add_argument("--cases", type=int, default=1_000, help="protection cases the user's are about")
    parser.add_argument("--past-days", type=int, default=30, help="the most overdue, in days")
    parser.add_argument("--future-days", type=int, default=60, help="the latest due, in days ahead")
    parser.add_argument("--communes", type=int, default=300)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--plan", action="store_true", help="print the task list's query plan")
    args = parser.parse_args()

    database = fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"  # no query log in memory
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haven.core import clock
    from haven.deadlines.models import Obligation, Status
    from haven.deadlines.selectors import Moments, task_rows, tasks_for, team_for

    print(f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    # Held before the setup: the memberships are in force from the day they are created (Dated).
    clock.now = lambda: NOW
    users = populate(args)
    assert Obligation.objects.filter(status=Status.OPEN).count() == args.open

    def fresh(user):
        user.__dict__.pop("_haven_memberships", None)  # read again, as on each request
        return user

    officer, chairman, provincial = users["officer"], users["chairman"], users["provincial"]
    with CaptureQueriesContext(connection) as captured:
        tasks_for(user=fresh(officer))
    assert len(captured) == 2, [q["sql"] for q in captured]  # the memberships, the task list
    rows = task_rows(user=officer, limit=50, moments=Moments.at(NOW))
    shown = plan(rows)
    assert "obligation_tasks_idx" in shown, shown
    if args.plan:
        print(shown)

    print(f"{'selector':<32} {'median ms':>10} {'min':>8} {'max':>8}   groups")
    median, low, high, tasks = timed(lambda: tasks_for(user=fresh(officer)), args.runs)
    groups = f"{tasks.overdue.total:,} overdue, {tasks.today.total:,} today, {tasks.week.total:,} in 7 days"
    print(f"{'tasks_for (officer)':<32} {median:>10.1f} {low:>8.1f} {high:>8.1f}   {groups}", flush=True)
    for label, user in (("team_for (chairman)", chairman), ("team_for (provincial officer)", provincial)):
        median, low, high, team = timed(lambda user=user: team_for(user=fresh(user)), args.runs)
        count = sum(len(org.groups) for org in team.organisations)
        steps = sum(org.overdue + org.today + org.week for org in team.organisations)
        groups = f"{len(team.organisations)} organisations, {count} groups, {steps:,} steps"
        print(f"{label:<32} {median:>10.1f} {low:>8.1f} {high:>8.1f}   {groups}", flush=True)


if __name__ == "__main__":
    main()
