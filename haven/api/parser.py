"""The API's JSON and query parser: no text that a database cannot store reaches a service.

PostgreSQL stores no NUL character in a text field, and a lone UTF-16 surrogate ("\\ud8c5", which JSON
may escape) is no character at all: either would be a server error at the first write. A request
holding one, anywhere in its body or query, is malformed (422, naming the field, as a field's own
validator would), whatever the operation's schema says."""

from __future__ import annotations

import json

from ninja.parser import Parser


class Unstorable(Exception):
    """Text no database stores, at ``fields`` (dotted paths into the body or query)."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def _storable(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def _unstorable(value, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [] if _storable(value) else [path or "__all__"]
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not _storable(key):
                found.append(path or "__all__")
            found += _unstorable(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _unstorable(item, f"{path}.{i}" if path else str(i))
    return found


class StorableText(Parser):
    def parse_body(self, request):
        # ninja turns any error here into a 400 whose cause is this one (api/errors.py reads it).
        data = json.loads(request.body)
        if found := _unstorable(data):
            raise Unstorable(found)
        return data

    def parse_querydict(self, data, list_fields, request):
        found = [
            key for key, values in data.lists() for v in values if isinstance(v, str) and not _storable(v)
        ]
        if found or any(not _storable(key) for key in data):
            raise Unstorable(found or ["__all__"])
        return super().parse_querydict(data, list_fields, request)
