"""The monthly payroll of a commune (Decree 20/2021/NĐ-CP art. 34: before the 25th the commune sends
the payment list to the provider). Preparing it writes one line per child and month due, each with
its inputs frozen beside it; preparing it again adds only what was decided since, and the key (child,
programme, month, kind) makes it impossible to pay a month twice, whatever is retried. Once approved
the month is closed: a later correction is a line of a later month — arrears for a month decided late,
a recovery for a month paid that a later decision stopped — referring to what it corrects.

Haven's payroll history of a commune starts with its first payroll: months before it were paid
outside Haven, so arrears go back to it — except for a period decided after it (a continuation after
a move, a start decided late), whose every month is Haven's to pay.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.areas.models import Area
from haven.core import bulk, calendar, clock
from haven.core.errors import Problems, Refused, invalid
from haven.entitlements import workflow
from haven.entitlements.amounts import Facts, RuleBook, month_of, months, next_month
from haven.entitlements.models import (
    Confirmation,
    Entitlement,
    LineKind,
    Outcome,
    PaymentLine,
    PaymentMethod,
    PayrollRun,
    PayrollState,
)
from haven.workflow.engine import Firing

FLOW = workflow.PAYROLL
PAID = (LineKind.REGULAR, LineKind.ARREAR)
# Haven's reading of Decree 20/2021 art. 34, "before the 25th of each month": the last day.
LIST_DAY = 24


def list_due(month: dt.date) -> dt.date:
    """The day the provider's list of ``month`` is due: the 24th of the month before."""
    return calendar.add_months(month_of(month), -1).replace(day=LIST_DAY)


def month_to_prepare(commune: Area, today: dt.date) -> dt.date:
    """The month whose payroll the commune prepares next: this month's, unless it is approved and
    closed already, then next month's (the latest a payroll is prepared for)."""
    this = month_of(today)
    closed = PayrollRun.objects.filter(
        commune=commune, month=this, state__in=(PayrollState.APPROVED, PayrollState.SENT)
    ).exists()
    return next_month(this) if closed else this


def payee_in_force(on: dt.date):
    """The payment method in force on ``on`` for the line's child (a subquery)."""
    return Subquery(
        PaymentMethod.objects.filter(PaymentMethod.in_force_q(on), child=OuterRef("child_id")).values("pk")[
            :1
        ]
    )


def _due_lines(run: PayrollRun) -> list[PaymentLine]:
    """The lines the run still lacks: each month due up to the run's month and not yet paid, and each
    month paid that no decided period covers any more (a recovery). One read of the rules, of the
    commune's periods and of its lines; no query per child."""
    book = RuleBook.load()
    first_run = PayrollRun.objects.filter(commune=run.commune).aggregate(m=Min("month"))["m"] or run.month
    lines = PaymentLine.objects.filter(
        child__in=Entitlement.objects.filter(commune=run.commune).values("child")
    )
    paid = {
        (c, p, m) for c, p, m in lines.filter(kind__in=PAID).values_list("child_id", "programme", "month")
    }
    recovered = {
        (c, p, m)
        for c, p, m in lines.filter(kind=LineKind.RECOVERY).values_list("child_id", "programme", "month")
    }
    # The periods as plain rows: a payroll of 100,000 children builds no model instance per period.
    periods = Entitlement.objects.filter(commune=run.commune, from_month__lte=run.month).values_list(
        "pk",
        "child_id",
        "programme",
        "from_month",
        "until_month",
        "decision_id",
        "decision__decided_on",
        "child__date_of_birth",
        "ground",
        "care_situation",
        "studying",
    )
    province_id = run.commune.parent_id
    amounts: dict[tuple, object] = {}
    covered = set()
    new: list[PaymentLine] = []
    for period_id, child_id, programme, first, until, decision_id, decided_on, born, *situation in periods:
        facts = Facts(born, *situation, province_id=province_id, programme=programme)
        decided_late = decided_on is not None and month_of(decided_on) >= first_run
        for month in months(first, until, at_most=run.month):
            key = (child_id, programme, month)
            covered.add(key)
            if key in paid or (month < first_run and not decided_late):
                continue
            # Children born the same month share their amount: computed once.
            found = amounts.get((facts, month))
            if found is None:
                found = amounts[(facts, month)] = book.amount(facts, month)
            if found.amount is None:
                continue
            paid.add(key)
            new.append(
                PaymentLine(
                    run=run,
                    child_id=child_id,
                    programme=programme,
                    month=month,
                    kind=LineKind.REGULAR if month == run.month else LineKind.ARREAR,
                    amount=found.amount,
                    period_id=period_id,
                    decision_id=decision_id,
                    rule=found.rule,
                    parameter=found.base,
                    coefficient=found.rule.coefficient,
                    level=found.base.value,
                    age=found.age,
                    verified=found.verified,
                )
            )
    # A month this commune paid that no period covers any more: a later decision stopped it. The keys
    # are read as plain rows; only the few lines to take back are read whole.
    paid_here = lines.filter(kind__in=PAID, run__commune=run.commune)
    stopped = [
        pk
        for pk, c, p, m in paid_here.values_list("pk", "child_id", "programme", "month")
        if (c, p, m) not in covered and (c, p, m) not in recovered
    ]
    for line in PaymentLine.objects.filter(pk__in=stopped).select_related("period", "decision"):
        key = (line.child_id, line.programme, line.month)
        if key in recovered:
            continue
        recovered.add(key)
        stopped_by = line.period.ended_by or line.decision
        new.append(
            PaymentLine(
                run=run,
                child_id=line.child_id,
                programme=line.programme,
                month=line.month,
                kind=LineKind.RECOVERY,
                amount=-line.amount,
                period=line.period,
                decision=stopped_by,
                rule=line.rule,
                parameter=line.parameter,
                coefficient=line.coefficient,
                level=line.level,
                age=line.age,
                verified=line.verified,
                corrects=line,
            )
        )
    # A payment the provider could not make, or that came back uncollected, is paid again once, in the
    # next payroll prepared after the provider said so (to the payment method in force by then).
    failed = (
        Confirmation.objects.filter(
            line__run__commune=run.commune,
            outcome__in=(Outcome.FAILED, Outcome.RETURNED),
            line__run__month__lt=run.month,
        )
        .exclude(Exists(PaymentLine.objects.filter(corrects=OuterRef("line_id"), kind=LineKind.REISSUE)))
        .select_related("line")
    )
    for confirmation in failed:
        line = confirmation.line
        new.append(
            PaymentLine(
                **{f: getattr(line, f) for f in REISSUED},
                run=run,
                kind=LineKind.REISSUE,
                corrects=line,
            )
        )
    payees = dict(
        PaymentMethod.objects.in_force(clock.today())
        .filter(child__in=Entitlement.objects.filter(commune=run.commune).values("child"))
        .values_list("child_id", "pk")
    )
    for line in new:
        line.payee_id = payees.get(line.child_id)
    return new


LINE_COLUMNS = tuple(f.attname for f in PaymentLine._meta.concrete_fields if not f.primary_key)
# What a reissue keeps of the payment it makes again.
REISSUED = (
    "child_id",
    "programme",
    "month",
    "amount",
    "period_id",
    "decision_id",
    "rule_id",
    "parameter_id",
    "coefficient",
    "level",
    "age",
    "verified",
)


def _refresh_payees(run: PayrollRun, on: dt.date) -> None:
    """Until the payroll is approved its lines follow the payment methods in force: one update of the
    lines whose method changed."""
    run.lines.alias(now=payee_in_force(on)).exclude(payee=F("now")).update(payee=payee_in_force(on))


@transaction.atomic
def payroll_prepare(*, actor: User, commune: Area, month: dt.date) -> PayrollRun:
    """Prepare (or prepare again) the commune's payroll of ``month``. A closed month is refused;
    preparing again adds only what is missing, so a retry never pays twice. The provider's list of the
    month is due before the 25th of the month before (its clock starts with the payroll)."""
    month = month_of(month)
    run = PayrollRun.objects.filter(commune=commune, month=month).first()
    created = run is None
    if created:
        run = PayrollRun(commune=commune, month=month)
    action = "payroll_prepare" if created or run.state == PayrollState.DUE else "payroll_update"

    def effect(firing: Firing) -> PayrollRun:
        latest = next_month(month_of(clock.localdate(firing.now)))
        if month > latest:
            raise invalid("month", _("A payroll is prepared at most for next month."), "too_far")
        if created:
            run.save(force_insert=True)
        if not created:
            _refresh_payees(run, clock.localdate(firing.now))
        new = _due_lines(run)  # each with the method in force today
        # Plain columns, written with COPY on PostgreSQL (core/bulk.py): 100,000 lines in seconds.
        bulk.insert(PaymentLine, [{f: getattr(line, f) for f in LINE_COLUMNS} for line in new])
        run.prepared_at = firing.now
        run.save(update_fields=["prepared_at", "updated_at"])
        firing.dues["entitlement.provider_list"] = list_due(month)
        firing.data.update({"month": month.isoformat(), "lines_added": len(new)})
        run.added = len(new)  # what this preparation added, for the page to say
        return run

    if not created and run.state in (PayrollState.APPROVED, PayrollState.SENT):
        raise Refused(
            str(workflow.PAYROLL_TRANSITIONS["payroll_update"].refused[PayrollState.APPROVED]), code="closed"
        )
    return FLOW.fire(run, action, actor=actor, created=created, effect=effect)


def payroll_open_due(*, today: dt.date | None = None) -> int:
    """A job of each sweep pass: from the first day of a month, Haven opens next month's payroll of
    every commune that pays an allowance then, so that the clock of its list runs even before anyone
    prepares it. Returns how many it opened; a second pass opens nothing."""
    today = today or clock.today()
    month = next_month(month_of(today))
    paying = (
        Entitlement.objects.filter(from_month__lte=month)
        .filter(Q(until_month__isnull=True) | Q(until_month__gt=month))
        .values_list("commune_id", flat=True)
        .distinct()
    )
    opened = set(PayrollRun.objects.filter(month=month).values_list("commune_id", flat=True))
    count = 0
    for commune in Area.objects.filter(pk__in=set(paying) - opened).order_by("pk"):
        with transaction.atomic():
            run = PayrollRun(commune=commune, month=month, state=PayrollState.DUE)
            run.save(force_insert=True)

            def effect(firing: Firing, run=run) -> PayrollRun:
                firing.dues["entitlement.provider_list"] = list_due(run.month)
                firing.data["month"] = run.month.isoformat()
                return run

            FLOW.fire(run, "payroll_open", actor=None, created=True, effect=effect)
        count += 1
    return count


@transaction.atomic
def payroll_approve(*, actor: User, run: PayrollRun) -> PayrollRun:
    """The chairman approves the list: the month is closed."""

    def effect(firing: Firing) -> PayrollRun:
        if not run.lines.exists():
            raise Refused(_("There is nothing to pay in this payroll."), code="empty")
        # From now on the lines keep the payment methods they are sent with.
        _refresh_payees(run, clock.localdate(firing.now))
        run.approved_at = firing.now
        run.save(update_fields=["approved_at", "updated_at"])
        firing.data["lines"] = run.lines.count()
        return run

    return FLOW.fire(run, "payroll_approve", actor=actor, effect=effect)


@transaction.atomic
def payroll_send(*, actor: User, run: PayrollRun, sent_on: dt.date, provider: str) -> PayrollRun:
    """The officer records that the approved list went to the provider: the clock of the 25th is met
    (or was missed: the sweep escalated it)."""

    def effect(firing: Firing) -> PayrollRun:
        problems = Problems()
        if sent_on is None:
            problems.add("sent_on", _("Give the day the list was sent."), "required")
        name = (provider or "").strip()
        if not name:
            problems.add("provider", _("Name the payment provider the list was sent to."), "required")
        # A line approved before its child's payment method was recorded takes the one in force now;
        # a line that has one keeps it.
        unpaid = run.lines.filter(amount__gt=0, payee__isnull=True)
        unpaid.update(payee=payee_in_force(clock.localdate(firing.now)))
        missing = unpaid.count()
        if missing:
            problems.add(
                "__all__",
                _(
                    "%(count)s line(s) have no payment method: record how each of these children is paid "
                    "(bank, post office or cash at home) on the child's allowance page, then send the list."
                )
                % {"count": missing},
                "no_payee",
            )
        problems.raise_any()
        run.sent_on, run.provider = sent_on, name
        run.save(update_fields=["sent_on", "provider", "updated_at"])
        firing.data.update({"sent_on": sent_on.isoformat(), "provider": name})
        return run

    return FLOW.fire(run, "payroll_send", actor=actor, inputs={"sent_on": sent_on}, effect=effect)
