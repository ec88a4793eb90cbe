"""Amounts and months as a reader writes them: "1.250.000 đồng", "07/2024"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def dong(value) -> str:
    """An amount in đồng, grouped as the reader's language groups thousands."""
    if value is None or value == "":
        return "—"
    return _("%(amount)s đồng") % {"amount": formats.number_format(value, force_grouping=True)}


@register.filter
def month(value: dt.date | None) -> str:
    """A month as mm/yyyy (Vietnamese practice, in both languages)."""
    return value.strftime("%m/%Y") if value else "—"


@register.filter
def coefficient(value) -> str:
    """A coefficient with the reader's decimal mark: 2,5 in Vietnamese, 2.5 in English."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value)
