"""The register's indicator: children in special circumstances, by group (Law on Children art. 10),
registered with the reports (reports/registry.py) when the app starts."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from haven.people.models import Child, SpecialCircumstance
from haven.reports.compute import Window, count
from haven.reports.registry import Dimension, Indicator, Unit, register


def in_special_circumstances(window: Window):
    # A child counts in the commune where the child lives now (Haven keeps no history of residence),
    # once, whatever the number of groups; the breakdown by group counts the child in each of them.
    children = Child.objects.filter(
        SpecialCircumstance.in_force_q(window.on, prefix="circumstances__"), merged_into__isnull=True
    )
    return count(
        children,
        area="current_commune",
        window=window,
        child="",
        dimensions=(Dimension.SEX, Dimension.AGE, Dimension.GROUP),
    )


INDICATORS = (
    Indicator(
        code="HV.SC",
        name=_("Children in special circumstances"),
        numerator=_(
            "Children belonging to at least one group of special circumstances on the last day of the period"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_(
            "Law on Children 2016, art. 10; Circular 13/2021/TT-BLĐTBXH, Annex I "
            "(number of children in special circumstances)"
        ),
        valid_from=dt.date(2021, 11, 15),
        compute=in_special_circumstances,
        disaggregations=(Dimension.SEX, Dimension.AGE, Dimension.GROUP),
        stock=True,
        order=10,
    ),
)


def register_all() -> None:
    register("people", INDICATORS)
