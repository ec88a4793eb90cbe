"""Validation rules for a child's record, with messages in the user's language."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from haven.core import clock
from haven.core.errors import invalid
from haven.lib import pin as pins

# Benefits for a young person in education run to age 22 (Decree 20/2021 art. 5(1)); older records
# are almost certainly a typing error.
OLDEST_AGE_YEARS = 23

PIN_MESSAGES = {
    "digits": lambda: _("A personal identification number has only digits."),
    "length": lambda: _("A personal identification number has exactly 12 digits."),
    "province": lambda: _("The first three digits are not a province code."),
    "sex": lambda: _("The fourth digit (century and sex) does not match the child's sex."),
    "year": lambda: _("Digits 4–6 (century and year of birth) do not match the date of birth."),
}


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February falls back to the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def clean_pin(value: str, *, sex: str, date_of_birth: dt.date | None, estimated: bool) -> str:
    """The PIN in canonical form, or a ValidationError on ``pin`` explaining which part is wrong."""
    # An estimated birth year is still the year registered, so it must agree with the PIN too.
    del estimated
    try:
        parsed = pins.parse(value, sex=sex, birth_year=date_of_birth.year if date_of_birth else None)
    except pins.InvalidPin as bad:
        raise invalid("pin", PIN_MESSAGES[bad.reason](), f"pin_{bad.reason}") from None
    return parsed.value


def clean_date_of_birth(value: dt.date | None) -> None:
    if value is None:
        return
    today = clock.localdate()
    if value > today:
        raise invalid("date_of_birth", _("The date of birth cannot be in the future."), "date_in_future")
    if value < years_before(today, OLDEST_AGE_YEARS):
        message = _("The date of birth is more than %(years)d years ago.") % {"years": OLDEST_AGE_YEARS}
        raise invalid("date_of_birth", message, "date_too_old")


def clean_heard_on(value: dt.date, child) -> None:
    if value > clock.localdate():
        raise invalid("heard_on", _("This date cannot be in the future."), "date_in_future")
    if child.date_of_birth and value < child.date_of_birth:
        raise invalid("heard_on", _("This date is before the child was born."), "before_birth")


# Law on Children art. 60(3): a child of 7 or more is consulted on a decision about their care.
HEARD_FROM_YEARS = 7
# Design choice (docs/decisions/0007): a view counts for a decision when heard within the last 6
# calendar months; an older view is asked again.
VIEW_VALID_MONTHS = 6


def latest_view(child):
    """The child's latest recorded view, or None."""
    return child.opinions.order_by("-heard_on", "-created_at").first()


def child_not_heard(child, on: dt.date, *, view=False) -> str | None:
    """Why a decision about ``child`` may not be taken on ``on`` yet: a child of 7 or over whose view
    was not heard within the last 6 months (Law on Children art. 60(3), art. 47(5)). None when heard.
    ``view``: the view to count, when the caller has it already."""
    from dateutil.relativedelta import relativedelta

    age = child.age_years(on)
    if age is None or age < HEARD_FROM_YEARS:
        return None
    view = latest_view(child) if view is False else view
    if view is None or view.heard_on < on - relativedelta(months=VIEW_VALID_MONTHS):
        return _(
            "The child is 7 or older: record the child's view, heard within the last 6 months, before "
            "this decision (Law on Children art. 60(3))."
        )
    return None
