"""Inserting many rows fast. One sweep may escalate ten thousand obligations, each with an escalation,
an inbox entry and outbox messages: ``bulk_create`` spends most of that time preparing each value in
Python; PostgreSQL's COPY takes a tenth of it (docs/performance.md)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin

from haven.core import clock


def insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert new rows given as {attname: value}, the other columns taking their defaults: like
    ``bulk_create``, without model instances, signals or the new primary keys. Other databases than
    PostgreSQL go through ``bulk_create``.

    Values go to the database as they are: no field's ``get_db_prep_value`` runs, so this is for
    plain columns (numbers, text, dates, UUIDs, keys, JSON), not encrypted or custom fields."""
    rows = list(rows)
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    from psycopg.types.json import Jsonb

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    names = [f.attname for f in fields]
    defaults = {f.attname: _default(f) for f in fields}
    as_json = {
        f.attname: functools.partial(Jsonb, dumps=functools.partial(json.dumps, cls=f.encoder))
        for f in fields
        if isinstance(f, models.JSONField)
    }
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = [row[name] if name in row else defaults[name]() for name in names]
            for i, name in enumerate(names):
                if name in as_json and values[i] is not None:
                    values[i] = as_json[name](values[i])
            copy.write_row(values)


def _default(field: models.Field) -> Callable[[], Any]:
    """What Django would store for a field left out: its default, computed per row when callable."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return clock.now
    if field.has_default() and callable(field.default):
        return field.default
    value = field.get_default()
    return lambda: value
