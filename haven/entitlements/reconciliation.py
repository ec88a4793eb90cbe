"""Three-way reconciliation of a payroll: the chairman's decision ↔ the payroll line ↔ the provider's
confirmation (Decree 20/2021/NĐ-CP art. 34: the provider accounts for every payment; the commune pays
the unpaid balance in a later month).

A line matches when a decision still covers its month, the provider confirmed it paid, and paid its
amount. Everything else is a list to act on, each with what to do:

- a month decided but on no payroll → add the decisions taken since, or it is paid as arrears;
- a month decided for which the rules pay nothing (16 without studies, 22) → the stop is decided;
- a line without a payment method → record how the child is paid before the list is sent;
- a payment the provider has not confirmed → ask the provider;
- failed or returned → it is paid again in the next payroll (a reissue), after checking the method;
- paid an amount other than the line's → settle the difference with the provider;
- paid for a month no decision covers any more → it is recovered in the next payroll;
- a recovery → collect it from the carer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.entitlements.models import (
    OPEN_STATES,
    Application,
    Entitlement,
    Kind,
    LineKind,
    Outcome,
    PaymentLine,
    PayrollRun,
    PayrollState,
    Programme,
)
from haven.people.models import Child

PAID_KINDS = (LineKind.REGULAR, LineKind.ARREAR, LineKind.REISSUE)

KINDS = {
    "not_on_payroll": gettext_lazy("Decided, but on no payroll"),
    "nothing_due": gettext_lazy("Decided, but the rules pay nothing this month"),
    "no_payee": gettext_lazy("No payment method"),
    "unconfirmed": gettext_lazy("Not confirmed by the provider"),
    "failed": gettext_lazy("Payment failed"),
    "returned": gettext_lazy("Returned uncollected"),
    "amount_differs": gettext_lazy("Paid another amount"),
    "not_due": gettext_lazy("Paid for a month no decision covers"),
    "to_recover": gettext_lazy("To recover from the carer"),
}


@dataclass
class Issue:
    kind: str
    child: Child
    month: dt.date
    amount: int | None
    detail: str
    action: str
    line: PaymentLine | None = None

    @property
    def title(self) -> str:
        return str(KINDS[self.kind])


@dataclass
class Reconciliation:
    run: PayrollRun
    lines: int = 0
    matched: int = 0
    matched_amount: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def by_kind(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = {}
        for issue in self.issues:
            counts[issue.kind] = counts.get(issue.kind, 0) + 1
        return [(k, str(KINDS[k]), counts[k]) for k in KINDS if k in counts]


def _covers(period: Entitlement, month: dt.date) -> bool:
    return period.from_month <= month and (period.until_month is None or month < period.until_month)


def reconcile(run: PayrollRun) -> Reconciliation:
    """The run's lines checked three ways; a few queries whatever the number of lines."""
    found = Reconciliation(run)
    sent = run.state == PayrollState.SENT
    lines = list(
        run.lines.select_related(
            "child", "decision", "period", "payee", "confirmation", "corrects__run"
        ).order_by("child__family_name", "child__given_name", "month", "pk")
    )
    found.lines = len(lines)
    children = {line.child_id for line in lines}
    reissues = dict(
        PaymentLine.objects.filter(kind=LineKind.REISSUE, corrects__run=run).values_list(
            "corrects_id", "run__month"
        )
    )
    recovered = set(
        PaymentLine.objects.filter(kind=LineKind.RECOVERY, child_id__in=children).values_list(
            "child_id", "programme", "month"
        )
    )
    for line in lines:
        if line.amount < 0:
            found.issues.append(
                Issue(
                    "to_recover",
                    line.child,
                    line.month,
                    -line.amount,
                    _("Decision %(number)s stopped this month after it was paid.")
                    % {"number": line.decision.decision_number},
                    _("Collect it from the carer, or set it against a later payment, and keep the receipt."),
                    line,
                )
            )
            continue
        covered = _covers(line.period, line.month) and line.decision.state == "decided"
        if not covered and (line.child_id, line.programme, line.month) not in recovered:
            ended = line.period.ended_by.decision_number if line.period.ended_by_id else ""
            found.issues.append(
                Issue(
                    "not_due",
                    line.child,
                    line.month,
                    line.amount,
                    _("Decision %(number)s stopped the allowance from %(month)s.")
                    % {
                        "number": ended,
                        "month": line.period.until_month.strftime("%m/%Y") if line.period.until_month else "",
                    },
                    _("It is recovered in the next payroll."),
                    line,
                )
            )
            continue
        if line.payee_id is None and not sent:
            found.issues.append(
                Issue(
                    "no_payee",
                    line.child,
                    line.month,
                    line.amount,
                    _("Haven does not know how this child is paid."),
                    _("Record the payment method on the child's allowance page."),
                    line,
                )
            )
            continue
        if not sent:
            continue
        confirmation = getattr(line, "confirmation", None)
        if confirmation is None:
            found.issues.append(
                Issue(
                    "unconfirmed",
                    line.child,
                    line.month,
                    line.amount,
                    _("Sent to %(provider)s on %(day)s.")
                    % {
                        "provider": run.provider,
                        "day": run.sent_on.strftime("%d/%m/%Y") if run.sent_on else "",
                    },
                    _("Ask the provider for its return, then import it."),
                    line,
                )
            )
        elif confirmation.outcome in (Outcome.FAILED, Outcome.RETURNED):
            again = reissues.get(line.pk)
            found.issues.append(
                Issue(
                    confirmation.outcome,
                    line.child,
                    line.month,
                    line.amount,
                    confirmation.reason or confirmation.get_outcome_display(),
                    _("Paid again in the payroll of %(month)s.") % {"month": again.strftime("%m/%Y")}
                    if again
                    else _("Check the payment method: it is paid again in the next payroll."),
                    line,
                )
            )
        elif confirmation.amount != line.amount:
            found.issues.append(
                Issue(
                    "amount_differs",
                    line.child,
                    line.month,
                    line.amount,
                    _("The provider paid %(paid)s đồng.")
                    % {"paid": f"{confirmation.amount:,}".replace(",", ".")},
                    _("Settle the difference with the provider."),
                    line,
                )
            )
        else:
            found.matched += 1
            found.matched_amount += line.amount
    found.issues.extend(_not_on_payroll(run))
    return found


def _not_on_payroll(run: PayrollRun) -> list[Issue]:
    """The decided periods of the commune that cover the run's month without a payment for it: those
    the rules pay for are added (or paid as arrears); those they pay nothing for (a young person of 16
    without studies, of 22) wait for the stop, which adding decisions would never make."""
    from haven.entitlements.amounts import RuleBook
    from haven.entitlements.services.applications import facts_of

    periods = list(
        Entitlement.objects.filter(commune=run.commune, from_month__lte=run.month)
        .filter(Q(until_month__isnull=True) | Q(until_month__gt=run.month))
        .select_related("child", "decision", "commune")
    )
    paid = set(
        PaymentLine.objects.filter(
            child_id__in=[p.child_id for p in periods], month=run.month, kind__in=PAID_KINDS
        ).values_list("child_id", "programme")
    )
    periods = [p for p in periods if (p.child_id, p.programme) not in paid]
    book = RuleBook.load()
    pending = dict(
        Application.objects.filter(
            child_id__in=[p.child_id for p in periods],
            programme=Programme.MONTHLY_ALLOWANCE,
            state__in=OPEN_STATES,
        ).values_list("child_id", "kind")
    )
    closed = run.state in (PayrollState.APPROVED, PayrollState.SENT)
    found = []
    for p in periods:
        decision = _("Decision %(number)s of %(day)s.") % {
            "number": p.decision.decision_number,
            "day": p.decision.decided_on.strftime("%d/%m/%Y") if p.decision.decided_on else "",
        }
        due = book.amount(facts_of(p), run.month)
        if due.amount is None:
            kind = pending.get(p.child_id)
            found.append(
                Issue(
                    "nothing_due",
                    p.child,
                    run.month,
                    None,
                    f"{decision} {due.missing}",
                    _(
                        "The procedure “%(kind)s” is open for this child: once decided, the payroll "
                        "follows it."
                    )
                    % {"kind": Kind(kind).label}
                    if kind
                    else _("Prepare a stop on the child's allowance page: the chairman decides it."),
                )
            )
            continue
        found.append(
            Issue(
                "not_on_payroll",
                p.child,
                run.month,
                None,
                decision,
                _("Paid as arrears in the next payroll.")
                if closed
                else _("Add the decisions taken since to this payroll."),
            )
        )
    return found
