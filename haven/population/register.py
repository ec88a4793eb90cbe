"""The national population register, seen through one interface.

Haven does not own the register (Ministry of Public Security). ``PopulationRegister`` is what Haven
needs of it; ``InProcessRegister`` issues well-formed unique PINs until the HTTP client of issue #5
is configured (settings.HAVEN_POPULATION_REGISTER).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from haven.lib import crypto
from haven.lib import pin as pins


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


class RegisterUnavailable(Exception):
    """The register could not be reached or did not answer in time: try again later."""


class RegisterRefused(Exception):
    """The register answered that the request is wrong: retrying will not help."""


class PopulationRegister(Protocol):
    def register_birth(self, notice: BirthNotice, *, idempotency_key: str) -> str:
        """Register a birth and return its 12-digit PIN; the same key always returns the same PIN."""


class InProcessRegister:
    def register_birth(self, notice: BirthNotice, *, idempotency_key: str) -> str:
        from haven.people.models import Child
        from haven.population.models import IssuedPin

        answered = IssuedPin.objects.filter(idempotency_key=idempotency_key).first()
        if answered is not None:
            return crypto.decrypt(answered.pin_encrypted, keys=settings.HAVEN_FIELD_KEYS)
        digit = pins.century_sex_digit(birth_year=notice.date_of_birth.year, sex=notice.sex)
        prefix = f"{int(notice.registration_province):03d}{digit}{notice.date_of_birth.year % 100:02d}"
        while True:
            value = prefix + f"{secrets.randbelow(1_000_000):06d}"
            index = Child.pin_lookup_key(value)
            if Child.objects.filter(pin_index=index).exists():
                continue  # the number belongs to somebody already: draw another
            try:
                with transaction.atomic():
                    IssuedPin.objects.create(
                        idempotency_key=idempotency_key,
                        pin_index=index,
                        pin_encrypted=crypto.encrypt(value, keys=settings.HAVEN_FIELD_KEYS),
                    )
            except IntegrityError:
                answered = IssuedPin.objects.filter(idempotency_key=idempotency_key).first()
                if answered is not None:  # the same request, answered concurrently
                    return crypto.decrypt(answered.pin_encrypted, keys=settings.HAVEN_FIELD_KEYS)
                continue  # the number was issued concurrently to someone else: draw another
            return value


@cache
def register() -> PopulationRegister:
    return import_string(settings.HAVEN_POPULATION_REGISTER)()
