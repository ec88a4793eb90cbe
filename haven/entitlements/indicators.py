"""The entitlements' indicators (Notice 432-TB/VPTW §4.2: children fully enjoy the welfare and
healthcare policies; Decree 20/2021/NĐ-CP), registered with the reports (reports/registry.py) when the
app starts. A child counts in the commune that pays (a payroll's lines) or where the child lives."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from haven.core import calendar
from haven.entitlements.models import (
    OPEN_STATES,
    Application,
    Entitlement,
    HealthInsuranceCard,
    Kind,
    LineKind,
    PaymentLine,
    PayrollState,
    Programme,
    State,
)
from haven.entitlements.selectors import GROUND_OF_GROUP
from haven.people.models import Child, SpecialCircumstance
from haven.reports.compute import Fact, Window, count
from haven.reports.registry import Breakdown, Dimension, Indicator, Unit, register

ALLOWANCE = _("Decree 20/2021/NĐ-CP, art. 5, 7–8 and 34; Notice 432-TB/VPTW, part 4")
PAID = (LineKind.REGULAR, LineKind.ARREAR)

WAITING = {"procedure": _("in a procedure"), "none": _("in no procedure")}
DELAYS = {"0": _("the same month"), "1": _("1 month"), "2": _("2 months"), "3+": _("3 months or more")}
OUTCOMES = {
    "paid": _("paid"),
    "failed": _("failed"),
    "returned": _("returned"),
    "unconfirmed": _("not confirmed"),
}


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def eligible_without_allowance(window: Window):
    # Abandoned or orphaned of both parents (Decree 20/2021 art. 5(1)(a), (b)) and under 16 on the day,
    # with no decided period covering that month; broken down by whether a procedure is open.
    month = _month(window.on)
    covered = Entitlement.objects.filter(child=OuterRef("pk"), from_month__lte=month).filter(
        Q(until_month__isnull=True) | Q(until_month__gt=month)
    )
    pending = Application.objects.filter(
        child=OuterRef("pk"), programme=Programme.MONTHLY_ALLOWANCE, state__in=OPEN_STATES
    )
    children = (
        Child.objects.filter(
            SpecialCircumstance.in_force_q(window.on, prefix="circumstances__"),
            circumstances__group__in=list(GROUND_OF_GROUP),
            merged_into__isnull=True,
        )
        .filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=calendar.add_months(window.on, -192)))
        .exclude(Exists(covered))
    )
    return count(
        children,
        area="current_commune",
        window=window,
        child="",
        dimensions=(Dimension.SEX, Dimension.CATEGORY),
        category=Case(When(Exists(pending), then=Value("procedure")), default=Value("none")),
    )


def months_to_first_payment(window: Window):
    # The starts first paid by a payroll of the period, by the months from the application's receipt
    # (complete, with the child's papers) to the month of that payroll: each month is a month lost to
    # the child, since a start is paid from the month of the decision.
    first = (
        PaymentLine.objects.filter(period=OuterRef("pk"), kind__in=PAID)
        .order_by("run__month")
        .values("run__month")[:1]
    )
    starts = (
        Entitlement.objects.filter(decision__kind=Kind.START, decision__received_on__isnull=False)
        .annotate(first_payroll=Subquery(first))
        .filter(first_payroll__gte=window.period.start, first_payroll__lte=window.on)
        .values_list("commune_id", "child__sex", "decision__received_on", "first_payroll")
    )
    totals: dict[int, int] = defaultdict(int)
    cells: dict[tuple[int, str, str], int] = defaultdict(int)
    for commune, sex, received, paid in starts:
        months = (paid.year - received.year) * 12 + paid.month - received.month
        band = "3+" if months >= 3 else str(max(months, 0))
        totals[commune] += 1
        cells[(commune, Dimension.SEX, sex)] += 1
        cells[(commune, Dimension.CATEGORY, band)] += 1
    for commune, n in totals.items():
        yield Fact(commune, "", "", n)
    for (commune, dimension, category), n in cells.items():
        yield Fact(commune, str(dimension), category, n)


def payments_not_confirmed(window: Window):
    # The payments sent to the provider for the months of the period that it did not confirm paid in
    # full: failed, returned, or not confirmed at all.
    sent = PaymentLine.objects.filter(
        run__state=PayrollState.SENT,
        run__month__gte=window.period.start,
        run__month__lte=window.on,
        amount__gt=0,
    )
    return count(
        sent,
        area="run__commune",
        window=window,
        dimensions=(Dimension.CATEGORY,),
        category=Case(
            When(confirmation__isnull=True, then=Value("unconfirmed")),
            default=F("confirmation__outcome"),
        ),
        numerator=Q(confirmation__isnull=True)
        | ~Q(confirmation__outcome="paid")
        | ~Q(confirmation__amount=F("amount")),
    )


def without_health_insurance(window: Window):
    # The children Haven follows on the day — in a group of special circumstances, paid the allowance,
    # or under 6 — under 16 (older while paid), and among them those with no card valid that day.
    on = window.on
    paid = Entitlement.objects.filter(child=OuterRef("pk"), from_month__lte=_month(on)).filter(
        Q(until_month__isnull=True) | Q(until_month__gt=_month(on))
    )
    in_group = SpecialCircumstance.objects.in_force(on).filter(child=OuterRef("pk"))
    valid = HealthInsuranceCard.objects.filter(child=OuterRef("pk"), valid_from__lte=on, expires_on__gte=on)
    followed = (
        Child.objects.filter(merged_into__isnull=True)
        .filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__lte=on))
        .filter(Exists(in_group) | Exists(paid) | Q(date_of_birth__gt=calendar.add_months(on, -72)))
        .filter(
            Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=calendar.add_months(on, -192)) | Exists(paid)
        )
        .annotate(insured=Exists(valid))
    )
    return count(
        followed,
        area="current_commune",
        window=window,
        child="",
        dimensions=(Dimension.SEX, Dimension.AGE),
        numerator=Q(insured=False),
    )


def pupils_without_learning_support(window: Window):
    # Pupils at school on the day (an enrolment of that school year begun and not ended) in a group of
    # the learning-cost support in force that day, whose support for the school year is not decided;
    # broken down by whether a proposal or an application is open.
    from haven.education.ages import school_year_of
    from haven.education.models import Enrolment
    from haven.entitlements import schooling

    on, year = window.on, school_year_of(window.on)
    at_school = Enrolment.objects.filter(
        child=OuterRef("pk"), school_year=year, started_on__lte=on, state__in=("enrolled", "ended")
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    support = Application.objects.filter(
        child=OuterRef("pk"), programme=Programme.LEARNING_COSTS, enrolment__school_year=year
    )
    children = (
        Child.objects.filter(
            SpecialCircumstance.in_force_q(on, prefix="circumstances__"),
            circumstances__group__in=[g.group for g in schooling.groups_on(on)],
            merged_into__isnull=True,
        )
        .filter(Exists(at_school))
        .exclude(Exists(support.filter(state=State.DECIDED)))
    )
    return count(
        children,
        area="current_commune",
        window=window,
        child="",
        dimensions=(Dimension.SEX, Dimension.CATEGORY),
        category=Case(
            When(Exists(support.filter(state__in=OPEN_STATES)), then=Value("procedure")),
            default=Value("none"),
        ),
    )


def _labels(found: dict):
    return lambda: {k: str(v) for k, v in found.items()}


INDICATORS = (
    Indicator(
        code="HV.ALLOW.WITHOUT",
        name=_("Entitled children without the monthly allowance"),
        numerator=_(
            "Children abandoned or orphaned of both parents, under 16, whom no decided allowance covers on "
            "the last day of the period"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Decree 20/2021/NĐ-CP, art. 5(1)(a), (b); Notice 432-TB/VPTW, part 4"),
        valid_from=dt.date(2021, 7, 1),
        compute=eligible_without_allowance,
        disaggregations=(Dimension.SEX, Dimension.CATEGORY),
        breakdown=Breakdown(_("Procedure"), _labels(WAITING)),
        stock=True,
        late_url="entitlements:index",
        order=80,
    ),
    Indicator(
        code="HV.ALLOW.DELAY",
        name=_("Months from the application to the first payment"),
        numerator=_(
            "Allowances first paid by a payroll of the period, by the months from the application's receipt "
            "to that payroll's month"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=ALLOWANCE,
        valid_from=dt.date(2025, 7, 1),
        compute=months_to_first_payment,
        disaggregations=(Dimension.SEX, Dimension.CATEGORY),
        breakdown=Breakdown(_("Months"), _labels(DELAYS)),
        late_url="entitlements:index",
        order=81,
    ),
    Indicator(
        code="HV.ALLOW.UNPAID",
        name=_("Allowance payments failed or not reconciled"),
        numerator=_("Payments sent to the provider that it did not confirm paid in full"),
        denominator=_("Payments sent to the provider for the months of the period"),
        unit=Unit.PERCENT,
        legal_basis=_("Decree 20/2021/NĐ-CP, art. 34"),
        valid_from=dt.date(2021, 7, 1),
        compute=payments_not_confirmed,
        disaggregations=(Dimension.CATEGORY,),
        breakdown=Breakdown(_("Outcome"), _labels(OUTCOMES)),
        late_url="entitlements:payrolls",
        order=82,
    ),
    Indicator(
        code="HV.EDU.SUPPORT",
        name=_("Pupils entitled to the learning-cost support without a decision"),
        numerator=_(
            "Children at school on the last day of the period, orphaned of both parents, with a disability "
            "or of a poor household, whose learning-cost support for the school year is not decided"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_(
            "Decree 81/2021/NĐ-CP art. 18 and 20(10), replaced by Decree 238/2025/NĐ-CP; Notice "
            "432-TB/VPTW, part 4"
        ),
        valid_from=dt.date(2025, 9, 1),
        compute=pupils_without_learning_support,
        disaggregations=(Dimension.SEX, Dimension.CATEGORY),
        breakdown=Breakdown(_("Procedure"), _labels(WAITING)),
        stock=True,
        late_url="entitlements:school_support",
        order=84,
    ),
    Indicator(
        code="HV.HI.WITHOUT",
        name=_("Children followed without a valid health-insurance card"),
        numerator=_("Children followed with no health-insurance card valid on the last day of the period"),
        denominator=_(
            "Children followed on that day: in special circumstances, paid the allowance, or under 6"
        ),
        unit=Unit.PERCENT,
        legal_basis=_(
            "Law on Health Insurance (children under 6 and social-assistance beneficiaries insured by the "
            "state); Notice 432-TB/VPTW, part 4"
        ),
        valid_from=dt.date(2021, 7, 1),
        compute=without_health_insurance,
        disaggregations=(Dimension.SEX, Dimension.AGE),
        stock=True,
        late_url="entitlements:health_alerts",
        order=83,
    ),
)


def register_all() -> None:
    register("entitlements", INDICATORS)
