"""The reports' own indicator, read from the one deadline engine (which imports no domain, so the
reports declare it): the share of clocks met on time, per rule — every step the law or Haven's
recommendations time."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from haven.deadlines.models import Obligation, Status
from haven.deadlines.rules import RULES
from haven.reports.compute import Window, count
from haven.reports.registry import Breakdown, Dimension, Indicator, Unit, register


def duties() -> dict[str, str]:
    """The rules counted: every duty; not a timer (the end of the 7-day notice is no one's step)."""
    return {code: str(rule.title) for code, rule in RULES.items() if not rule.on_due}


def clocks_met(window: Window):
    # A clock counts in the period it fell due, once it has: met by its deadline, met late, or still
    # open past it. A clock no longer needed (cancelled) is not counted.
    came_due = Obligation.objects.filter(
        due_at__gte=window.start, due_at__lt=window.end, rule__in=list(duties())
    ).exclude(status=Status.CANCELLED)
    return count(
        came_due,
        # The child's commune; for a duty about someone who is not a child in Haven, the area of the
        # organisation that answers for it.
        area=Coalesce(F("child__current_commune"), F("responsible__area")),
        window=window,
        child=None,
        dimensions=(Dimension.CATEGORY,),
        category=F("rule"),
        numerator=Q(status=Status.MET, closed_at__lte=F("due_at")),
    )


INDICATORS = (
    Indicator(
        code="HV.CLOCKS",
        name=_("Deadlines met on time"),
        numerator=_("Steps done by their deadline"),
        denominator=_("Steps whose deadline fell in the period: done on time, done late or still not done"),
        unit=Unit.PERCENT,
        legal_basis=_(
            "Decree 56/2017/NĐ-CP, art. 26–30; Decree 123/2015/NĐ-CP, art. 14; Law on Children 2016, art. 68 "
            "(each step's own basis in the table of deadlines)"
        ),
        valid_from=dt.date(2017, 7, 1),
        compute=clocks_met,
        disaggregations=(Dimension.CATEGORY,),
        breakdown=Breakdown(_("Step"), duties, partition=True),
        late_url="deadlines:team",
        order=30,
    ),
)


def register_all() -> None:
    register("reports", INDICATORS)
