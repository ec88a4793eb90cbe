"""The age rules of schooling as dated data: which level and grade a child is expected in, when an
older-than-standard entry is lawful, and how late a first grade may start.

- Ages are counted **by calendar year** ("tính theo năm"): the age in school year Y–Y+1 is Y minus the
  year of birth; the day and month of birth are not used (Law on Education 43/2019/QH14 art. 28(1)).
  So a foundling whose birth year was estimated (Decree 123/2015 art. 14) moves a whole grade with the
  estimate: the roster says the year is estimated.
- Entry ages: preschool from 3 (Resolution 218/2025/QH15 makes preschool universal for 3–5), primary
  at 6 for 5 grades, lower secondary at 11 for 4, upper secondary at 15 for 3 (art. 28(1)(a)–(c)).
- Older than the standard age is lawful for the groups of art. 28(2)(b) (repeaters, ethnic minorities,
  children with disabilities or delayed development, orphans without support, poor households, very
  difficult areas, children back from abroad).
- A first grade starts at most **3 years** late for the groups of Circular 28/2020/TT-BGDĐT art. 33(1);
  beyond that the education authority decides (art. 33(2): the head of the district education office,
  abolished on 1 July 2025 with the districts, so Haven records who decided and by what act).

Each rule is a dated row with its citation and whether Haven's team read the value in the text
(``verified``, after the confidence marks of the domain research); a rule that changes gets a new row,
never an edit of the old one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields

LAW_43 = _("Law on Education 43/2019/QH14 art. 28(1)")
LAW_43_OVER_AGE = _("Law on Education 43/2019/QH14 art. 28(2)(b)")
CIRCULAR_28 = _("Circular 28/2020/TT-BGDĐT (Primary School Charter) art. 33(1)–(2)")
RESOLUTION_218 = _("Resolution 218/2025/QH15 on universal preschool education for children aged 3 to 5")


class Level(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool (kindergarten)")
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")


LEVEL_ORDER = (Level.PRESCHOOL, Level.PRIMARY, Level.LOWER_SECONDARY, Level.UPPER_SECONDARY)


class AgeBasis(models.TextChoices):
    """Why an older-than-standard entry is lawful: the groups of Law on Education 2019 art. 28(2)(b)
    (and Circular 28/2020 art. 33(1) for a late first grade, which names the same groups)."""

    REPEATER = "repeater", _("Repeating a grade")
    ETHNIC_MINORITY = "ethnic_minority", _("Ethnic minority")
    DISABILITY = "disability", _("Child with a disability")
    DELAYED_DEVELOPMENT = "delayed_development", _("Delayed physical or intellectual development")
    ORPHAN = "orphan", _("Orphan without support")
    POOR_HOUSEHOLD = "poor_household", _("Poor household")
    DIFFICULT_AREA = "difficult_area", _("Living in an extremely difficult area")
    FROM_ABROAD = "from_abroad", _("Returned from abroad")


# A late first grade: the groups Circular 28/2020 art. 33(1) names (a repeater cannot enter grade 1
# late, and a poor household is not among them).
LATE_FIRST_GRADE_BASES = frozenset(
    {
        AgeBasis.DISABILITY,
        AgeBasis.DELAYED_DEVELOPMENT,
        AgeBasis.DIFFICULT_AREA,
        AgeBasis.ETHNIC_MINORITY,
        AgeBasis.ORPHAN,
        AgeBasis.FROM_ABROAD,
    }
)


@dataclass(frozen=True)
class LevelRule(DatedFields):
    """A level's entry age (by calendar year) and its grades. Preschool's "grades" are its classes by
    age (the class of 3-, 4- and 5-year-olds), numbered by that age."""

    level: Level
    entry_age: int
    first_grade: int
    last_grade: int
    citation: str | Promise
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None = None

    @property
    def grades(self) -> range:
        return range(self.first_grade, self.last_grade + 1)

    @property
    def last_age(self) -> int:
        return self.entry_age + self.last_grade - self.first_grade

    def expected_grade(self, age: int) -> int:
        return self.first_grade + age - self.entry_age


@dataclass(frozen=True)
class LateEntryRule(DatedFields):
    """How many years late a first grade may start for the groups of ``bases`` before the education
    authority must decide."""

    cap_years: int
    bases: frozenset
    citation: str | Promise
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None = None


SINCE_2019 = dt.date(2020, 7, 1)  # Law 43/2019 in force
LEVELS: tuple[LevelRule, ...] = (
    # Universal preschool for 3–5 (Resolution 218/2025/QH15, adopted 26 June 2025, in force on
    # adoption); the preschool classes by age are Haven's reading of the Preschool Charter [U].
    LevelRule(Level.PRESCHOOL, 3, 3, 5, RESOLUTION_218, False, dt.date(2025, 6, 26)),
    LevelRule(Level.PRIMARY, 6, 1, 5, LAW_43, True, SINCE_2019),
    LevelRule(Level.LOWER_SECONDARY, 11, 6, 9, LAW_43, True, SINCE_2019),
    LevelRule(Level.UPPER_SECONDARY, 15, 10, 12, LAW_43, True, SINCE_2019),
)
LATE_ENTRY: tuple[LateEntryRule, ...] = (
    LateEntryRule(3, LATE_FIRST_GRADE_BASES, CIRCULAR_28, True, dt.date(2020, 10, 20)),
)

# Haven's counting of a school year (design choice, [U]): school year Y–Y+1 runs from 1 August Y, so the
# roster of the coming year is shown from the summer's enrolment drive; teaching runs from 1 September
# to 31 May (the Ministry's yearly time frame moves these by a few days), and days out of school are
# counted within it.
YEAR_TURNS = (8, 1)
TERM_BEGINS = (9, 1)
TERM_ENDS = (5, 31)


def _in_force(rows, on: dt.date):
    return [r for r in rows if r.in_force_on(on)]


def school_year_of(day: dt.date) -> int:
    """The school year a day belongs to, named by the year it starts in (2025 for 2025–2026)."""
    return day.year if (day.month, day.day) >= YEAR_TURNS else day.year - 1


def year_start(year: int) -> dt.date:
    return dt.date(year, *YEAR_TURNS)


def age_in(year: int, birth_year: int) -> int:
    """The age by calendar year in school year ``year`` (Law on Education 2019 art. 28(1))."""
    return year - birth_year


def level_rules(year: int) -> list[LevelRule]:
    return _in_force(LEVELS, year_start(year))


def rule_of(level: str, year: int) -> LevelRule | None:
    return next((r for r in level_rules(year) if r.level == level), None)


def grade_exists(level: str, grade: int, year: int) -> bool:
    found = rule_of(level, year)
    return found is not None and grade in found.grades


@dataclass(frozen=True)
class Expected:
    level: Level
    grade: int
    rule: LevelRule


def expected(birth_year: int, year: int) -> Expected | None:
    """The level and grade a child born in ``birth_year`` is expected in during school year ``year``;
    None outside school age (under 3, or past the last grade's age)."""
    age = age_in(year, birth_year)
    for rule in level_rules(year):
        if rule.entry_age <= age <= rule.last_age:
            return Expected(rule.level, rule.expected_grade(age), rule)
    return None


def school_age(birth_year: int, year: int) -> bool:
    return expected(birth_year, year) is not None


def over_age_years(birth_year: int, year: int, level: str, grade: int) -> int:
    """How many years older than the standard age for ``grade`` the child is (negative: younger)."""
    rule = rule_of(level, year)
    if rule is None:
        return 0
    standard = rule.entry_age + grade - rule.first_grade
    return age_in(year, birth_year) - standard


@dataclass(frozen=True)
class AgeCheck:
    over_by: int
    # Older than the standard age: lawful only for the groups of art. 28(2)(b), recorded as a decision.
    needs_basis: bool
    # A first grade more than the cap late: the education authority decides (Circular 28/2020 art. 33(2)).
    needs_authority: bool
    # The groups the basis may be chosen from.
    bases: frozenset
    citation: str | Promise


def check(birth_year: int, year: int, level: str, grade: int) -> AgeCheck:
    """What an enrolment of a child born in ``birth_year`` in ``grade`` of ``level`` requires."""
    over = over_age_years(birth_year, year, level, grade)
    first_grade = level == Level.PRIMARY and grade == 1
    if over <= 0:
        return AgeCheck(over, False, False, frozenset(), LAW_43)
    if first_grade:
        late = _in_force(LATE_ENTRY, year_start(year))
        rule = late[0] if late else None
        cap = rule.cap_years if rule else 0
        return AgeCheck(
            over,
            True,
            over > cap,
            rule.bases if rule else frozenset(AgeBasis),
            CIRCULAR_28,
        )
    return AgeCheck(over, True, False, frozenset(AgeBasis), LAW_43_OVER_AGE)


def term_days(begin: dt.date, end: dt.date) -> int:
    """The days of teaching in ``[begin, end)``: from 1 September to 31 May of each school year."""
    if end <= begin:
        return 0
    days = 0
    for year in range(school_year_of(begin) - 1, school_year_of(end) + 1):
        term_from = dt.date(year, *TERM_BEGINS)
        term_to = dt.date(year + 1, *TERM_ENDS) + dt.timedelta(days=1)
        lo, hi = max(begin, term_from), min(end, term_to)
        if hi > lo:
            days += (hi - lo).days
    return days
