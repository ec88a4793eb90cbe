"""Every read of entitlements starts from ``visible_to(user)``: the commune's files for its officers
and chairman (a province's for its communes), and the child's for whoever sees the child."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from haven.accounts.models import User
from haven.core import calendar, clock
from haven.entitlements.amounts import MonthAmount, RuleBook, month_of, months, next_month
from haven.entitlements.models import (
    OPEN_STATES,
    SCHOOL_PROGRAMMES,
    Application,
    Entitlement,
    Ground,
    Instalment,
    Programme,
    State,
)
from haven.people.models import Child, CircumstanceGroup, SpecialCircumstance

# The art. 10 groups of the Law on Children that are Decree 20/2021 art. 5(1)(a) and (b).
GROUND_OF_GROUP = {CircumstanceGroup.HCDB_B: Ground.ABANDONED, CircumstanceGroup.HCDB_A: Ground.ORPHAN}


def applications(user: User) -> QuerySet[Application]:
    """Every procedure the user sees: the monthly allowance's and a pupil's support."""
    return Application.objects.visible_to(user).select_related("child", "commune")


def allowance_applications(user: User) -> QuerySet[Application]:
    return applications(user).filter(programme=Programme.MONTHLY_ALLOWANCE)


def school_applications(user: User) -> QuerySet[Application]:
    return (
        applications(user)
        .filter(programme__in=SCHOOL_PROGRAMMES)
        .select_related("enrolment__school__organisation")
    )


def instalments(user: User) -> QuerySet[Instalment]:
    return Instalment.objects.visible_to(user).select_related(
        "child", "commune", "decision", "enrolment__school__organisation", "parameter"
    )


def periods(user: User) -> QuerySet[Entitlement]:
    return Entitlement.objects.visible_to(user).select_related("child", "commune__parent", "decision")


@dataclass(frozen=True)
class Month:
    """One month of a child's allowance: the period it falls in and what the rules give for it."""

    period: Entitlement
    amount: MonthAmount


def months_of(child: Child, found: list[Entitlement], book: RuleBook, *, until: dt.date) -> list[Month]:
    """Every month of the child's periods up to ``until`` (a month), newest first."""
    from haven.entitlements.services.applications import facts_of

    rows = []
    for period in found:
        facts = facts_of(period, child)
        for month in months(period.from_month, period.until_month, at_most=until):
            rows.append(Month(period, book.amount(facts, month)))
    return sorted(rows, key=lambda m: m.amount.month, reverse=True)


def next_change(
    child: Child, period: Entitlement | None, book: RuleBook, today: dt.date
) -> MonthAmount | None:
    """The next month the running period's amount changes by the rules alone (a birthday, a new level)."""
    from haven.entitlements.services.applications import facts_of

    if period is None or period.until_month is not None:
        return None
    return book.next_change(facts_of(period, child), max(month_of(today), period.from_month))


def this_month(
    book: RuleBook, found: list[Entitlement], today: dt.date
) -> list[tuple[Entitlement, MonthAmount]]:
    """Each running period with what it pays this month (the rules read once for all)."""
    from haven.entitlements.services.applications import facts_of

    month = month_of(today)
    return [(p, book.amount(facts_of(p), month)) for p in found]


def eligible_without(user: User) -> QuerySet[Child]:
    """Children the user sees who belong to a group of Decree 20/2021 art. 5(1)(a) or (b) today and have
    neither a running allowance nor a procedure open: each must be on someone's list."""
    today = clock.today()
    in_group = SpecialCircumstance.objects.in_force(today).filter(
        child=OuterRef("pk"), group__in=list(GROUND_OF_GROUP)
    )
    paid = Entitlement.objects.filter(child=OuterRef("pk"), until_month=None)
    pending = Application.objects.filter(
        child=OuterRef("pk"), programme=Programme.MONTHLY_ALLOWANCE, state__in=OPEN_STATES
    )
    return (
        Child.objects.visible_to(user)
        .filter(Exists(in_group))
        .exclude(Exists(paid))
        .exclude(Exists(pending))
        .filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=today.replace(year=today.year - 16)))
        .select_related("current_commune")
        .order_by("family_name", "given_name")
    )


def ground_of(child: Child) -> str | None:
    """The Decree 20/2021 art. 5(1) ground a child's groups in force today give, if any."""
    groups = set(
        SpecialCircumstance.objects.in_force(clock.today())
        .filter(child=child, group__in=list(GROUND_OF_GROUP))
        .values_list("group", flat=True)
    )
    return next((ground for group, ground in GROUND_OF_GROUP.items() if group in groups), None)


def allowance_of_child(user: User, child: Child) -> list:
    """The child's allowance, for the child's page (people/cases.py)."""
    from django.utils.translation import gettext as _

    from haven.people.cases import CaseLink

    found = periods(user).filter(child=child).order_by("-from_month").first()
    pending = allowance_applications(user).filter(child=child, state__in=OPEN_STATES).first()
    if found is None and pending is None:
        return []
    if pending is not None:
        state, since = pending.get_state_display(), pending.received_on or pending.created_at.date()
    elif found.until_month is None:
        state, since = (
            _("Paid since %(month)s") % {"month": found.from_month.strftime("%m/%Y")},
            found.from_month,
        )
    else:
        state, since = (
            _("Stopped from %(month)s") % {"month": found.until_month.strftime("%m/%Y")},
            found.from_month,
        )
    return [
        CaseLink(str(Programme.MONTHLY_ALLOWANCE.label), f"/entitlements/children/{child.pk}/", state, since)
    ]


__all__ = [
    "GROUND_OF_GROUP",
    "Month",
    "State",
    "allowance_applications",
    "allowance_of_child",
    "applications",
    "eligible_without",
    "ground_of",
    "instalments",
    "months_of",
    "next_change",
    "next_month",
    "periods",
    "school_applications",
    "this_month",
]


# --- Health insurance ------------------------------------------------------------------------------


def followed(user: User, today: dt.date | None = None) -> QuerySet[Child]:
    """The children Haven follows that the user sees: in a group of special circumstances today, or
    paid the allowance, or under 6 (every child under 6 is insured by the state); under 16, or older
    while the allowance runs (to 22 while studying)."""
    from haven.entitlements.models import Entitlement

    today = today or clock.today()
    in_group = SpecialCircumstance.objects.in_force(today).filter(child=OuterRef("pk"))
    paid = Entitlement.objects.filter(child=OuterRef("pk"), until_month=None)
    six, sixteen = calendar.add_months(today, -72), calendar.add_months(today, -192)
    return (
        Child.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .filter(Exists(in_group) | Exists(paid) | Q(date_of_birth__gt=six))
        .filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=sixteen) | Exists(paid))
    )


def without_valid_card(user: User, today: dt.date | None = None) -> QuerySet[Child]:
    """Followed children with no health-insurance card valid today: each is on the commune's list (the
    Từ Dũ lesson: a child without a valid card is found out only when it falls ill)."""
    from haven.entitlements.models import HealthInsuranceCard

    today = today or clock.today()
    valid = HealthInsuranceCard.objects.filter(
        child=OuterRef("pk"), valid_from__lte=today, expires_on__gte=today
    )
    last = (
        HealthInsuranceCard.objects.filter(child=OuterRef("pk"))
        .order_by("-expires_on")
        .values("expires_on")[:1]
    )
    return (
        followed(user, today)
        .exclude(Exists(valid))
        .annotate(last_card_until=Subquery(last))
        .select_related("current_commune")
        .order_by("family_name", "given_name", "pk")
    )


def cards_lapsing(user: User, *, within_days: int = 90, today: dt.date | None = None):
    """Cards valid today that lapse within ``within_days`` with no later card recorded: renew them."""
    from haven.entitlements.models import HealthInsuranceCard

    today = today or clock.today()
    later = HealthInsuranceCard.objects.filter(
        child=OuterRef("child_id"), expires_on__gt=OuterRef("expires_on")
    )
    return (
        HealthInsuranceCard.objects.visible_to(user)
        .filter(
            valid_from__lte=today,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=within_days),
        )
        .exclude(Exists(later))
        .select_related("child", "child__current_commune")
        .order_by("expires_on")
    )


def card_now(child: Child, today: dt.date | None = None):
    """The child's card valid today (the one valid longest), or None."""
    from haven.entitlements.models import HealthInsuranceCard

    today = today or clock.today()
    return (
        HealthInsuranceCard.objects.filter(child=child)
        .filter(valid_from__lte=today, expires_on__gte=today)
        .order_by("-expires_on")
        .first()
    )


# --- A pupil's support -----------------------------------------------------------------------------


@dataclass
class PupilSupport:
    """What is due to a pupil for the current enrolment (tuition, learning-cost support), the decisions
    of the user's sight, and the instalments counted."""

    due: object | None
    decisions: list[Application]
    instalments: list[Instalment]


def pupil_support(user: User, child: Child, enrolment, today: dt.date, *, school_only: bool = False):
    """A pupil's support for the child's pages. A school reads only the tuition (free, or supported at
    a private school): the learning-cost support would tell it the child's circumstances."""
    from haven.entitlements import schooling

    due = None
    if enrolment is not None and enrolment.state == "enrolled":
        circumstances = set() if school_only else schooling.circumstances_of(child, today)
        due = schooling.due(enrolment, circumstances, today)
    if school_only:
        return PupilSupport(due, [], [])
    return PupilSupport(
        due,
        list(school_applications(user).filter(child=child).order_by("-created_at")),
        list(instalments(user).filter(child=child).order_by("-school_year", "-semester")),
    )
