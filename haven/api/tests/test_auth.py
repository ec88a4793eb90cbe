"""Bearer tokens on /api/v1.

Refused (401 {"code": "unauthenticated"}): a request with no token, a malformed Authorization header,
an unknown, revoked or expired token, and the token of a deactivated user, on every operation. A
read-only token's writes are refused (403), and a token past its rate is slowed down (429).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from haven.accounts.models import ApiToken
from haven.accounts.services import api_token_issue, api_token_revoke
from haven.api.tests.client import API, ApiClient
from haven.people.models import Child

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


# --- Expiry, scope and rate (security review, finding 15) --------------------------------------------


def test_a_token_stops_working_when_it_expires(world, monkeypatch):
    from haven.core import clock

    _token, key = api_token_issue(actor=world.officer_a, user=world.officer_a, name="cổng", days=30)
    assert ApiClient(key=key).get("/children").status_code == 200
    later = clock.real_now() + dt.timedelta(days=30, minutes=1)
    monkeypatch.setattr(clock, "real_now", lambda: later)
    assert_unauthenticated(ApiClient(key=key).get("/children"))


def test_every_token_expires_within_a_year(world):
    token, _key = api_token_issue(actor=world.officer_a, user=world.officer_a, name="x")
    assert dt.timedelta(days=89) < token.expires_at - timezone.now() <= dt.timedelta(days=90)
    with pytest.raises(ValidationError):
        api_token_issue(actor=world.officer_a, user=world.officer_a, name="x", days=ApiToken.MAX_DAYS + 1)


def test_a_read_only_token_reads_and_may_not_write(world):
    reader = ApiClient(world.officer_a, scope="read")
    assert reader.get("/children").status_code == 200
    refused = reader.post("/children", {"family_name": "Lê", "given_name": "An", "sex": "male"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "read_only_token"
    assert not Child.objects.exists()
    # The same person's write token may (the body is then checked as usual).
    assert ApiClient(world.officer_a, scope="write").post("/children", {}).status_code == 422


def test_a_token_is_slowed_down_past_its_rate(world, settings, monkeypatch):
    from haven.core import clock

    settings.HAVEN_API_RATE_PER_MINUTE = 5
    still = clock.real_now().replace(second=30)  # one minute's window, whatever the machine's speed
    monkeypatch.setattr(clock, "real_now", lambda: still)
    client = ApiClient(world.officer_a)
    answers = [client.get("/areas/provinces").status_code for _ in range(7)]
    assert answers == [200] * 5 + [429] * 2
    slowed = client.get("/areas/provinces")
    assert slowed.json()["code"] == "rate_limited"
    assert slowed["Retry-After"] in ("30", "29")
    # Another token is counted on its own.
    assert ApiClient(world.officer_b).get("/areas/provinces").status_code == 200
