"""The school-age roster of a province of 200,000 children (issue: at most 5 s on PostgreSQL on the
2-core machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/roster.py
    .venv/bin/python bench/roster.py --children 20000          # SQLite, var/bench/roster.sqlite3

Builds a fresh database (var/bench/roster.sqlite3, or `haven_bench_roster` on the PostgreSQL server
DATABASE_URL names), migrates it, and gives one province --children children of school age (3 to 17
this school year, a tenth with an estimated year of birth, a tenth without a PIN) spread over all its
communes, each commune with a school teaching every level. Of the children: 70 % enrolled this school
year (a twentieth of them two years over the standard age, half of those with a recorded lawful basis),
5 % asked to be enrolled, 10 % at school last year only (dropped out), the rest never at school; the
enrolled have 20 school days of attendance, a tenth of them with unexcused absences; a fifth of the
children live in a placement, a tenth of those begun this year after an earlier one, and a twentieth
of the children have a disability.

It times, with wall-clock time and the machine's load beside it, what the provincial officer's school
page computes: the roster with every enrolled child's risk score, then the five-dimension out-of-school
profile by commune; and, for comparison, the roster without risk scores. Not part of `make test`.
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
DB = "haven_bench_roster"


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
    path = BASE_DIR / "var" / "bench" / "roster.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def populate(children: int, on: dt.date):
    from django.db import connection, transaction

    from haven.accounts.models import Organisation, OrganisationKind, User
    from haven.areas.models import Area
    from haven.care.models import Placement
    from haven.core import bulk, clock
    from haven.education import ages
    from haven.education.models import Attendance, Enrolment, School
    from haven.people.models import Child, SpecialCircumstance

    started = time.perf_counter()
    year = ages.school_year_of(on)
    province = Area.objects.filter(level="province").order_by("code").first()
    communes = list(Area.objects.filter(parent=province).order_by("code"))
    recorder = User.objects.create(username="bench.school", full_name="Lê Thị Linh")
    with transaction.atomic():
        schools = []
        for k, commune in enumerate(communes):
            organisation = Organisation.objects.create(
                name=f"Trường liên cấp {commune.name}", kind=OrganisationKind.SCHOOL, area=commune
            )
            schools.append(
                School.objects.create(
                    organisation=organisation,
                    code=f"B{province.code}{k:05d}",
                    first_level=ages.Level.PRESCHOOL,
                    last_level=ages.Level.UPPER_SECONDARY,
                )
            )
        kin = {
            "form": "kin",
            "carer_name": "Trần Thị Hoa",
            "reason": "Sống cùng bà ngoại",
            "placed_by_id": recorder.pk,
            "state": "in_family",
        }
        rows, enrolments, marks, placements, circumstances = [], [], [], [], []
        days = [on - dt.timedelta(days=d) for d in range(1, 29) if (on - dt.timedelta(days=d)).weekday() < 5][
            :20
        ]
        for i in range(children):
            child = uuid.uuid4()
            commune = communes[i % len(communes)]
            age = 3 + i % 15  # 3 to 17 in the calendar year the school year starts
            born = dt.date(year - age, 1 + i % 12, 1 + i % 28)
            rows.append(
                {
                    "id": child,
                    "family_name": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng")[i % 5],
                    "middle_name": "Thị" if i % 2 else "Văn",
                    "given_name": f"Trẻ {i}",
                    "sex": "female" if i % 2 else "male",
                    "date_of_birth": born,
                    "date_of_birth_estimated": i % 10 == 3,
                    "pin_index": None if i % 10 == 7 else f"{i:012d}",
                    "current_commune_id": commune.pk,
                    "search_name": f"tre {i}",
                }
            )
            school = schools[i % len(schools)]
            expected = ages.expected(born.year, year)
            share = i % 20
            if expected is not None and share < 14:  # 70 %: enrolled this school year
                over = 2 if i % 20 == 5 else 0
                rule = next(r for r in ages.level_rules(year) if r.level == expected.level)
                grade = max(expected.grade - over, rule.first_grade)
                over = expected.grade - grade
                level = expected.level
                enrolment = uuid.uuid4()
                enrolments.append(
                    {
                        "id": enrolment,
                        "child_id": child,
                        "school_id": school.pk,
                        "school_year": year,
                        "level": level,
                        "grade": grade,
                        "state": "enrolled",
                        "started_on": dt.date(year, 9, 5),
                        "over_age_years": over,
                        "age_basis": "orphan" if over and i % 40 == 5 else "",
                    }
                )
                for d, day in enumerate(days):
                    absent = i % 10 == 1 and d % 3 == 0
                    marks.append(
                        {
                            "enrolment_id": enrolment,
                            "day": day,
                            "mark": "unexcused" if absent else "present",
                            "recorded_by_id": recorder.pk,
                            "recorded_at": clock.now(),
                        }
                    )
            elif expected is not None and share == 14:  # 5 %: asked to be enrolled
                enrolments.append(
                    {
                        "id": uuid.uuid4(),
                        "child_id": child,
                        "school_id": school.pk,
                        "school_year": year,
                        "level": expected.level,
                        "grade": expected.grade,
                        "state": "requested",
                    }
                )
            elif expected is not None and share in (15, 16):  # 10 %: at school last year only
                enrolments.append(
                    {
                        "id": uuid.uuid4(),
                        "child_id": child,
                        "school_id": school.pk,
                        "school_year": year - 1,
                        "level": expected.level,
                        "grade": max(1, expected.grade - 1),
                        "state": "ended",
                        "started_on": dt.date(year - 1, 9, 5),
                        "ended_on": dt.date(year, 3, 1),
                        "end_reason": "dropped_out",
                    }
                )
            if i % 5 == 0:  # a fifth live with kin; a tenth of those moved there this year
                moved = i % 50 == 0
                placements.append(
                    {
                        **kin,
                        "id": uuid.uuid4(),
                        "child_id": child,
                        "started_on": dt.date(year - 3, 6, 1),
                        "ended_on": dt.date(year, 2, 1) if moved else None,
                        "state": "ended" if moved else "in_family",
                    }
                )
                if moved:
                    placements.append(
                        {**kin, "id": uuid.uuid4(), "child_id": child, "started_on": dt.date(year, 2, 1)}
                    )
            if i % 20 == 9:
                circumstances.append(
                    {
                        "child_id": child,
                        "group": "HCDB_D",
                        "started_on": born,
                        "evidence": "Giấy xác nhận khuyết tật",
                    }
                )
        stamp = {"created_at": clock.now(), "updated_at": clock.now()}
        for model, made, stamped in (
            (Child, rows, True),
            (Enrolment, enrolments, True),
            (Attendance, marks, False),
            (Placement, placements, True),
            (SpecialCircumstance, circumstances, True),
        ):
            bulk.insert(model, [{**stamp, **row} if stamped else row for row in made])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"{children:,} children in {len(communes)} communes of {province.name} "
        f"({len(enrolments):,} enrolments, {len(marks):,} attendance marks, {len(placements):,} placements) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return province, communes


def timed(label: str, work, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
    print(f"{label}: best of {repeat} {best:.2f} s ({load()})", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=200_000)
    args = parser.parse_args()
    database = fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    from haven.core import clock
    from haven.education import roster
    from haven.people.models import Child

    print(f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}, {load()}", flush=True)
    call_command("migrate", verbosity=0)
    on = clock.today()
    _province, communes = populate(args.children, on)
    children = Child.objects.filter(current_commune__in=communes)
    # What the provincial officer's school page computes: the roster with every pupil's risk score
    # (dimensions 4 and 5 need it), then the five-dimension profile by commune.
    rows = timed(
        "the province's five-dimension profile by commune (roster with risk scores, then by commune)",
        lambda: roster.profile(roster.compute(children, on)),
    )
    timed("the roster without risk scores", lambda: roster.compute(children, on, with_risk=False))
    full = roster.compute(children, on)
    statuses: dict[str, int] = {}
    for row in full:
        statuses[row.status.value] = statuses.get(row.status.value, 0) + 1
    print(f"{len(full):,} children of school age in {len(rows)} communes: {statuses}")
    scored = sum(1 for row in full if row.score and row.score.total)
    at_risk = sum(1 for row in full if row.score and row.score.at_risk)
    print(f"{scored:,} enrolled children with a risk score above zero, {at_risk:,} of them at risk")


if __name__ == "__main__":
    main()
