"""The API's JSON and query parser: no text that a database cannot store reaches a service.

PostgreSQL stores no NUL character in a text field, and a lone UTF-16 surrogate ("\\ud8c5", which JSON
may escape) is no character at all: either would be a server error at the first write. A request
holding one, anywhere in its body or query, is malformed (400), whatever the operation's schema says;
fields with a stricter rule (no control character in a name) keep their own validators."""

from __future__ import annotations

import json

from ninja.errors import HttpError
from ninja.parser import Parser


def _storable(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def _check(value) -> None:
    if isinstance(value, str):
        if not _storable(value):
            raise HttpError(400, "text holds a character no database stores")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)


class StorableText(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        _check(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            _check(key)
            for value in values:
                if isinstance(value, str):
                    _check(value)
        return super().parse_querydict(data, list_fields, request)
