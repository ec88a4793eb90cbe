"""Validation rules for a child's record, with messages in the user's language."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.core import clock
from haven.core.errors import invalid
from haven.lib import pin as pins
from haven.lib.vietnamese import nfc

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


def age_in_years(born: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on`` (a birthday counts from its day)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


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


# --- Names ------------------------------------------------------------------------------------------
#
# A legal name goes on a birth certificate and to the national population register, which refuses a
# name with a digit or a control character (population/service.py). Haven refuses it at the point of
# entry, before a registration number is issued (walkthrough D5), and adds what no name has: markup,
# other symbols, a letter typed four times in a row, a word longer than any name's. Letters of every
# script are allowed (a child of foreign or mixed parentage, ethnic-minority names such as "H'Hen Niê"
# or "Y-Moan"), with spaces, hyphens and apostrophes between them.

# A Vietnamese syllable has at most 7 letters ("nghiêng"); 30 leaves room for foreign and minority names.
NAME_WORD_MAX = 30
# No Vietnamese syllable repeats a letter three times ("Xoong" has two); four in a row is a typing slip.
NAME_REPEAT_MAX = 3
_NAME_JOINERS = frozenset(" -'’ʼ")
_NAME_WORDS = re.compile(r"[ \-'’ʼ]+")


def name_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be a person's legal name (a message and a code), or None when it can.
    An empty value is not a problem here: whether a name is required is the form's or service's rule."""
    text = unicodedata.normalize("NFC", value)
    if any(not (unicodedata.category(c)[0] in "LM" or c in _NAME_JOINERS or c.isdigit()) for c in text):
        return (
            _("A name can contain only letters, spaces, hyphens (-) and apostrophes (')."),
            "name_characters",
        )
    if any(c.isdigit() for c in text):
        return _("A name cannot contain digits."), "name_digits"
    words = [w for w in _NAME_WORDS.split(text) if w]
    if text.strip() and not words:
        return _("A name must contain letters."), "name_characters"
    folded = text.casefold()
    run = NAME_REPEAT_MAX + 1
    if any(
        folded[i].isalpha() and folded[i] * run == folded[i : i + run]
        for i in range(len(folded) - NAME_REPEAT_MAX)
    ):
        return _("A name does not repeat the same letter more than 3 times in a row."), "name_repeated"
    if any(len(w) > NAME_WORD_MAX for w in words):
        return (
            _("A word of a name has at most %(count)d letters.") % {"count": NAME_WORD_MAX},
            "name_word_too_long",
        )
    return None


def clean_name(value: str, *, field: str) -> str:
    """``value`` as it is stored (NFC, single spaces), or a ValidationError on ``field``."""
    problem = name_problem(value or "")
    if problem:
        raise invalid(field, *problem)
    return nfc(value)


def check_names(**names: str | None) -> None:
    """Every implausible name among ``names`` (field → value) at once, as one ValidationError."""
    errors = {
        field: ValidationError(problem[0], code=problem[1])
        for field, value in names.items()
        if value and (problem := name_problem(value))
    }
    if errors:
        raise ValidationError(errors)


def validate_name(value: str) -> None:
    """The same rule as a Django form validator, so the form shows it next to the field."""
    problem = name_problem(value or "")
    if problem:
        raise ValidationError(problem[0], code=problem[1])


# --- Phone numbers ----------------------------------------------------------------------------------

# Vietnamese numbers: a mobile is 0 and 9 digits starting 3, 5, 7, 8 or 9 (0913 456 789); a fixed line
# is 0 and 10 digits starting 2 (024 3825 1234); +84 or 84 may stand for the leading 0. Spaces, dots,
# hyphens and brackets between the digits are how people write them.
_PHONE = re.compile(r"(?:0|\+?84)(?:[35789]\d{8}|2\d{9})")
_PHONE_SEPARATORS = re.compile(r"[ .\-()]")


def phone_problem(value: str) -> str | None:
    if value and not _PHONE.fullmatch(_PHONE_SEPARATORS.sub("", value)):
        return _("Give a Vietnamese phone number, such as 0913 456 789 or 024 3825 1234.")
    return None


def clean_phone(value: str | None, *, field: str) -> str:
    """The phone number as written (trimmed), or a ValidationError on ``field``."""
    value = (value or "").strip()
    problem = phone_problem(value)
    if problem:
        raise invalid(field, problem, "bad_phone")
    return value


def validate_phone(value: str) -> None:
    problem = phone_problem((value or "").strip())
    if problem:
        raise ValidationError(problem, code="bad_phone")


# --- Numbers and references -------------------------------------------------------------------------

# A decision number ("12/QĐ-UBND"), a licence, a card or an identity document is letters, digits and a
# few separators; markup in one (walkthrough D19: "<script>x</script>" as a Form 12 number) is refused.
_REFERENCE_SEPARATORS = frozenset(" /-.,:()#_")


def reference_problem(value: str) -> str | None:
    if any(not (c.isalnum() or c in _REFERENCE_SEPARATORS) for c in value):
        return _("A number or reference has only letters, digits, spaces and / - . , : ( ) #.")
    return None


def clean_reference(value: str | None, *, field: str) -> str:
    value = (value or "").strip()
    problem = reference_problem(value)
    if problem:
        raise invalid(field, problem, "bad_reference")
    return value


def validate_reference(value: str) -> None:
    problem = reference_problem((value or "").strip())
    if problem:
        raise ValidationError(problem, code="bad_reference")
