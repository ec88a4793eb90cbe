"""Child protection's indicators (Decree 56/2017; Circular 13/2021/TT-BLĐTBXH Annex IV), registered
with the reports when the app starts. Counted in the commune of the incident, which leads the case
(Decree 56/2017 art. 26(2))."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext_lazy as _

from haven.protection.models import ProtectionCase, State
from haven.reports.compute import Window, count
from haven.reports.periods import Kind
from haven.reports.registry import Breakdown, Dimension, Indicator, Unit, register

OUTCOMES = {
    "open": _("Being handled"),
    "supported": _("Closed after support"),
    "unfounded": _("Closed: unfounded"),
}
OUTCOME = Case(
    When(state=State.CLOSED, then=Value("supported")),
    When(state=State.UNFOUNDED, then=Value("unfounded")),
    default=Value("open"),
    output_field=CharField(),
)


def _received(window: Window):
    return ProtectionCase.objects.filter(received_at__gte=window.start, received_at__lt=window.end)


def reports_by_outcome(window: Window):
    return count(
        _received(window),
        area="incident_commune",
        window=window,
        dimensions=(Dimension.CATEGORY,),
        category=OUTCOME,
    )


def abused_children(window: Window):
    # A child reported twice in the period is one abused child; a report found unfounded is none.
    return count(
        _received(window).exclude(state=State.UNFOUNDED),
        area="incident_commune",
        window=window,
        dimensions=(Dimension.SEX, Dimension.AGE),
        distinct="child",
    )


def abused_children_total(window: Window):
    return count(
        _received(window).exclude(state=State.UNFOUNDED),
        area="incident_commune",
        window=window,
        distinct="child",
    )


ANNEX_IV = _("Circular 13/2021/TT-BLĐTBXH, Annex IV, indicator 0101; Decree 56/2017/NĐ-CP, art. 26")
INDICATORS = (
    Indicator(
        code="IV.0101",
        name=_("Abused children"),
        numerator=_(
            "Children reported during the period as harmed by violence, exploitation, sexual abuse, "
            "trafficking, abandonment or neglect, except reports found unfounded"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=ANNEX_IV,
        valid_from=dt.date(2021, 11, 15),
        compute=abused_children,
        disaggregations=(Dimension.SEX, Dimension.AGE),
        circular=_("Annex IV, 0101"),
        late_url="deadlines:team",
        order=60,
    ),
    Indicator(
        code="HV.ABUSE.REPORTS",
        name=_("Reports of abuse by outcome"),
        numerator=_(
            "Reports of a child harmed or at risk received during the period, by where each stands now"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Decree 56/2017/NĐ-CP, art. 26–33"),
        valid_from=dt.date(2017, 7, 1),
        compute=reports_by_outcome,
        disaggregations=(Dimension.CATEGORY,),
        breakdown=Breakdown(_("Outcome"), lambda: {k: str(v) for k, v in OUTCOMES.items()}),
        late_url="deadlines:team",
        order=61,
    ),
    Indicator(
        code="HV.ABUSE.RATE",
        name=_("Abused children per 100,000 children"),
        numerator=_("Abused children in the year (indicator 0101)"),
        denominator=_("Children living in the area (the population figure in force, with its source)"),
        unit=Unit.PER_100K,
        legal_basis=_(
            "Decision 23/QĐ-TTg of 7 January 2021; Circular 13/2021/TT-BLĐTBXH, Annex IV, indicator 0101"
        ),
        valid_from=dt.date(2021, 1, 7),
        compute=abused_children_total,
        periods=(Kind.YEAR,),
        order=62,
    ),
)


def register_all() -> None:
    register("protection", INDICATORS)
