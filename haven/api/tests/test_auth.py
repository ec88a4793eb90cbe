"""Bearer tokens on /api/v1.

Refused (401 {"code": "unauthenticated"}): a request with no token, a malformed Authorization header,
an unknown or revoked token, and the token of a deactivated user, on every operation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from haven.accounts.models import ApiToken
from haven.accounts.services import api_token_issue, api_token_revoke
from haven.api.tests.client import API, ApiClient

OPERATIONS = [
    ("get", "/children"),
    ("post", "/children"),
    ("get", "/children/00000000-0000-0000-0000-000000000000"),
    ("patch", "/children/00000000-0000-0000-0000-000000000000"),
    ("get", "/children/00000000-0000-0000-0000-000000000000/access-log"),
    ("get", "/areas/provinces"),
    ("get", "/areas/provinces/01/communes"),
]


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "unauthenticated"
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_refuses_a_request_without_a_token(world, method, path):
    assert_unauthenticated(getattr(ApiClient(), method)(path))


@pytest.mark.parametrize(
    "authorization",
    ["Bearer hvn_not-a-real-token", "Bearer", "Basic b2ZmaWNlcl9hOnBhc3N3b3Jk", "hvn_without_scheme"],
)
def test_an_unknown_or_malformed_token_is_refused(world, client, authorization):
    assert_unauthenticated(client.get(f"{API}/children", headers={"Authorization": authorization}))


def test_a_revoked_token_is_refused(world):
    client = ApiClient(world.officer_a)
    assert client.get("/children").status_code == 200
    api_token_revoke(actor=world.officer_a, token=ApiToken.objects.get(user=world.officer_a))
    assert_unauthenticated(client.get("/children"))


def test_the_token_of_a_deactivated_user_is_refused(world):
    client = ApiClient(world.officer_a)
    world.officer_a.is_active = False
    world.officer_a.save()
    assert_unauthenticated(client.get("/children"))


def test_a_signed_in_browser_session_is_not_a_token(world, client):
    # The API trusts bearer tokens only, so a page cannot be tricked into calling it (no CSRF surface).
    client.force_login(world.officer_a)
    assert_unauthenticated(client.get(f"{API}/children"))


def test_a_token_is_stored_only_as_its_hash_and_its_use_is_noted(world):
    token, key = api_token_issue(actor=world.officer_a, user=world.officer_a, name="sổ theo dõi")
    assert key.startswith("hvn_") and key[4:12] == token.prefix
    assert key not in (token.key_hash, token.prefix) and token.key_hash == ApiToken.hash(key)
    assert token.last_used_at is None
    assert ApiClient(key=key).get("/children").status_code == 200
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)
