"""Model fields kept encrypted at rest, with the field keys (HAVEN_FIELD_KEYS), as the PIN is.

The column holds a Fernet token (haven/lib/crypto.py); the model attribute holds the plain value. A
copy of the database, its WAL, a backup or a dump shows only ciphertext; the code, the forms, the API
and the history tables (django-simple-history copies the field) see the value as before.

Each token is random, so such a column cannot be searched, filtered or sorted: a lookup other than
``isnull`` is refused rather than silently matching nothing. Blank text is stored blank (as the PIN
is); a yes/no, a date or a list is always encrypted, so that "no" and "yes" look alike on disk.
`haven keys rotate field` re-encrypts every such column under the newest key (haven/core/keys.py).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

from haven.lib import crypto


class EncryptedField(models.TextField):
    """Base: a value turned into text (``dump``), encrypted, and back (``load``)."""

    encrypt_blank = True

    def dump(self, value: Any) -> str:
        raise NotImplementedError

    def load(self, text: str) -> Any:
        raise NotImplementedError

    def get_prep_value(self, value: Any) -> str | None:
        if value is None and self.null and not self.encrypt_blank:
            return None
        text = self.dump(value)
        if text == "" and not self.encrypt_blank:
            return ""
        return crypto.encrypt(text, keys=settings.HAVEN_FIELD_KEYS)

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        if value is None or (value == "" and not self.encrypt_blank):
            return self.to_python(value)
        try:
            text = crypto.decrypt(value, keys=settings.HAVEN_FIELD_KEYS)
        except InvalidToken as error:
            raise ImproperlyConfigured(
                f"{self.model._meta.label}.{self.name} cannot be decrypted with HAVEN_FIELD_KEYS: the key "
                "it was written with is missing (docs/runbooks/keys.md)"
            ) from error
        return self.load(text)

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is stored encrypted and cannot be searched "
            f"(lookup {lookup_name!r})"
        )

    def get_transform(self, lookup_name: str):
        return None

    def value_to_string(self, obj) -> str:
        return self.dump(self.value_from_object(obj))


class EncryptedTextField(EncryptedField):
    """Free text: the abuse described, the child's own words, a finder's identity document.
    ``max_length`` still bounds what a form accepts; the column is text, as ciphertext is longer."""

    encrypt_blank = False

    def dump(self, value: Any) -> str:
        return "" if value is None else str(value)

    def load(self, text: str) -> str:
        return text

    def to_python(self, value: Any) -> str | None:
        if value is None:
            return None if self.null else ""
        return str(value)


class EncryptedBooleanField(EncryptedField):
    """A yes/no that is itself sensitive (she is pregnant, violence is suspected)."""

    def dump(self, value: Any) -> str:
        return "true" if value else "false"

    def load(self, text: str) -> bool:
        return text == "true"

    def to_python(self, value: Any) -> bool:
        return bool(value) and value not in ("false", "0")


class EncryptedDateField(EncryptedField):
    """A date that is itself sensitive (the expected date of delivery); None is encrypted too."""

    def dump(self, value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    def load(self, text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


class EncryptedJSONField(EncryptedField):
    """A list or mapping (risk factors, needs, an assessment form's answers)."""

    def dump(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def load(self, text: str) -> Any:
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value
