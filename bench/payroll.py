"""Preparing and approving one month's allowance payroll of 100,000 children (issue #17: at most 60 s on
PostgreSQL on the 2-core machine; a second preparation of the same month changes nothing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/payroll.py
    .venv/bin/python bench/payroll.py --children 20000          # SQLite, var/bench/payroll.sqlite3

Builds a fresh database (var/bench/payroll.sqlite3, or `haven_bench_payroll` on the PostgreSQL server
DATABASE_URL names), migrates it (the seeded rules: 500,000 đồng × 2.5 or 1.5), and gives one commune
--children children, each abandoned, with a decided start of the allowance (half of them decided last
year, so the month has arrears for none of them), and a payment method (a third each: bank, post
office, cash at home). Then it times, with wall-clock time and the machine's load beside it: preparing
the month's payroll (one line per child with its inputs frozen), preparing it again (nothing added),
and approving it; and the reconciliation of the approved payroll. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DB = "haven_bench_payroll"


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
    path = BASE_DIR / "var" / "bench" / "payroll.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def populate(children: int, month: dt.date):
    from django.db import connection, transaction

    from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from haven.areas.models import TWO_TIER_REFORM, Area
    from haven.core import bulk, clock
    from haven.entitlements.models import Application, Entitlement, PaymentMethod
    from haven.people.models import Child, SpecialCircumstance

    started = time.perf_counter()
    commune = Area.objects.communes().order_by("code").first()
    with transaction.atomic():
        committee = Organisation.objects.create(
            name=f"Ủy ban nhân dân {commune.name}", kind=OrganisationKind.COMMUNE_COMMITTEE, area=commune
        )
        officer = User.objects.create(username="bench.officer", full_name="Lê Thị Linh")
        chairman = User.objects.create(username="bench.chairman", full_name="Nguyễn Văn Hùng")
        for user, role in (
            (officer, Role.COMMUNE_CHILD_PROTECTION_OFFICER),
            (chairman, Role.COMMUNE_CHAIRMAN),
        ):
            Membership.objects.create(
                user=user, organisation=committee, role=role, valid_from=TWO_TIER_REFORM
            )
        decided = dt.date(month.year - 1, 9, 15)
        rows, circumstances, applications, periods, methods = [], [], [], [], []
        for i in range(children):
            child = uuid.uuid4()
            # Between 1 and 15 years old: both coefficients are paid.
            born = dt.date(month.year - 1 - i % 15, 1 + i % 12, 1 + i % 28)
            rows.append(
                {
                    "id": child,
                    "family_name": "Nguyễn",
                    "middle_name": "Thị" if i % 2 else "Văn",
                    "given_name": f"Trẻ {i}",
                    "sex": "female" if i % 2 else "male",
                    "date_of_birth": born,
                    "current_commune_id": commune.pk,
                    "search_name": f"nguyen tre {i}",
                }
            )
            circumstances.append(
                {"child_id": child, "group": "HCDB_B", "started_on": born, "evidence": "Biên bản"}
            )
            application = uuid.uuid4()
            on = decided if i % 2 else dt.date(month.year, month.month, 1) - dt.timedelta(days=40)
            applications.append(
                {
                    "id": application,
                    "child_id": child,
                    "programme": "monthly_allowance",
                    "kind": "start",
                    "state": "decided",
                    "commune_id": commune.pk,
                    "applied_by": "carer",
                    "applicant_name": "Trần Thị Hoa",
                    "received_on": on - dt.timedelta(days=5),
                    "ground": "abandoned",
                    "care_situation": "community",
                    "studying": False,
                    "effective_month": on.replace(day=1),
                    "decision_number": f"{i}/QĐ-UBND",
                    "decided_on": on,
                }
            )
            periods.append(
                {
                    "id": uuid.uuid4(),
                    "child_id": child,
                    "programme": "monthly_allowance",
                    "commune_id": commune.pk,
                    "ground": "abandoned",
                    "care_situation": "community",
                    "studying": False,
                    "from_month": on.replace(day=1),
                    "decision_id": application,
                }
            )
            methods.append(
                {
                    "id": uuid.uuid4(),
                    "child_id": child,
                    "method": ("post", "home", "post")[i % 3],
                    "receiver_name": "Trần Thị Hoa",
                    "institution": "Bưu điện" if i % 3 != 1 else "",
                    "account_number": "",
                    "address": "",
                    "reason": "",
                    "valid_from": decided,
                }
            )
        # The one clock reads the database: read it once, not inside the COPY (which holds the connection).
        stamp = {"created_at": clock.now(), "updated_at": clock.now()}
        for model, made in (
            (Child, rows),
            (SpecialCircumstance, circumstances),
            (Application, applications),
            (Entitlement, periods),
            (PaymentMethod, methods),
        ):
            bulk.insert(model, [{**stamp, **row} for row in made])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"{children:,} children with a decided allowance in {commune.name} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return commune, officer, chairman


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    args = parser.parse_args()
    database = fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    from haven.core import clock
    from haven.entitlements import services
    from haven.entitlements.reconciliation import reconcile

    print(f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}, {load()}", flush=True)
    call_command("migrate", verbosity=0)
    # The payroll of next month, prepared on the 10th (its list is due by the 24th).
    today = clock.today()
    month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    commune, officer, chairman = populate(args.children, month)
    at = clock.at(dt.datetime.combine(today.replace(day=10), dt.time(9), tzinfo=dt.UTC))
    with at:
        started = time.perf_counter()
        run = services.payroll_prepare(actor=officer, commune=commune, month=month)
        prepared = time.perf_counter() - started
        lines = run.lines.count()
        print(f"prepare: {prepared:.1f} s, {lines:,} lines, {load()}", flush=True)
        started = time.perf_counter()
        again = services.payroll_prepare(actor=officer, commune=commune, month=month)
        retried = time.perf_counter() - started
        print(
            f"prepare again: {retried:.1f} s, {again.lines.count() - lines} lines added, {load()}", flush=True
        )
        started = time.perf_counter()
        services.payroll_approve(actor=chairman, run=run)
        approved = time.perf_counter() - started
        print(f"approve: {approved:.1f} s, {load()}", flush=True)
        print(f"prepare + approve: {prepared + approved:.1f} s (the issue's bound: 60 s)", flush=True)
        started = time.perf_counter()
        found = reconcile(run)
        print(
            f"reconcile: {time.perf_counter() - started:.1f} s, {found.lines:,} lines, "
            f"{len(found.issues)} to act on",
            flush=True,
        )


if __name__ == "__main__":
    main()
