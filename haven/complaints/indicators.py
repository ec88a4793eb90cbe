"""The complaints' figure for the indicator registry (reports/registry.py): complaints settled on time,
counted from the one deadline engine's clocks. A complaint counts in the commune that handles it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.complaints import clocks
from haven.complaints.models import Complaint
from haven.deadlines.models import Obligation, Status
from haven.reports.compute import Window, count
from haven.reports.registry import Breakdown, Dimension, Indicator, Unit, register

LEVELS = {
    "first": _("first-time complaints"),
    "second": _("second-time complaints"),
    "feedback": _("feedback"),
}


def levels() -> dict[str, str]:
    return {k: str(v) for k, v in LEVELS.items()}


def settled_on_time(window: Window):
    # Every settling clock that fell due in the period counts once: settled (or answered) by its
    # deadline is above the line; settled late, or still open past it, is below. A clock made moot
    # before its deadline (a withdrawal, a case found complicated) is not counted.
    came_due = Obligation.objects.filter(
        subject_type=Complaint._meta.label_lower,
        rule__in=list(clocks.SETTLING),
        due_at__gte=window.start,
        due_at__lt=window.end,
    ).exclude(status=Status.CANCELLED, closed_at__lte=F("due_at"))
    return count(
        came_due,
        area=Subquery(Complaint.objects.filter(pk=OuterRef("subject_id")).values("commune")[:1]),
        window=window,
        child=None,
        dimensions=(Dimension.CATEGORY,),
        category=Case(
            When(rule__in=list(clocks.FIRST), then=Value("first")),
            When(rule__in=list(clocks.SECOND), then=Value("second")),
            default=Value("feedback"),
        ),
        numerator=Q(status=Status.MET, closed_at__lte=F("due_at")),
    )


INDICATORS = (
    Indicator(
        code="HV.COMPLAINT.ONTIME",
        name=_("Complaints settled on time"),
        numerator=_("Complaints settled, and feedback answered, by their deadline"),
        denominator=_(
            "Complaints and feedback whose deadline to settle or answer fell in the period: settled on time, "
            "settled late or still not settled"
        ),
        unit=Unit.PERCENT,
        legal_basis=_(
            "Law on Complaints 02/2011/QH13, art. 28 and 37 (30 or 45 days the first time, 45 or 60 the "
            "second, longer in remote areas); feedback: 10 working days (recommended)"
        ),
        valid_from=dt.date(2012, 7, 1),
        compute=settled_on_time,
        disaggregations=(Dimension.CATEGORY,),
        breakdown=Breakdown(_("Settled at"), levels, partition=True),
        subject=Verb.COMPLAINT_HANDLE,
        late_url="complaints:list",
        order=75,
    ),
)


def register_all() -> None:
    register("complaints", INDICATORS)
