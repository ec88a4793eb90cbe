"""The national population register, seen through one interface.

Haven does not own the register (Ministry of Public Security). ``PopulationRegister`` is what Haven
needs of it: register a birth for a PIN, look a person up by PIN, search by name, sex, date of birth
and commune. Two implementations, chosen by settings.HAVEN_POPULATION_REGISTER:
``InProcessRegister`` (the default for tests and a bare checkout: PINs issued inside Haven's database,
its people are the children it gave a PIN) and ``haven.population.client.HttpRegister`` (the register
service, ``haven popreg serve``, over HTTP, with time-outs, retries and a circuit breaker).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from haven.lib import crypto
from haven.lib import pin as pins

# An extract's columns: those of a link file (haven/linkage/features.py) and the pre-2025 commune.
# The extract's number of people, sent before the rows: a stream cut between two chunks ends like a
# whole one (no length), and a part of the register must never be taken for all of it.
EXTRACT_ROWS_HEADER = "X-Extract-Rows"
EXTRACT_COLUMNS = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "pin",
    "commune_code",
    "province_code",
    "mother_name",
    "father_name",
    "old_commune_code",
)


@dataclass(frozen=True)
class BirthNotice:
    family_name: str
    middle_name: str
    given_name: str
    sex: str
    date_of_birth: dt.date
    # 2-digit code of the province where the birth is registered: the PIN's first three digits.
    registration_province: str
    registration_commune: str
    # The date of birth was estimated (Decree 123/2015 art. 14(3): a foundling's year is estimated).
    dob_estimated: bool = False


@dataclass(frozen=True)
class Issued:
    """The register's answer to a birth: the PIN and the register's own id of the person."""

    pin: str
    person_id: str


class RegisterUnavailable(Exception):
    """The register could not be reached or did not answer in time: try again later."""


class RegisterUnauthorised(RegisterUnavailable):
    """The register refused the caller's credentials (no token, an expired or revoked one, a scope it
    lacks). Nothing is wrong with the request: it waits, like one to a register that is down, until
    the credentials are put right. ``reason`` is the register's answer ("403 forbidden: ...")."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the population register refused the credentials ({reason})")
        self.reason = reason


class RegisterRefused(Exception):
    """The register answered that the request is wrong: retrying will not help. ``code`` is the
    register's short reason (``invalid_pin``, ``unknown_commune``, ``idempotency_conflict``...)."""

    def __init__(self, message: str, *, code: str = "refused", field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.field = code, field


@dataclass(frozen=True)
class RegisterPerson:
    """A person as the register knows them. ``sex`` is "male" or "female"; codes are the 2025 ones,
    ``old_commune_code`` the pre-2025 commune still on the person's papers, if any."""

    id: str
    pin: str
    family_name: str
    middle_name: str
    given_name: str
    sex: str
    date_of_birth: dt.date
    dob_estimated: bool = False
    commune_code: str = ""
    province_code: str = ""
    old_commune_code: str = ""
    household_id: str = ""
    mother_name: str = ""
    father_name: str = ""
    mother_pin: str = ""
    father_pin: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)


@dataclass(frozen=True)
class PersonQuery:
    """Search criteria; names are compared without diacritics. A name is needed (a date of birth alone
    matches thousands of people in a national register)."""

    family_name: str = ""
    middle_name: str = ""
    given_name: str = ""
    sex: str = ""  # "male", "female" or "" for either
    date_of_birth: dt.date | None = None
    commune_code: str = ""  # 2025 or pre-2025 code
    limit: int = 50


class PopulationRegister(Protocol):
    def register_birth(self, notice: BirthNotice, *, idempotency_key: str, patient: bool = True) -> Issued:
        """Register a birth and return its 12-digit PIN and the register's person id; the same key
        always returns the same PIN.

        ``patient=False`` asks for one quick try (a person is waiting for the page); the outbox's
        background retries are patient."""

    def person(self, pin: str) -> RegisterPerson | None:
        """The person with this PIN, or None. Raises RegisterRefused for a malformed PIN."""

    def search(self, query: PersonQuery) -> list[RegisterPerson]:
        """People matching ``query``, at most ``query.limit``."""

    def extract(self, province_code: str, destination: Path) -> Path:
        """Write the people of a province (all when "") as CSV in the link-file columns to
        ``destination`` (the input of `haven link run`). Raises RegisterUnavailable."""


class InProcessRegister:
    def register_birth(self, notice: BirthNotice, *, idempotency_key: str, patient: bool = True) -> Issued:
        from haven.people.models import Child
        from haven.population.models import IssuedPin

        answered = IssuedPin.objects.filter(idempotency_key=idempotency_key).first()
        if answered is not None:
            return _issued(answered)
        digit = pins.century_sex_digit(birth_year=notice.date_of_birth.year, sex=notice.sex)
        prefix = f"{int(notice.registration_province):03d}{digit}{notice.date_of_birth.year % 100:02d}"
        while True:
            value = prefix + f"{secrets.randbelow(1_000_000):06d}"
            index = Child.pin_lookup_key(value)
            if Child.objects.filter(pin_index=index).exists():
                continue  # the number belongs to somebody already: draw another
            try:
                with transaction.atomic():
                    issued = IssuedPin.objects.create(
                        idempotency_key=idempotency_key,
                        pin_index=index,
                        pin_encrypted=crypto.encrypt(value, keys=settings.HAVEN_FIELD_KEYS),
                    )
            except IntegrityError:
                answered = IssuedPin.objects.filter(idempotency_key=idempotency_key).first()
                if answered is not None:  # the same request, answered concurrently
                    return _issued(answered)
                continue  # the number was issued concurrently to someone else: draw another
            return Issued(pin=value, person_id=f"I{issued.pk}")

    # Its people are the children Haven holds with a PIN (the only births it ever registered).
    def person(self, pin: str) -> RegisterPerson | None:
        from haven.people.models import Child

        try:
            value = pins.parse(pin).value
        except pins.InvalidPin as error:
            raise RegisterRefused(str(error), code="invalid_pin", field="pin") from error
        child = Child.objects.select_related("current_commune__parent").filter(
            pin_index=Child.pin_lookup_key(value)
        )
        found = child.first()
        return _from_child(found, value) if found else None

    def search(self, query: PersonQuery) -> list[RegisterPerson]:
        from haven.lib.vietnamese import search_tokens
        from haven.people.models import Child

        if not (query.family_name or query.given_name):
            raise RegisterRefused(
                "Give a name; a date of birth alone matches too many people.", code="too_broad"
            )
        children = Child.objects.exclude(pin_index=None).exclude(pin_index="")
        for token in search_tokens(f"{query.family_name} {query.middle_name} {query.given_name}"):
            children = children.filter(search_name__contains=f" {token} ")
        if query.sex:
            children = children.filter(sex=query.sex)
        if query.date_of_birth:
            children = children.filter(date_of_birth=query.date_of_birth)
        if query.commune_code:
            children = children.filter(current_commune__code=query.commune_code)
        found = children.select_related("current_commune__parent").order_by("pk")[: query.limit]
        return [_from_child(c, c.pin) for c in found]

    def extract(self, province_code: str, destination: Path) -> Path:
        import csv

        from haven.people.models import Child

        children = Child.objects.exclude(pin_index=None).exclude(pin_index="").filter(merged_into=None)
        if province_code:
            children = children.filter(current_commune__parent__code=province_code)
        sex = {"male": "M", "female": "F"}
        with open(destination, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(EXTRACT_COLUMNS)
            for c in children.select_related("current_commune__parent").order_by("pk").iterator():
                writer.writerow(
                    [
                        str(c.pk),
                        c.family_name,
                        c.middle_name,
                        c.given_name,
                        sex.get(c.sex, "U"),
                        c.date_of_birth.isoformat() if c.date_of_birth else "",
                        "1" if c.date_of_birth_estimated else "0",
                        c.pin,
                        c.current_commune.code,
                        c.current_commune.parent.code if c.current_commune.parent else "",
                        "",
                        "",
                        "",
                    ]
                )
        return destination


def _issued(answered) -> Issued:
    return Issued(
        pin=crypto.decrypt(answered.pin_encrypted, keys=settings.HAVEN_FIELD_KEYS),
        person_id=f"I{answered.pk}",
    )


def _from_child(child, pin: str) -> RegisterPerson:
    return RegisterPerson(
        id=str(child.pk),
        pin=pin,
        family_name=child.family_name,
        middle_name=child.middle_name,
        given_name=child.given_name,
        sex=child.sex,
        date_of_birth=child.date_of_birth,
        dob_estimated=child.date_of_birth_estimated,
        commune_code=child.current_commune.code,
        province_code=child.current_commune.parent.code if child.current_commune.parent else "",
    )


@cache
def register() -> PopulationRegister:
    return import_string(settings.HAVEN_POPULATION_REGISTER)()
