"""Checking a child against the national population database before the chairman decides (Decree
147/2025/NĐ-CP art. 5 and its administrative procedure: the commune "standardises the subject's
information with the National Population Database"). Haven asks the register it already uses for
PINs (haven/population/register.py) for the person with the child's PIN and compares the name, the
date of birth and the sex. Any refusal changes nothing: the application stays where it was."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from haven.core.errors import Refused
from haven.lib.vietnamese import search_key
from haven.people.models import Child
from haven.population import register as population
from haven.population.register import RegisterPerson, RegisterRefused, RegisterUnavailable


def differences(child: Child, person: RegisterPerson) -> list[str]:
    """What the register says differently from Haven's record, in the reader's words. Names are
    compared without diacritics or case, as the register's own search does."""
    found = []
    if search_key(child.family_name, child.middle_name, child.given_name) != search_key(
        person.family_name, person.middle_name, person.given_name
    ):
        found.append(_("the name (register: %(name)s)") % {"name": person.full_name})
    if child.date_of_birth != person.date_of_birth:
        found.append(
            _("the date of birth (register: %(day)s)")
            % {"day": formats.date_format(person.date_of_birth, "SHORT_DATE_FORMAT")}
        )
    if child.sex in ("male", "female") and person.sex in ("male", "female") and child.sex != person.sex:
        found.append(_("the sex"))
    return found


def check_in_register(child: Child) -> RegisterPerson:
    """The register's person for the child's PIN, or Refused saying what to do."""
    pin = child.pin
    if not pin:
        raise Refused(
            _(
                "The child has no personal identification number yet, so the register cannot be checked: "
                "register the birth or record the number first."
            ),
            code="no_pin",
        )
    try:
        person = population.register().person(pin)
    except RegisterUnavailable:
        raise Refused(
            _("The population register is not answering. Nothing was changed: try again later."),
            code="register_unavailable",
        ) from None
    except RegisterRefused:
        raise Refused(
            _(
                "The population register refused the child's number as malformed: correct it on the "
                "child's record."
            ),
            code="register_refused",
        ) from None
    if person is None:
        raise Refused(
            _(
                "The population register has no person with the child's number: check the number on "
                "the child's record."
            ),
            code="not_in_register",
        )
    found = differences(child, person)
    if found:
        raise Refused(
            _(
                "The population register holds other details for the child's number: %(what)s. Correct the "
                "child's record (or the number), then check again."
            )
            % {"what": "; ".join(found)},
            code="register_differs",
        )
    return person
