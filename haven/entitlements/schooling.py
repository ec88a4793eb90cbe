"""What the law gives a pupil Haven follows, derived from the enrolment and the child's groups: never
typed, and handed to the commune as Haven's proposals (proposals.py) for the chairman to decide.

- **Tuition** (Resolution 217/2025/QH15, from the school year 2025–2026): free at a public preschool or
  general school (art. 1); a pupil of a private school is supported at the rate the province's People's
  Council sets, at most the school's own fee (art. 2). Decree 238/2025/NĐ-CP (in force 3 September
  2025) replaced Decree 81/2021/NĐ-CP and lists the exempt groups.
- **Learning-cost support** (Decree 81/2021 art. 18 and 20(10); Decree 238/2025 from 3 September
  2025): for a pupil orphaned of both parents, with a disability, or of a poor or near-poor household
  (the groups of art. 18 that Haven can read from the child's circumstances, Law on Children art. 10 a,
  d and n), 150,000 đồng a month for the months actually studied, at most 9 a school year, paid twice a
  year at the start of each semester.

Each rule is a dated row with its citation and whether its value was read in the text (``verified``,
after the research's confidence marks); the amounts are ``Parameter`` rows (a province's tuition rate
by level, the national learning-cost amount) that the Ministry or the province keeps. Decree 238's
articles were not read: whether it kept 150,000 đồng and the 9 months is not verified, and the pages
say so.

Haven's readings (not in the texts read):

- the first semester runs from the school year's start (1 August, education/ages.py) to the end of
  December, the second from January to the end of May, when teaching ends;
- a month counts when the child was enrolled on one of its days; at a semester's start an enrolment
  still open counts to the semester's end (the law pays at the start); a semester in which the child
  was enrolled on no day is not paid, so the support stops with the enrolment;
- every month of a semester is paid at the amount in force on the semester's first day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core.dated import DatedFields
from haven.entitlements.amounts import RuleBook, month_of, next_month
from haven.entitlements.models import (
    TUITION_KEY_OF_LEVEL,
    Ground,
    Instalment,
    Parameter,
    ParameterKey,
    Programme,
)
from haven.people.models import CircumstanceGroup

DECREE_81_IN_FORCE = dt.date(2021, 10, 15)
DECREE_238_IN_FORCE = dt.date(2025, 9, 3)
FREE_FROM = dt.date(2025, 9, 1)  # the school year 2025–2026


@dataclass(frozen=True)
class CodeRule(DatedFields):
    """A rule held in code: its citation, whether its value was read in the text, and why not."""

    citation: str | Promise
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None
    note: str | Promise


@dataclass(frozen=True)
class TuitionRule(CodeRule):
    public: bool
    exempt: bool


@dataclass(frozen=True)
class SupportGroup(CodeRule):
    """A group of the learning-cost support, as Haven reads it from a child's circumstance."""

    group: str
    ground: str

    @property
    def label(self) -> str:
        return str(Ground(self.ground).label)


@dataclass(frozen=True)
class Schedule(CodeRule):
    """How the learning-cost support is paid: at most ``max_months`` a school year, by the semester."""

    max_months: int


NOT_READ_238 = gettext_lazy(
    "The articles of Decree 238/2025/NĐ-CP were not read: the value is carried over from Decree "
    "81/2021/NĐ-CP, not verified."
)
TUITION: tuple[TuitionRule, ...] = (
    TuitionRule(
        gettext_lazy("Resolution 217/2025/QH15 art. 1"),
        True,
        FREE_FROM,
        None,
        "",
        public=True,
        exempt=True,
    ),
    TuitionRule(
        gettext_lazy("Resolution 217/2025/QH15 art. 2"),
        True,
        FREE_FROM,
        None,
        "",
        public=False,
        exempt=False,
    ),
)
_GROUPS = (
    (CircumstanceGroup.HCDB_A, Ground.PUPIL_ORPHAN),
    (CircumstanceGroup.HCDB_D, Ground.PUPIL_DISABILITY),
    # Art. 10 n: a child seriously or long ill in a poor or near-poor household.
    (CircumstanceGroup.HCDB_N, Ground.PUPIL_POOR),
)
GROUPS: tuple[SupportGroup, ...] = tuple(
    SupportGroup(
        gettext_lazy("Decree 81/2021/NĐ-CP art. 18"),
        False,
        DECREE_81_IN_FORCE,
        DECREE_238_IN_FORCE,
        gettext_lazy("The list of groups is known from summaries; the article itself was not read."),
        group=group,
        ground=ground,
    )
    for group, ground in _GROUPS
) + tuple(
    SupportGroup(
        gettext_lazy("Decree 238/2025/NĐ-CP (replacing Decree 81/2021/NĐ-CP art. 18)"),
        False,
        DECREE_238_IN_FORCE,
        None,
        NOT_READ_238,
        group=group,
        ground=ground,
    )
    for group, ground in _GROUPS
)
SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        gettext_lazy("Decree 81/2021/NĐ-CP art. 20(10)"),
        True,
        DECREE_81_IN_FORCE,
        DECREE_238_IN_FORCE,
        gettext_lazy("Read in the article as quoted in full by a legal portal."),
        max_months=9,
    ),
    Schedule(
        gettext_lazy("Decree 238/2025/NĐ-CP (replacing Decree 81/2021/NĐ-CP art. 20(10))"),
        False,
        DECREE_238_IN_FORCE,
        None,
        NOT_READ_238,
        max_months=9,
    ),
)


def _in_force(rows, on: dt.date):
    return next((r for r in rows if r.in_force_on(on)), None)


def schedule_on(on: dt.date) -> Schedule | None:
    return _in_force(SCHEDULES, on)


def groups_on(on: dt.date) -> list[SupportGroup]:
    return [g for g in GROUPS if g.in_force_on(on)]


# --- The school year's two semesters -------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A semester of a school year: ``[first, until)``, months as their first day."""

    year: int
    semester: int
    first: dt.date
    until: dt.date

    @property
    def label(self) -> str:
        which = _("First semester") if self.semester == 1 else _("Second semester")
        return f"{which} {self.year}–{self.year + 1}"


def terms(year: int) -> tuple[Term, Term]:
    from haven.education.ages import year_start

    new_year = dt.date(year + 1, 1, 1)
    return Term(year, 1, year_start(year), new_year), Term(year, 2, new_year, dt.date(year + 1, 6, 1))


def term_of(day: dt.date) -> Term:
    """The semester a day falls in (June and July: the second semester of the year then ending)."""
    from haven.education.ages import school_year_of

    first, second = terms(school_year_of(day))
    return first if day < first.until else second


def months_enrolled(enrolment, term: Term) -> list[dt.date]:
    """The months of ``term`` on one day of which the child was enrolled (an open enrolment: to the
    semester's end)."""
    if enrolment.started_on is None:
        return []
    found, month = [], term.first
    while month < term.until:
        following = next_month(month)
        if enrolment.started_on < following and (enrolment.ended_on is None or enrolment.ended_on > month):
            found.append(month)
        month = following
    return found


# --- What is due for one enrolment ----------------------------------------------------------------


@dataclass(frozen=True)
class Tuition:
    """Free at a public school; at a private school the province's rate (at most the school's fee), or
    the reason there is none yet. ``rule`` None: no rule of tuition for that school year."""

    rule: TuitionRule | None
    monthly: int | None = None
    parameter: Parameter | None = None
    capped: bool = False
    missing: str = ""

    @property
    def exempt(self) -> bool:
        return self.rule is not None and self.rule.exempt

    @property
    def supported(self) -> bool:
        return self.rule is not None and not self.rule.exempt

    @property
    def verified(self) -> bool:
        return bool(self.rule and self.rule.verified and (self.parameter is None or self.parameter.verified))


@dataclass(frozen=True)
class LearningCosts:
    """The learning-cost support of an eligible pupil: the group, the amount of a month and the
    schedule, or why no amount is in force."""

    group: SupportGroup
    schedule: Schedule | None
    monthly: int | None = None
    parameter: Parameter | None = None
    missing: str = ""

    @property
    def verified(self) -> bool:
        return bool(
            self.group.verified
            and self.schedule
            and self.schedule.verified
            and self.parameter
            and self.parameter.verified
        )

    @property
    def max_months(self) -> int | None:
        return self.schedule.max_months if self.schedule else None


@dataclass(frozen=True)
class PupilDue:
    enrolment: object
    term: Term
    tuition: Tuition
    learning: LearningCosts | None
    groups: tuple[SupportGroup, ...]


def tuition_on(book: RuleBook, school, level: str, province_id: int | None, on: dt.date) -> Tuition:
    rule = next((r for r in TUITION if r.public == school.public and r.in_force_on(on)), None)
    if rule is None:
        return Tuition(None, missing=_("No rule of tuition is recorded for this school year."))
    if rule.exempt:
        return Tuition(rule)
    key = TUITION_KEY_OF_LEVEL.get(level)
    rate = book.base(on, province_id, key) if key else None
    if rate is None or rate.province_id is None:
        return Tuition(rule, missing=_("To be set by the province: no rate of tuition support is recorded."))
    fee = school.monthly_fee
    if fee is not None and fee < rate.value:
        return Tuition(rule, fee, rate, capped=True)
    return Tuition(rule, rate.value, rate)


def learning_costs_on(book: RuleBook, group: SupportGroup, on: dt.date) -> LearningCosts:
    schedule = schedule_on(on)
    amount = book.base(on, None, ParameterKey.LEARNING_COSTS)
    if amount is None:
        return LearningCosts(group, schedule, missing=_("No amount of learning-cost support is in force."))
    return LearningCosts(group, schedule, amount.value, amount)


def eligible_groups(circumstances: set[str], on: dt.date) -> tuple[SupportGroup, ...]:
    """The groups of the learning-cost support a child's circumstances in force give, in the law's
    order."""
    return tuple(g for g in groups_on(on) if g.group in circumstances)


def due(enrolment, circumstances: set[str], on: dt.date, book: RuleBook | None = None) -> PupilDue:
    """What is due for ``enrolment`` in the semester of ``on`` (or the enrolment's first semester when
    ``on`` is before it): tuition, and the learning-cost support if the child is in a group."""
    book = book or RuleBook.load()
    first, second = terms(enrolment.school_year)
    term = first if on < first.until else second
    province_id = enrolment.child.current_commune.parent_id if enrolment.child.current_commune_id else None
    reference = max(on, term.first)
    groups = eligible_groups(circumstances, reference)
    learning = learning_costs_on(book, groups[0], reference) if groups else None
    return PupilDue(
        enrolment,
        term,
        tuition_on(book, enrolment.school, enrolment.level, province_id, reference),
        learning,
        groups,
    )


def circumstances_of(child, on: dt.date) -> set[str]:
    from haven.people.models import SpecialCircumstance

    return set(SpecialCircumstance.objects.in_force(on).filter(child=child).values_list("group", flat=True))


def ground_of_programme(programme: str, groups: tuple[SupportGroup, ...]) -> str | None:
    if programme == Programme.TUITION_SUPPORT:
        return Ground.PRIVATE_SCHOOL
    return groups[0].ground if groups else None


# --- One semester's instalment ---------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """What a semester pays a pupil: the months counted (within the year's cap), the amount a month,
    and every input; ``missing`` when nothing can be paid."""

    term: Term
    months: tuple[dt.date, ...]
    monthly: int | None
    parameter: Parameter | None
    verified: bool
    capped_by_fee: bool = False
    missing: str = ""

    @property
    def amount(self) -> int | None:
        return None if self.monthly is None else self.monthly * len(self.months)


def count_term(application, term: Term, book: RuleBook, *, paid_months: int = 0) -> Counted:
    """The instalment ``application`` (a decided support) gives for ``term``: the months of the term the
    child was enrolled, at most what the year's cap leaves after ``paid_months`` already paid."""
    enrolment = application.enrolment
    months = months_enrolled(enrolment, term)
    if not months:
        return Counted(term, (), None, None, False, missing=_("The child was not enrolled in this semester."))
    if application.programme == Programme.TUITION_SUPPORT:
        province_id = application.commune.parent_id
        found = tuition_on(book, enrolment.school, enrolment.level, province_id, term.first)
        if found.monthly is None:
            return Counted(term, tuple(months), None, None, False, missing=found.missing)
        return Counted(term, tuple(months), found.monthly, found.parameter, found.verified, found.capped)
    group = next((g for g in groups_on(term.first) if g.ground == application.ground), None)
    schedule = schedule_on(term.first)
    amount = book.base(term.first, None, ParameterKey.LEARNING_COSTS)
    if amount is None or schedule is None:
        missing = _("No amount of learning-cost support is in force.")
        return Counted(term, tuple(months), None, None, False, missing=missing)
    left = max(schedule.max_months - paid_months, 0)
    if left == 0:
        return Counted(
            term,
            (),
            None,
            None,
            False,
            missing=_("The months of this school year are all paid (at most %(n)s).")
            % {"n": schedule.max_months},
        )
    verified = bool(schedule.verified and amount.verified and (group is None or group.verified))
    return Counted(term, tuple(months[:left]), amount.value, amount, verified)


def paid_months(child, programme: str, year: int, *, besides: int | None = None) -> int:
    rows = Instalment.objects.filter(child=child, programme=programme, school_year=year)
    if besides is not None:
        rows = rows.exclude(semester=besides)
    return rows.aggregate(n=Sum("months"))["n"] or 0


def first_month(enrolment) -> dt.date:
    """The first month a pupil's support covers: the enrolment's start, within its school year."""
    first, _second = terms(enrolment.school_year)
    return max(month_of(enrolment.started_on), first.first) if enrolment.started_on else first.first
