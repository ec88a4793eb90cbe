"""Small checks every care service shares."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.care.workflow import start_of
from haven.core import clock
from haven.core.errors import invalid

__all__ = ["not_future", "required", "required_all", "start_of"]


def required(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, message, "required")
    return value


def required_all(values: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Every text the step needs, stripped; every missing one reported at once."""
    missing = {
        field: ValidationError(message, code="required")
        for field, (value, message) in values.items()
        if not (value or "").strip()
    }
    if missing:
        raise ValidationError(missing)
    return {field: value.strip() for field, (value, _message) in values.items()}


def not_future(field: str, day: dt.date) -> None:
    if day > clock.today():
        raise invalid(field, _("The date cannot be in the future."), "future_date")
