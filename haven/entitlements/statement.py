"""The carer's statement of a child's allowance: every month put on a payroll, its amount and the rule it
was computed from, what the provider confirmed, and the next change the rules bring ("from 06/2027,
750,000 đồng: the child turns 4"). No anchor system gives the carer this; the page and the printed
paper say the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.core import clock
from haven.entitlements import selectors
from haven.entitlements.amounts import MonthAmount, RuleBook, month_of
from haven.entitlements.models import Entitlement, PaymentLine, PaymentMethod, PayrollRun
from haven.people.models import Child


def dong(value: int | None) -> str:
    if value is None:
        return "—"
    return _("%(amount)s đồng") % {"amount": formats.number_format(value, force_grouping=True)}


def change_reason(now: MonthAmount | None, then: MonthAmount) -> str:
    """Why the amount changes in ``then``'s month, in the reader's language."""
    if now is not None and then.age is not None and now.age is not None and then.age > now.age:
        if then.amount is None:
            return _("the child turns %(age)s: no rule pays from then") % {"age": then.age}
        return _("the child turns %(age)s") % {"age": then.age}
    if now is not None and then.base is not None and now.base is not None and then.base.pk != now.base.pk:
        return _("the standard social-assistance level becomes %(amount)s") % {
            "amount": dong(then.base.value)
        }
    if then.amount is None:
        return then.missing
    return _("the rules change")


@dataclass
class Statement:
    child: Child
    current: Entitlement | None
    periods: list[Entitlement]
    lines: list[PaymentLine]
    payee: PaymentMethod | None
    this_month: MonthAmount | None
    next: MonthAmount | None
    next_reason: str
    bases: list[str] = field(default_factory=list)
    unverified: bool = False

    @property
    def paid_total(self) -> int:
        """What the provider confirmed it paid."""
        return sum(
            line.confirmation.amount
            for line in self.lines
            if getattr(line, "confirmation", None) is not None and line.confirmation.outcome == "paid"
        )

    @property
    def listed_total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def next_sentence(self) -> str:
        """ "From 06/2027, 750,000 đồng: the child turns 4." """
        if self.next is None:
            return ""
        if self.next.amount is None:
            return _("From %(month)s, nothing is paid: %(why)s.") % {
                "month": self.next.month.strftime("%m/%Y"),
                "why": self.next_reason,
            }
        return _("From %(month)s, %(amount)s a month: %(why)s.") % {
            "month": self.next.month.strftime("%m/%Y"),
            "amount": dong(self.next.amount),
            "why": self.next_reason,
        }


def statement_of(user: User, child: Child, today: dt.date | None = None) -> Statement:
    """The statement of ``child`` as ``user`` sees it: the payrolls of the communes the user sees."""
    today = today or clock.today()
    book = RuleBook.load()
    periods = list(selectors.periods(user).filter(child=child).order_by("-from_month"))
    current = next((p for p in periods if p.until_month is None), None)
    lines = list(
        PaymentLine.objects.filter(child=child, run__in=PayrollRun.objects.visible_to(user).values("pk"))
        .select_related("run", "rule", "parameter", "decision", "confirmation", "corrects__run")
        .order_by("-month", "run__month", "pk")
    )
    this_month = None
    if current is not None:
        from haven.entitlements.services.applications import facts_of

        this_month = book.amount(facts_of(current, child), month_of(today))
    upcoming = selectors.next_change(child, current, book, today)
    bases = []
    for line in lines:
        for row in (line.rule, line.parameter):
            if row is not None and row.legal_basis not in bases:
                bases.append(row.legal_basis)
    unverified = any(not line.verified for line in lines) or (
        this_month is not None and not this_month.verified
    )
    return Statement(
        child=child,
        current=current,
        periods=periods,
        lines=lines,
        payee=PaymentMethod.objects.in_force(today).filter(child=child).first(),
        this_month=this_month,
        next=upcoming,
        next_reason=change_reason(this_month, upcoming) if upcoming is not None else "",
        bases=bases,
        unverified=unverified,
    )
