"""A pupil's support once the chairman decides it: the semesters that have begun become instalments
(entitlements/schooling.py counts them), at once and then at the start of each semester by the sweep.
A semester is paid once for a child and a programme (the database's key): a retry, a second pass or a
second enrolment in the same year adds nothing. A semester in which the child was enrolled on no day
is not paid: the support stops with the enrolment."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from haven.audit.services import record
from haven.core import clock
from haven.entitlements import schooling
from haven.entitlements.amounts import RuleBook, next_month
from haven.entitlements.models import SCHOOL_PROGRAMMES, Application, Instalment, State


def _made(application: Application, counted: schooling.Counted) -> Instalment | None:
    months = counted.months
    instalment = Instalment(
        child=application.child,
        programme=application.programme,
        school_year=counted.term.year,
        semester=counted.term.semester,
        decision=application,
        enrolment=application.enrolment,
        commune=application.commune,
        from_month=months[0],
        until_month=next_month(months[-1]),
        months=len(months),
        monthly=counted.monthly,
        amount=counted.amount,
        parameter=counted.parameter,
        verified=counted.verified,
        capped_by_fee=counted.capped_by_fee,
    )
    try:
        with transaction.atomic():
            instalment.save(force_insert=True)
    except IntegrityError:  # paid for this semester already (by another pass, or another enrolment)
        return None
    record(
        actor=None,
        action="entitlement.instalment",
        obj=instalment,
        data={
            "programme": instalment.programme,
            "year": instalment.school_year,
            "semester": instalment.semester,
            "months": instalment.months,
            "monthly": instalment.monthly,
            "amount": instalment.amount,
            "decision": str(application.pk),
            "verified": instalment.verified,
        },
    )
    return instalment


def instalments_of(application: Application, *, today: dt.date, book: RuleBook | None = None) -> list:
    """The instalments a decided support owes now: each semester of its school year that has begun,
    not yet paid, in which the child was enrolled, within the year's months."""
    if application.programme not in SCHOOL_PROGRAMMES or application.state != State.DECIDED:
        return []
    book = book or RuleBook.load()
    made = []
    for term in schooling.terms(application.enrolment.school_year):
        if today < term.first:
            continue
        paid = Instalment.objects.filter(
            child=application.child,
            programme=application.programme,
            school_year=term.year,
            semester=term.semester,
        )
        if paid.exists():
            continue
        counted = schooling.count_term(
            application,
            term,
            book,
            paid_months=schooling.paid_months(
                application.child, application.programme, term.year, besides=term.semester
            ),
        )
        if counted.amount:
            found = _made(application, counted)
            if found is not None:
                made.append(found)
    return made


def instalments_sweep(now: dt.datetime | None = None) -> int:
    """Each pass of `haven sweep`: the semesters begun of the supports decided for this school year and
    the last (a semester decided late is paid late, never lost)."""
    from haven.education.ages import school_year_of

    today = clock.localdate(now) if now else clock.today()
    year = school_year_of(today)
    term = schooling.term_of(today)
    book = RuleBook.load()

    def paid(school_year: int, semester: int):
        return Exists(
            Instalment.objects.filter(
                child=OuterRef("child_id"),
                programme=OuterRef("programme"),
                school_year=school_year,
                semester=semester,
            )
        )

    # Only the supports whose latest semester begun is not counted yet (the earlier ones were counted
    # when it began, or at the decision), and whose enrolment had not ended before it.
    owed = (
        Q(enrolment__school_year=year)
        & ~paid(year, term.semester)
        & (Q(enrolment__ended_on__isnull=True) | Q(enrolment__ended_on__gt=term.first))
    ) | (Q(enrolment__school_year=year - 1) & ~paid(year - 1, 2))
    decided = (
        Application.objects.filter(programme__in=SCHOOL_PROGRAMMES, state=State.DECIDED)
        .filter(owed)
        .select_related("child", "commune", "enrolment__school__organisation", "enrolment__child")
        .order_by("decided_on", "pk")
    )
    made = 0
    for application in decided:
        with transaction.atomic():
            made += len(instalments_of(application, today=today, book=book))
    return made
