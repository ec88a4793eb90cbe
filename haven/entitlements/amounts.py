"""How much a child is paid for a month: always computed, never typed.

    amount(month) = standard level in force on the month's first day (the province's, where it set a
    higher one) × the coefficient of the rule in force on that day for the child's ground, care
    situation, studies and age in full years on that day.

Decree 20/2021/NĐ-CP art. 4 and 6, as amended by Decree 76/2024/NĐ-CP. Taking every fact on the first
day of the month is Haven's reading (the decree pays by the month and names no day): a child who turns
4 during May is paid the under-4 coefficient for May and the lower one from June; a level that changes
on 1 July applies to July. The same reading places a birthday on the 1st in the month it falls, and a
child born during a month is in its first year for that month.

``RuleBook`` holds every rule and level in memory (a few dozen rows), so a payroll of many children
asks the database once, not once a child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from haven.entitlements.models import BenefitRule, Parameter, ParameterKey, Programme
from haven.people.rules import age_in_years

# How far ahead the next change is looked for: past the last age the rules name (22, Decree 20/2021
# art. 5(2)), so that every running allowance's next change is found, a newborn's 4th birthday too.
NEXT_CHANGE_MONTHS = 23 * 12


def month_of(day: dt.date) -> dt.date:
    """The month a day falls in, as its first day."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months(first: dt.date, until: dt.date | None, *, at_most: dt.date) -> Iterator[dt.date]:
    """The months of ``[first, until)`` (first days), none after ``at_most``."""
    month = month_of(first)
    while (until is None or month < until) and month <= at_most:
        yield month
        month = next_month(month)


def vnd(value: Decimal | int) -> int:
    """An amount in whole đồng (half a đồng rounds up)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Facts:
    """What the amount depends on besides the rules: decided by the chairman, except the birth date."""

    born: dt.date | None
    ground: str
    care_situation: str
    studying: bool
    province_id: int | None
    programme: str = Programme.MONTHLY_ALLOWANCE


@dataclass(frozen=True)
class MonthAmount:
    """One month's amount and every input it was computed from (what a payroll line freezes), or why
    there is none (``missing``, in the reader's language)."""

    month: dt.date
    age: int | None
    amount: int | None
    rule: BenefitRule | None = None
    base: Parameter | None = None
    missing: str = ""

    @property
    def verified(self) -> bool:
        """Both the level and the coefficient were checked against the official text."""
        return bool(self.rule and self.base and self.rule.verified and self.base.verified)


def _in_force(row, on: dt.date) -> bool:
    return row.valid_from <= on and (row.valid_to is None or on < row.valid_to)


class RuleBook:
    """Every benefit rule and legal amount, read once."""

    def __init__(self, rules: Iterable[BenefitRule], parameters: Iterable[Parameter]) -> None:
        self.rules = list(rules)
        self.parameters = list(parameters)

    @classmethod
    def load(cls) -> RuleBook:
        return cls(BenefitRule.objects.all(), Parameter.objects.select_related("province"))

    def base(self, on: dt.date, province_id: int | None, key: str = ParameterKey.STANDARD_LEVEL):
        """The level in force on ``on``: the national one, or the province's where it is higher (a
        province may raise the level, never lower it: Decree 20/2021 art. 4(3) as amended)."""
        national = next(
            (p for p in self.parameters if p.key == key and p.province_id is None and _in_force(p, on)), None
        )
        own = next(
            (
                p
                for p in self.parameters
                if p.key == key and province_id and p.province_id == province_id and _in_force(p, on)
            ),
            None,
        )
        if own is not None and (national is None or own.value > national.value):
            return own
        return national

    def rule(self, facts: Facts, age: int, on: dt.date) -> BenefitRule | None:
        for r in self.rules:
            if (
                r.programme == facts.programme
                and r.ground == facts.ground
                and r.care_situation == facts.care_situation
                and r.age_from <= age
                and (r.age_to is None or age < r.age_to)
                and (facts.studying or not r.requires_studying)
                and _in_force(r, on)
            ):
                return r
        return None

    def amount(self, facts: Facts, month: dt.date) -> MonthAmount:
        """The amount for ``month``, from the facts and the rules on the month's first day."""
        first = month_of(month)
        if facts.born is None:
            return MonthAmount(first, None, None, missing=_("The child's date of birth is not known."))
        if facts.born >= next_month(first):
            return MonthAmount(first, None, None, missing=_("The child was not yet born."))
        # A child born during the month is in its first year for that month.
        age = max(age_in_years(facts.born, first), 0)
        rule = self.rule(facts, age, first)
        if rule is None:
            return MonthAmount(
                first, age, None, missing=_("No benefit rule applies to this child in this month.")
            )
        base = self.base(first, facts.province_id, rule.base)
        if base is None:
            return MonthAmount(
                first, age, None, rule=rule, missing=_("No standard level is in force in this month.")
            )
        return MonthAmount(first, age, vnd(base.value * rule.coefficient), rule=rule, base=base)

    def amounts(self, facts: Facts, first: dt.date, until: dt.date | None, *, at_most: dt.date):
        return [self.amount(facts, m) for m in months(first, until, at_most=at_most)]

    def next_change(
        self, facts: Facts, after: dt.date, *, within_months: int = NEXT_CHANGE_MONTHS
    ) -> MonthAmount | None:
        """The first month after ``after`` whose amount differs from ``after``'s (a birthday, a new
        level), looked for up to ``within_months`` ahead: what the carer is told to expect. A newborn's
        carer is told of the 4th birthday, four years on."""
        now = self.amount(facts, after)
        month = month_of(after)
        for _step in range(within_months):
            month = next_month(month)
            then = self.amount(facts, month)
            if then.amount != now.amount or (then.rule and now.rule and then.rule.pk != now.rule.pk):
                return then
        return None
