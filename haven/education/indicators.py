"""School for every child's figures for the indicator registry (reports/registry.py), registered when
the app starts. Children are counted in the commune where they live (the roster's commune); the days
out of school after a move in the commune the child moved to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from haven.education import continuity, roster
from haven.education.ages import Level
from haven.education.models import SchoolMove
from haven.people.models import Child
from haven.reports.compute import Fact, Window
from haven.reports.registry import Breakdown, Dimension, Indicator, Unit, register

NOTICE = _("Notice 432-TB/VPTW, part 4.1(ii); Law on Education 43/2019/QH14 art. 28")


def _rows(window: Window) -> list[roster.Row]:
    return roster.compute(Child.objects.all(), window.on)


def out_of_school(window: Window):
    """UNICEF's five dimensions (OOSCI) by commune: out of school by the age of a level, and at risk in
    primary and lower secondary."""
    totals: dict[int, int] = defaultdict(int)
    by: dict[tuple[int, str], int] = defaultdict(int)
    for row in _rows(window):
        dimension = row.dimension
        if dimension is None:
            continue
        totals[row.commune_id] += 1
        by[row.commune_id, dimension.value] += 1
    for area, n in totals.items():
        yield Fact(area, "", "", n)
    for (area, category), n in by.items():
        yield Fact(area, str(Dimension.CATEGORY), category, n)


def preschool(window: Window):
    """Children aged 3 to 5 (by calendar year) enrolled, against all of them (Resolution 218/2025)."""
    counted: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in _rows(window):
        if row.expected.level != Level.PRESCHOOL:
            continue
        enrolled = not row.status.out_of_school
        for key in ((row.commune_id, ""), (row.commune_id, row.sex)):
            counted[key][0] += enrolled
            counted[key][1] += 1
    for (area, sex), (n, d) in counted.items():
        yield Fact(area, str(Dimension.SEX) if sex else "", sex, n, d)


def without_pin(window: Window):
    counted: dict[int, int] = defaultdict(int)
    for row in _rows(window):
        if row.without_pin:
            counted[row.commune_id] += 1
    for area, n in counted.items():
        yield Fact(area, "", "", n)


def days_out_after_moves(window: Window):
    """Teaching days out of school after the moves of the period, in the commune moved to."""
    counted: dict[int, int] = defaultdict(int)
    on = window.on
    for move in SchoolMove.objects.filter(moved_on__gte=window.period.start, moved_on__lte=on).select_related(
        "to_commune", "child"
    ):
        area = move.to_commune_id if move.to_commune.level == "commune" else move.child.current_commune_id
        counted[area] += continuity.days_out(move, on)
    for area, n in counted.items():
        yield Fact(area, "", "", n)


SINCE = dt.date(2025, 9, 1)
INDICATORS = (
    Indicator(
        code="HV.EDU.OOSCI",
        name=_("Children out of school or at risk of dropping out (five dimensions)"),
        numerator=_(
            "School-age children Haven follows who are not at school, by the age of a level, and pupils of "
            "primary and lower secondary whose risk score reaches the dated threshold, on the last day"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=NOTICE,
        valid_from=SINCE,
        compute=out_of_school,
        disaggregations=(Dimension.CATEGORY,),
        breakdown=Breakdown(
            _("Dimension (UNICEF OOSCI)"),
            lambda: {k.value: str(v) for k, v in roster.DIMENSION_LABELS.items()},
        ),
        stock=True,
        order=70,
    ),
    Indicator(
        code="HV.EDU.PRESCHOOL",
        name=_("Children aged 3 to 5 enrolled in preschool"),
        numerator=_("Children aged 3 to 5 (by calendar year) with a current enrolment, on the last day"),
        denominator=_("Children aged 3 to 5 Haven follows"),
        unit=Unit.PERCENT,
        legal_basis=_(
            "Resolution 218/2025/QH15 on universal preschool education for children aged 3 to 5; Circular "
            "13/2021/TT-BLĐTBXH (children's education indicators)"
        ),
        valid_from=SINCE,
        compute=preschool,
        disaggregations=(Dimension.SEX,),
        stock=True,
        order=71,
    ),
    Indicator(
        code="HV.EDU.NOPIN",
        name=_("Pupils enrolled without a personal identification number"),
        numerator=_(
            "Children with a current enrolment and no personal identification number, on the last day"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Circular 42/2021/TT-BGDĐT art. 10: the learner's identifier is the PIN"),
        valid_from=SINCE,
        compute=without_pin,
        stock=True,
        order=72,
    ),
    Indicator(
        code="HV.EDU.GAP",
        name=_("Days out of school after a change of placement"),
        numerator=_(
            "Teaching days (1 September to 31 May) that children whose placement moved them to another "
            "commune during the period spent without a school, up to the last day"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=NOTICE,
        valid_from=SINCE,
        compute=days_out_after_moves,
        order=73,
    ),
)


def register_all() -> None:
    register("education", INDICATORS)
