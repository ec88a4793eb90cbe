"""Rotating Haven's keys without losing a value or breaking the audit chain (docs/runbooks/keys.md).

- Field keys (HAVEN_FIELD_KEYS, newest first): the newest encrypts, every one decrypts. After a new
  key is put first, ``field_keys_rotate`` re-encrypts every value in place under it — the encrypted
  fields (core/fields.py), the PIN, the informant, the prevention notes, the register's answers, and
  their history rows — after which the older keys can be removed.
- The index key (HAVEN_INDEX_KEY): ``index_key_rotate`` recomputes every PIN's blind index from the
  encrypted PIN under the key now configured.
- Audit keys (HAVEN_AUDIT_KEY, a versioned keyring): nothing is re-signed. Each event names its key
  version, so old events verify under the old key; ``audit_key_rotate`` marks the change with an
  event and a checkpoint signed by the new version.

Rows are read and written with plain SQL: the model of an encrypted field would decrypt the value,
where the rotation must move the token itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

from haven.audit import checkpoints
from haven.audit.models import AuditEvent
from haven.audit.services import record, verify
from haven.core.fields import EncryptedField
from haven.lib import crypto

BATCH = 500


def ciphertext_columns() -> list[tuple[type[models.Model], models.Field]]:
    """Every column that holds a Fernet token under the field keys: the encrypted fields, and the text
    columns named ``*_encrypted`` that the PIN's services encrypt themselves; history tables included."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedField) or (
                isinstance(field, models.TextField) and field.name.endswith("_encrypted")
            ):
                found.append((model, field))
    return found


def _tokens(model: type[models.Model], column: str, *also: str) -> Iterator[list[tuple]]:
    """(primary key, token, *also) in batches, in key order, skipping blanks."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    selected = ", ".join(quote(c) for c in (column, *also))
    after = None
    while True:
        where = f"{quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        params: list[object] = []
        if after is not None:
            where += f" AND {pk} > %s"
            params.append(after)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {selected} FROM {table} WHERE {where} ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608
                params,
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _write(model: type[models.Model], column: str, changes: list[tuple[str, object]]) -> None:
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s", changes)  # noqa: S608


@dataclass
class FieldRotation:
    columns: int = 0
    values: int = 0
    rewritten: int = 0


def field_keys_rotate() -> FieldRotation:
    """Re-encrypt every value not yet under the newest field key; safe to run again after a stop
    (values already under the newest key are left as they are). Refuses, naming the row, a value that
    no configured key opens, before anything else is lost."""
    keys = settings.HAVEN_FIELD_KEYS
    result = FieldRotation()
    for model, field in ciphertext_columns():
        result.columns += 1
        for rows in _tokens(model, field.column):
            changes = []
            for pk, token in rows:
                try:
                    new = crypto.rotate(token, keys=keys)
                except InvalidToken:
                    raise ImproperlyConfigured(
                        f"{model._meta.db_table}.{field.column} of row {pk} opens with none of "
                        "HAVEN_FIELD_KEYS: put back the key it was written with"
                    ) from None
                if new is not None:
                    changes.append((new, pk))
            with transaction.atomic():
                _write(model, field.column, changes)
            result.values += len(rows)
            result.rewritten += len(changes)
    record(
        actor=None,
        action="keys.field_rotate",
        data={"columns": result.columns, "values": result.values, "rewritten": result.rewritten},
    )
    return result


def index_key_rotate() -> int:
    """Recompute every PIN's blind index under HAVEN_INDEX_KEY from the encrypted PIN; returns how many
    changed. Run it with Haven stopped, right after changing the key: until then, a PIN looked up
    under the new key finds nobody."""
    from haven.people.models import Child

    changed = 0
    for model in (Child, Child.history.model):
        for rows in _tokens(model, "pin_encrypted", "pin_index"):
            changes = []
            for pk, token, old in rows:
                index = Child.pin_lookup_key(crypto.decrypt(token, keys=settings.HAVEN_FIELD_KEYS))
                if index != old:
                    changes.append((index, pk))
            with transaction.atomic():
                _write(model, "pin_index", changes)
            changed += len(changes)
    record(actor=None, action="keys.index_rotate", data={"changed": changed})
    return changed


@dataclass
class AuditRotation:
    version: int
    previous: int
    checked: int


def audit_key_rotate() -> AuditRotation:
    """Mark the change to the newest audit key version: the chain is verified first (under each
    event's own version, with the checkpoints), then an event and a checkpoint are signed with the new
    version. Haven already signs with it since it was started with it; this is the mark in the chain.
    Refuses if no event was signed by an older version, or if this version was marked already."""
    version = settings.HAVEN_AUDIT_KEY_VERSION
    older = AuditEvent.objects.filter(key_version__lt=version).order_by("-key_version")
    previous = older.values_list("key_version", flat=True).first()
    marked = AuditEvent.objects.filter(action="keys.audit_rotate", key_version=version).exists()
    if previous is None or marked:
        raise ImproperlyConfigured(
            f"audit key version {version} already signs the chain: to change the key, put a new one first "
            f"in HAVEN_AUDIT_KEY as {version + 1}:NEW-KEY (haven keys new audit) and restart Haven"
        )
    checked = verify()
    if not checked.ok:
        raise ImproperlyConfigured(
            f"the audit chain does not verify, so it is not rotated: {checked.problem}"
        )
    record(actor=None, action="keys.audit_rotate", data={"version": version, "previous": previous})
    checkpoints.checkpoint_write()
    return AuditRotation(version=version, previous=previous, checked=checked.checked)
