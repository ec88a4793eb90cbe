"""The school-age roster, computed from Haven's own register of children, never typed: for every child
Haven follows (in care, in a protection case, found, a child of the prevention work — every child of
the register), the level and grade expected this school year from the year of birth (an estimated
year said so), and a status:

- **enrolled**, or **over-age by k** when older than the standard age for the grade without a
  recorded lawful basis (a lawful over-age entry is enrolled, not failing);
- **late entry expected**: never at school, but a school has been asked to take the child;
- **dropped out**: was at school, has no current enrolment;
- **never enrolled**.

The out-of-school profile follows UNICEF's five dimensions (OOSCI): 1 preschool age, 2 primary age,
3 lower-secondary age out of school; 4 in primary and 5 in lower secondary at risk of dropping out
(risk.py). Upper-secondary age out of school is counted beside them.

A few grouped queries for any number of children, then one pass in Python (bench/ measures a province).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from haven.core import calendar
from haven.education import ages, risk
from haven.education.ages import Level
from haven.education.models import Attendance, Enrolment, Mark, School, State
from haven.lib.vietnamese import full_name
from haven.people.models import CircumstanceGroup, SpecialCircumstance


class Status(enum.StrEnum):
    ENROLLED = "enrolled"
    OVER_AGE = "over_age"
    LATE_ENTRY = "late_entry"
    DROPPED_OUT = "dropped_out"
    NEVER_ENROLLED = "never_enrolled"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def out_of_school(self) -> bool:
        return self in (Status.LATE_ENTRY, Status.DROPPED_OUT, Status.NEVER_ENROLLED)


STATUS_LABELS = {
    Status.ENROLLED: _("Enrolled"),
    Status.OVER_AGE: _("Over-age"),
    Status.LATE_ENTRY: _("Late entry expected"),
    Status.DROPPED_OUT: _("Dropped out"),
    Status.NEVER_ENROLLED: _("Never enrolled"),
}


class Dimension(enum.StrEnum):
    """UNICEF's five dimensions of exclusion (OOSCI), and the upper-secondary age beside them."""

    PRESCHOOL_OUT = "dim1"
    PRIMARY_OUT = "dim2"
    LOWER_OUT = "dim3"
    PRIMARY_AT_RISK = "dim4"
    LOWER_AT_RISK = "dim5"
    UPPER_OUT = "upper"


DIMENSION_LABELS = {
    Dimension.PRESCHOOL_OUT: _("1. Preschool age (3–5), not at school"),
    Dimension.PRIMARY_OUT: _("2. Primary age, not at school"),
    Dimension.LOWER_OUT: _("3. Lower-secondary age, not at school"),
    Dimension.PRIMARY_AT_RISK: _("4. In primary, at risk of dropping out"),
    Dimension.LOWER_AT_RISK: _("5. In lower secondary, at risk of dropping out"),
    Dimension.UPPER_OUT: _("Upper-secondary age, not at school"),
}
OUT_BY_LEVEL = {
    Level.PRESCHOOL: Dimension.PRESCHOOL_OUT,
    Level.PRIMARY: Dimension.PRIMARY_OUT,
    Level.LOWER_SECONDARY: Dimension.LOWER_OUT,
    Level.UPPER_SECONDARY: Dimension.UPPER_OUT,
}
AT_RISK_BY_LEVEL = {Level.PRIMARY: Dimension.PRIMARY_AT_RISK, Level.LOWER_SECONDARY: Dimension.LOWER_AT_RISK}


@dataclass(slots=True)
class Row:
    child_id: object
    names: tuple[str, str, str]  # family, middle, given: joined when shown, not for a province's counts
    sex: str
    commune_id: int
    birth_year: int
    estimated: bool
    expected: ages.Expected
    status: Status
    over_by: int = 0
    lawful_over_age: bool = False
    school: str = ""
    level: str = ""
    grade: int | None = None
    without_pin: bool = False
    score: risk.Score | None = None
    facts: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return full_name(*self.names)

    @property
    def dimension(self) -> Dimension | None:
        if self.status.out_of_school:
            return OUT_BY_LEVEL[self.expected.level]
        if self.score is not None and self.score.at_risk:
            return AT_RISK_BY_LEVEL.get(Level(self.level))
        return None

    @property
    def status_label(self) -> str:
        if self.status is Status.OVER_AGE:
            return str(_("Over-age by %(k)s year(s)") % {"k": self.over_by})
        return self.status.label


def _risk_facts(child_ids: QuerySet, enrolment_ids: QuerySet, on: dt.date, over: dict) -> dict:
    """What the risk criteria read, for every child at once: a grouped query per criterion."""
    from haven.care.models import CaregiverChange, Placement

    facts: dict = defaultdict(dict)
    month_ago, year_ago = on - dt.timedelta(days=30), calendar.add_months(on, -12)
    for child, n in (
        Attendance.objects.filter(
            enrolment_id__in=enrolment_ids, mark=Mark.UNEXCUSED, day__gt=month_ago, day__lte=on
        )
        .values_list("enrolment__child_id")
        .annotate(n=Count("pk"))
    ):
        facts[child]["absences"] = n
    # A change of placement: every placement begun in the last 12 months after an earlier one.
    placed_before = set(
        Placement.objects.filter(child_id__in=child_ids, started_on__lte=year_ago).values_list(
            "child_id", flat=True
        )
    )
    for child, n in (
        Placement.objects.filter(child_id__in=child_ids, started_on__gt=year_ago, started_on__lte=on)
        .values_list("child_id")
        .annotate(n=Count("pk"))
    ):
        facts[child]["placements"] = n - 1 + (child in placed_before)
    for child in (
        SpecialCircumstance.objects.in_force(on)
        .filter(child_id__in=child_ids, group=CircumstanceGroup.HCDB_D)
        .values_list("child_id", flat=True)
    ):
        facts[child]["disability"] = 1
    for child, n in (
        CaregiverChange.objects.filter(child_id__in=child_ids, on__gt=year_ago, on__lte=on)
        .values_list("child_id")
        .annotate(n=Count("pk"))
    ):
        facts[child]["carers"] = n
    for child, k in over.items():
        facts[child]["over_age"] = k
    return facts


def compute(children: QuerySet, on: dt.date, *, with_risk: bool = True) -> list[Row]:
    """The roster of ``children`` (a queryset of Child, already scoped) on the day ``on``."""
    year = ages.school_year_of(on)
    oldest = year - max(r.last_age for r in ages.level_rules(year))
    youngest = year - min(r.entry_age for r in ages.level_rules(year))
    base = children.filter(
        date_of_birth__isnull=False,
        date_of_birth__year__gte=oldest,
        date_of_birth__year__lte=youngest,
        merged_into__isnull=True,
    )
    rows = list(
        base.values_list(
            "id",
            "family_name",
            "middle_name",
            "given_name",
            "sex",
            "current_commune_id",
            "date_of_birth",
            "date_of_birth_estimated",
            "pin_index",
        )
    )
    ids = base.values("id")
    current: dict = {}
    schools: set = set()
    requested: set = set()
    attended: set = set()
    for child, state, school_year, level, grade, basis, school, started in (
        Enrolment.objects.filter(child_id__in=ids)
        .filter(Q(school_year=year) | Q(started_on__isnull=False))
        .values_list(
            "child_id",
            "state",
            "school_year",
            "level",
            "grade",
            "age_basis",
            "school_id",
            "started_on",
        )
    ):
        if school_year == year and state == State.ENROLLED:
            current[child] = (level, grade, basis, school)
            schools.add(school)
        elif school_year == year and state == State.REQUESTED:
            requested.add(child)
        if started is not None and started <= on:
            attended.add(child)
    # The schools' names once each, not once per pupil.
    school_names = dict(School.objects.filter(pk__in=schools).values_list("pk", "organisation__name"))
    out: list[Row] = []
    over: dict = {}
    # A province has hundreds of thousands of children but a dozen years of birth and grades: the age
    # rules are read once for each.
    expectations: dict[int, ages.Expected | None] = {}
    over_ages: dict[tuple, int] = {}
    for child, family, middle, given, sex, commune, born, estimated, pin in rows:
        if born.year not in expectations:
            expectations[born.year] = ages.expected(born.year, year)
        expected = expectations[born.year]
        if expected is None:
            continue
        row = Row(
            child_id=child,
            names=(family, middle, given),
            sex=sex,
            commune_id=commune,
            birth_year=born.year,
            estimated=estimated,
            expected=expected,
            status=Status.NEVER_ENROLLED,
        )
        if child in current:
            level, grade, basis, school = current[child]
            row.level, row.grade, row.school = level, grade, school_names.get(school, "")
            key = (born.year, level, grade)
            if key not in over_ages:
                over_ages[key] = max(0, ages.over_age_years(born.year, year, level, grade))
            row.over_by = over_ages[key]
            row.lawful_over_age = row.over_by > 0 and bool(basis)
            row.status = Status.OVER_AGE if row.over_by > 0 and not basis else Status.ENROLLED
            row.without_pin = not pin
            if row.over_by:
                over[child] = row.over_by
        elif child in requested:
            row.status = Status.LATE_ENTRY
        elif child in attended:
            row.status = Status.DROPPED_OUT
        out.append(row)
    if with_risk and current:
        # A subquery, not a list: a province's 100,000 pupils would make one enormous IN list.
        enrolled = Enrolment.objects.filter(child_id__in=ids, school_year=year, state=State.ENROLLED).values(
            "pk"
        )
        facts = _risk_facts(ids, enrolled, on, over)
        score = risk.scorer(on)
        for row in out:
            if row.child_id in current:
                row.facts = facts.get(row.child_id, {})
                row.score = score(row.facts)
    return out


PROFILE_KEYS = ("school_age", "without_pin", *(s.value for s in Status), *(d.value for d in Dimension))


def empty_profile() -> dict[str, int]:
    return dict.fromkeys(PROFILE_KEYS, 0)


def profile(rows: list[Row]) -> dict[int, dict[str, int]]:
    """By commune: children of school age, by status and by dimension (every key present)."""
    counts: dict[int, dict[str, int]] = defaultdict(empty_profile)
    for row in rows:
        c = counts[row.commune_id]
        c["school_age"] += 1
        c[row.status.value] += 1
        if row.dimension is not None:
            c[row.dimension.value] += 1
        if row.without_pin:
            c["without_pin"] += 1
    return counts
