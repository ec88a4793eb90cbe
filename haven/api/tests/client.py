"""A Django test client that speaks to /api/v1 with a real bearer token, as a machine client would."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from haven.accounts.models import User
from haven.accounts.services import api_token_issue

API = "/api/v1"


class ApiClient:
    """``body`` is sent as JSON; ``raw`` is sent as it is, with a JSON content type."""

    def __init__(self, user: User | None = None, *, key: str | None = None, scope: str = "write") -> None:
        if user is not None:
            _token, key = api_token_issue(actor=user, user=user, name="tests", scope=scope)
        self.key = key
        self.client = Client(headers={"Authorization": f"Bearer {key}"} if key else {})

    def get(self, path: str, **params: Any):
        return self.client.get(API + path, params)

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None):
        return self.client.post(API + path, _encode(body, raw), content_type="application/json")

    def patch(self, path: str, body: Any = None, *, raw: bytes | str | None = None):
        return self.client.patch(API + path, _encode(body, raw), content_type="application/json")


def _encode(body: Any, raw: bytes | str | None) -> bytes | str:
    return raw if raw is not None else json.dumps(body)
