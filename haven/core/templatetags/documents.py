"""The place-and-date line of a printed document, as the PDFs write it (haven/core/documents.py)."""

from __future__ import annotations

import datetime as dt

from django import template

from haven.core import documents

register = template.Library()


@register.simple_tag
def date_line(area, on: dt.datetime | dt.date | None) -> str:
    """ "Ba Đình, ngày 05 tháng 01 năm 2027" for a moment or a day in ``area``."""
    if isinstance(on, dt.datetime):
        on = documents.local(on).date()
    return documents.date_line(documents.proper_name(area), on)


@register.filter
def in_text(area) -> str:
    """ "phường Ba Đình": a unit's name as running text writes it."""
    return documents.in_text(area)
