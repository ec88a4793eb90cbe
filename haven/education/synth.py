"""Demo schooling, made through the real services by the demo users: the commune's primary school (the
demo's school officer) and a lower-secondary school, most school-age children of commune A enrolled
(some without a PIN, so the commune owes their papers), a few asked to enrol, some never enrolled,
one who dropped out, a late first grade recorded with its basis, two weeks of attendance marked by the
school (days left unmarked stay unknown), and a pupil five days absent without leave, reported to the
commune with a home visit due."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError

from haven.accounts.models import Organisation, OrganisationKind
from haven.accounts.synth import DemoWorld
from haven.core import clock
from haven.core.errors import Refused
from haven.education import ages, services
from haven.education.models import School
from haven.education.services.attendance import Line
from haven.people.models import Child


def _schools(world: DemoWorld) -> tuple[School, School]:
    primary, _ = School.objects.get_or_create(
        organisation=world.organisations["school_a"],
        defaults={"code": f"{world.province.code}0A001", "first_level": "preschool", "last_level": "primary"},
    )
    name = f"Trường THCS {world.commune_a.name.removeprefix('Phường ').removeprefix('Xã ')}"
    organisation, _ = Organisation.objects.get_or_create(
        name=name, kind=OrganisationKind.SCHOOL, area=world.commune_a
    )
    lower, _ = School.objects.get_or_create(
        organisation=organisation,
        defaults={
            "code": f"{world.province.code}0A002",
            "first_level": "lower_secondary",
            "last_level": "upper_secondary",
        },
    )
    return primary, lower


def demo(world: DemoWorld, *, seed: int = 2026) -> int:
    """The demo's schooling; returns how many enrolments it made. Idempotent: a second run adds nothing."""
    primary, lower = _schools(world)
    if primary.enrolments.exists():
        return 0
    rng = random.Random(seed)
    u = {name: user for name, (user, _label) in world.users.items()}
    officer, teacher = u["commune.officer"], u["school"]
    today = clock.today()
    year = ages.school_year_of(today)
    # The first day of teaching (5 September), or the start of Haven's school year before it comes.
    start = dt.date(year, 9, 5) if today >= dt.date(year, 9, 5) else ages.year_start(year)
    made = 0
    pupils = []
    children = Child.objects.filter(current_commune=world.commune_a, date_of_birth__isnull=False).order_by(
        "pk"
    )
    for child in children:
        expected = ages.expected(child.date_of_birth.year, year)
        if expected is None:
            continue
        school = primary if expected.level in (ages.Level.PRESCHOOL, ages.Level.PRIMARY) else lower
        roll = rng.random()
        try:
            if roll < 0.08:
                continue  # never enrolled: the roster shows them
            if roll < 0.13 and expected.level != ages.Level.UPPER_SECONDARY:
                services.enrolment_request(
                    actor=officer,
                    child=child,
                    school=school,
                    school_year=year,
                    level=expected.level,
                    grade=expected.grade,
                    note="Gia đình đã đồng ý; hồ sơ giấy tờ bổ sung sau",
                )
            else:
                enrolment = services.enrolment_record(
                    actor=officer,
                    child=child,
                    school=school,
                    school_year=year,
                    level=expected.level,
                    grade=expected.grade,
                    started_on=start,
                    class_name=f"{expected.grade}{rng.choice('ABC')}"
                    if expected.level != ages.Level.PRESCHOOL
                    else "",
                )
                if school == primary and expected.level == ages.Level.PRIMARY:
                    pupils.append(enrolment)
            made += 1
        except (ValidationError, Refused):
            continue
    _late_first_grade(world, officer, primary, year, start)
    _attendance(teacher, primary, pupils, today, rng)
    if len(pupils) > 3:
        dropped = pupils.pop()
        services.enrolment_leave(actor=teacher, enrolment=dropped, ended_on=today, reason="dropped_out")
    return made


def _late_first_grade(world, officer, school, year: int, start: dt.date) -> None:
    """A found girl of 8 by calendar year enrolled in grade 1 with the lawful basis recorded (an orphan
    without support, Law on Education 2019 art. 28(2)(b)), and without a PIN yet."""
    from haven.people import services as people

    girl = people.child_create(
        actor=officer,
        family_name="Hà",
        middle_name="Thị",
        given_name="Thu Trang",
        sex="female",
        date_of_birth=dt.date(year - 8, 1, 1),
        date_of_birth_estimated=True,
        current_commune=world.commune_a,
    )
    try:
        services.enrolment_record(
            actor=officer,
            child=girl,
            school=school,
            school_year=year,
            level="primary",
            grade=1,
            started_on=start,
            age_basis="orphan",
        )
    except (ValidationError, Refused):
        pass


def _attendance(teacher, school, pupils, today: dt.date, rng: random.Random) -> None:
    """Two weeks of working days marked by the school; one pupil absent without leave for the last five."""
    days = [today - dt.timedelta(days=k) for k in range(1, 20)]
    days = [d for d in days if d.weekday() < 5 and d >= (pupils[0].started_on if pupils else today)][:10]
    if not pupils or not days:
        return
    absent = pupils[0]
    lines: list[Line] = []
    n = 0
    for enrolment in pupils:
        for day in days:
            if rng.random() < 0.05:
                continue  # not marked that day: unknown
            if enrolment is absent and day >= sorted(days)[-5]:
                mark = "unexcused"
            else:
                mark = rng.choices(["present", "late", "excused", "unexcused"], weights=[90, 4, 4, 2])[0]
            n += 1
            lines.append(Line(n, str(enrolment.pk), day, mark))
    lines = [
        line for line in lines if not (line.enrolment_id == str(absent.pk) and line.day >= sorted(days)[-5])
    ]
    for day in sorted(days)[-5:]:
        n += 1
        lines.append(Line(n, str(absent.pk), day, "unexcused"))
    services.attendance_record(actor=teacher, school=school, lines=lines, partial=True)
