"""Family-like care's indicators (Law on Children art. 62; Circular 09/2024/TT-BLĐTBXH art. 6; Notice
432-TB/VPTW part 3), registered with the reports (reports/registry.py) when the app starts.

A child in a facility counts in the facility's area (a provincial facility's children in the province's
own row), a child in a family in the child's commune: where the care is given and answered for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, F, Q, Sum, When
from django.utils.translation import gettext_lazy as _

from haven.care import ratios
from haven.care.capacity import special_needs
from haven.care.models import FAMILY_FORMS, CaregiverChange, Placement, ShiftAssignment, SmallGroup
from haven.reports.compute import Fact, Window, count
from haven.reports.registry import Dimension, Indicator, Unit, register

FACILITY_AREA = "group__home__facility__organisation__area"
WHERE_CARED_FOR = Case(When(group__isnull=False, then=F(FACILITY_AREA)), default=F("child__current_commune"))


def _in_care(window: Window):
    return Placement.objects.in_force(window.on).filter(child__merged_into__isnull=True)


def family_based(window: Window):
    return count(
        _in_care(window),
        area=WHERE_CARED_FOR,
        window=window,
        dimensions=(Dimension.SEX, Dimension.AGE),
        numerator=Q(form__in=FAMILY_FORMS),
        distinct="child",
    )


def residential(window: Window):
    return count(
        _in_care(window).filter(group__isnull=False),
        area=FACILITY_AREA,
        window=window,
        dimensions=(Dimension.SEX, Dimension.AGE),
        distinct="child",
    )


def caregiver_changes(window: Window):
    changes = CaregiverChange.objects.filter(on__gte=window.period.start, on__lte=window.on)
    return count(
        changes,
        area=Case(
            When(placement__group__isnull=False, then=F(f"placement__{FACILITY_AREA}")),
            default=F("child__current_commune"),
        ),
        window=window,
        dimensions=(Dimension.SEX, Dimension.AGE),
    )


def occupancy(window: Window):
    """Children placed against the places of the groups, by the facility's area."""
    places = defaultdict(int)
    for area, n in (
        SmallGroup.objects.filter(created_at__lt=window.end)
        .values_list("home__facility__organisation__area")
        .annotate(n=Sum("places"))
    ):
        places[area] += n
    placed = defaultdict(int)
    for fact in residential(window):
        if fact.dimension == "":
            placed[fact.area_id] += fact.numerator
    for area in set(places) | set(placed):
        # A group beyond its places makes a share above 100 %: its denominator is the places.
        yield Fact(area, "", "", placed[area], places[area])


def breaches(window: Window):
    """Small groups beyond their places or short of caregivers on a shift, on the day: the norms of
    Circular 09/2024 art. 6 (care/capacity.py reads them the same way for one group)."""
    on = window.on
    rows = list(
        _in_care(window)
        .filter(group__isnull=False)
        .values_list("group_id", "child_id", "child__date_of_birth", FACILITY_AREA)
    )
    special = special_needs([child for _g, child, _b, _a in rows], on)
    children: dict[int, list] = defaultdict(list)
    area_of: dict[int, int] = {}
    for group, child, born, area in rows:
        children[group].append((born, child in special))
        area_of[group] = area
    rostered: dict[tuple[int, str], int] = defaultdict(int)
    for group, shift in (
        ShiftAssignment.objects.in_force(on)
        .filter(group_id__in=list(children))
        .values_list("group_id", "shift")
    ):
        rostered[group, shift] += 1
    places = dict(SmallGroup.objects.filter(pk__in=list(children)).values_list("pk", "places"))
    counted: dict[int, int] = defaultdict(int)
    for group, kids in children.items():
        needed = ratios.caregivers_needed(kids, on)
        short = any(rostered[group, shift] < needed for shift in ("day", "night"))
        if len(kids) > places[group] or short:
            counted[area_of[group]] += 1
    for area, n in counted.items():
        yield Fact(area, "", "", n)


INDICATORS = (
    Indicator(
        code="HV.CARE.FAMILY",
        name=_("Children in care living in a family"),
        numerator=_("Children in kinship care, foster care or adoption on the last day of the period"),
        denominator=_("Children in alternative care on that day, in a family or in a facility"),
        unit=Unit.PERCENT,
        legal_basis=_("Law on Children 2016, art. 62; Notice 432-TB/VPTW, part 3"),
        valid_from=dt.date(2017, 6, 1),
        compute=family_based,
        disaggregations=(Dimension.SEX, Dimension.AGE),
        stock=True,
        order=40,
    ),
    Indicator(
        code="HV.CARE.RESIDENTIAL",
        name=_("Children in residential care per 100,000 children"),
        numerator=_("Children living in a social protection facility on the last day of the period"),
        denominator=_("Children living in the area (the population figure in force, with its source)"),
        unit=Unit.PER_100K,
        legal_basis=_("Law on Children 2016, art. 47(4); Notice 432-TB/VPTW, part 3"),
        valid_from=dt.date(2017, 6, 1),
        compute=residential,
        disaggregations=(Dimension.SEX, Dimension.AGE),
        stock=True,
        order=41,
    ),
    Indicator(
        code="HV.CARE.CHANGES",
        name=_("Changes of principal caregiver"),
        numerator=_("Changes of the adult who principally cares for a child in care, during the period"),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Notice 432-TB/VPTW, part 3: each group with a stable caregiver"),
        valid_from=dt.date(2025, 11, 26),
        compute=caregiver_changes,
        disaggregations=(Dimension.SEX, Dimension.AGE),
        order=42,
    ),
    Indicator(
        code="HV.CARE.OCCUPANCY",
        name=_("Occupancy of facilities"),
        numerator=_("Children living in the facilities' small groups on the last day of the period"),
        denominator=_("Places of those small groups"),
        unit=Unit.PERCENT,
        legal_basis=_("Circular 09/2024/TT-BLĐTBXH, art. 6; Decree 103/2017/NĐ-CP"),
        valid_from=dt.date(2024, 7, 1),
        compute=occupancy,
        stock=True,
        order=43,
    ),
    Indicator(
        code="HV.CARE.BREACHES",
        name=_("Small groups beyond their places or staffing ratio"),
        numerator=_(
            "Small groups with more children than places, or fewer caregivers on a shift than the ratio "
            "requires, on the last day of the period"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Circular 09/2024/TT-BLĐTBXH, art. 6"),
        valid_from=dt.date(2024, 7, 1),
        compute=breaches,
        stock=True,
        # Groups, not people: nobody can be recognised from how many groups are overloaded.
        subject=None,
        order=44,
    ),
)


def register_all() -> None:
    register("care", INDICATORS)
