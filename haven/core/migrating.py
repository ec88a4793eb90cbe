"""Migrating columns to encryption at rest (haven/core/fields.py) and back.

A migration first alters the field (the column becomes text, keeping the clear values), then runs
``encrypt_columns``: every value is read and written back with plain SQL, because the migration's
model already expects ciphertext and could not read the clear value. Reversed, the values are
decrypted first, into the form the original column type reads back (1/0 for yes/no, ISO dates, JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import migrations

from haven.lib import crypto

TEXT, BOOLEAN, DATE, JSON = "text", "boolean", "date", "json"
KEEP = object()  # leave the row as it is


def _clear(kind: str, raw) -> object:
    """The clear value as the encrypted field writes it (fields.Encrypted*Field.dump), or KEEP
    (blank text stays blank)."""
    if kind == TEXT:
        return KEEP if raw in (None, "") else str(raw)
    if kind == BOOLEAN:
        return "true" if str(raw).strip().lower() in {"1", "t", "true"} else "false"
    if kind == DATE:
        return str(raw)[:10] if raw else ""
    value = json.loads(raw) if isinstance(raw, str) else raw
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _restored(kind: str, text: str) -> str | None:
    """What the original column reads back: SQLite and PostgreSQL both take 1/0 for a boolean."""
    if kind == BOOLEAN:
        return "1" if text == "true" else "0"
    if kind == DATE:
        return text or None
    return text


def _encrypted(raw, keys: list[str]) -> bool:
    if not isinstance(raw, str) or not raw.startswith("gAAAA"):
        return False
    try:
        crypto.decrypt(raw, keys=keys)
    except InvalidToken:
        return False
    return True


def _rewrite(schema_editor, model, column: str, change: Callable[[object], object]) -> None:
    quote = schema_editor.connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # Foreign keys are checked at commit: each UPDATE would leave a check pending, and
            # PostgreSQL then refuses to alter the table in the same transaction (the reverse step).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SELECT {pk}, {quote(column)} FROM {table}")  # noqa: S608 (names from the model)
        rows = cursor.fetchall()
        for key, raw in rows:
            new = change(raw)
            if new is not KEEP and new != raw:
                cursor.execute(f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s", [new, key])  # noqa: S608


def encrypt_columns(app_label: str, columns: dict[str, dict[str, str]]) -> migrations.RunPython:
    """``columns``: model name → {field name: TEXT, BOOLEAN, DATE or JSON}."""

    def each(apps):
        for model_name, fields in columns.items():
            model = apps.get_model(app_label, model_name)
            for name, kind in fields.items():
                yield model, model._meta.get_field(name).column, kind

    def forward(apps, schema_editor):
        keys = settings.HAVEN_FIELD_KEYS
        for model, column, kind in each(apps):

            def encrypt(raw, kind=kind):
                if _encrypted(raw, keys):
                    return KEEP  # run again after a stop: what is encrypted stays as it is
                clear = _clear(kind, raw)
                return KEEP if clear is KEEP else crypto.encrypt(clear, keys=keys)

            _rewrite(schema_editor, model, column, encrypt)

    def backward(apps, schema_editor):
        keys = settings.HAVEN_FIELD_KEYS
        for model, column, kind in each(apps):

            def decrypt(raw, kind=kind):
                if raw in (None, ""):
                    return KEEP
                return _restored(kind, crypto.decrypt(raw, keys=keys))

            _rewrite(schema_editor, model, column, decrypt)

    return migrations.RunPython(forward, backward)
