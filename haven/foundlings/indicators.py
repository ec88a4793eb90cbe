"""The found-child pathway's indicators (Decree 123/2015 art. 14; Notice 432-TB/VPTW part 2),
registered with the reports (reports/registry.py) when the app starts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from haven.foundlings.models import FoundlingCase, State, Step
from haven.reports.compute import Window, count
from haven.reports.registry import Dimension, Indicator, Unit, register

PIN_WITHIN = dt.timedelta(days=30)


def _found_in(window: Window):
    # A second report of the same child is not a second child.
    return FoundlingCase.objects.filter(found_at__gte=window.start, found_at__lt=window.end).exclude(
        state=State.DUPLICATE
    )


def found(window: Window):
    # Counted where the child was found: that commune answers for the child from the first minute.
    return count(_found_in(window), area="found_commune", window=window, dimensions=(Dimension.SEX,))


def pin_within_30_days(window: Window):
    # Counted once the 30 days are over (or the number came earlier): a child found yesterday is not
    # yet late. The number "arrives" when the population register answers (the pathway's step).
    pin_step = Step.objects.filter(
        case=OuterRef("pk"), action="pin_received", at__lte=OuterRef("found_at") + PIN_WITHIN
    )
    judged = (
        _found_in(window)
        .annotate(pin_in_time=Exists(pin_step))
        .filter(Q(found_at__lte=window.now - PIN_WITHIN) | Q(pin_in_time=True))
    )
    return count(
        judged,
        area="found_commune",
        window=window,
        dimensions=(Dimension.SEX,),
        numerator=Q(pin_in_time=True),
    )


INDICATORS = (
    Indicator(
        code="HV.FOUND",
        name=_("Found children"),
        numerator=_(
            "Abandoned children found during the period, counted in the commune where they were found"
        ),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Decree 123/2015/NĐ-CP, art. 14; Notice 432-TB/VPTW, part 2"),
        valid_from=dt.date(2016, 1, 1),
        compute=found,
        disaggregations=(Dimension.SEX,),
        late_url="foundlings:reconciliation",
        order=20,
    ),
    Indicator(
        code="HV.FOUND.PIN30",
        name=_("Found children with a personal identification number within 30 days"),
        numerator=_(
            "Found children whose personal identification number arrived within 30 days of discovery"
        ),
        denominator=_(
            "Children found during the period whose first 30 days are over, or who already have the number"
        ),
        unit=Unit.PERCENT,
        legal_basis=_("Law on Identification 2023, art. 12; Decree 123/2015/NĐ-CP, art. 14"),
        valid_from=dt.date(2024, 7, 1),
        compute=pin_within_30_days,
        disaggregations=(Dimension.SEX,),
        late_url="foundlings:reconciliation",
        order=21,
    ),
)


def register_all() -> None:
    register("foundlings", INDICATORS)
