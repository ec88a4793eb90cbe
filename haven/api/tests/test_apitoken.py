"""`haven apitoken issue|revoke`: the operator's way to hand a key to a machine client.

Refused: an unknown or deactivated user, an empty name, and revoking a prefix that matches no active
token; nothing is issued or revoked then.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from haven.accounts.models import ApiToken
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent


def apitoken(*args: str) -> str:
    out = StringIO()
    call_command("apitoken", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["issue", "no_such_user", "--name", "x"], "no user"),
        (["issue", "officer_a", "--name", "  "], "--name"),
        (["revoke", "abcdefgh"], "no active token"),
    ],
)
def test_refusals_change_nothing(world, args, message):
    with pytest.raises(CommandError, match=message):
        apitoken(*args)
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token(world):
    world.officer_a.is_active = False
    world.officer_a.save()
    with pytest.raises(CommandError, match="deactivated"):
        apitoken("issue", "officer_a", "--name", "x")
    assert not ApiToken.objects.exists()


def test_issue_prints_a_working_key_once_and_is_audited(world):
    key = apitoken("issue", "officer_a", "--name", "Cổng dịch vụ công tỉnh")
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (world.officer_a, "Cổng dịch vụ công tỉnh", key[4:12])
    assert token.key_hash == ApiToken.hash(key) and key not in token.key_hash
    assert ApiClient(key=key).get("/children").status_code == 200
    event = AuditEvent.objects.get(action="account.api_token_issue")
    assert (event.actor, event.object_id) == (world.officer_a, str(token.pk))


@pytest.mark.parametrize("given", ["prefix", "hvn_prefix", "whole key"])
def test_revoke_by_prefix_or_key_stops_the_key_working(world, given):
    key = apitoken("issue", "officer_a", "--name", "x")
    other = apitoken("issue", "officer_a", "--name", "y")
    argument = {"prefix": key[4:12], "hvn_prefix": key[:12], "whole key": key}[given]
    assert "Revoked" in apitoken("revoke", argument)
    assert ApiClient(key=key).get("/children").status_code == 401
    assert ApiClient(key=other).get("/children").status_code == 200
    event = AuditEvent.objects.get(action="account.api_token_revoke")
    assert event.actor == world.officer_a
    with pytest.raises(CommandError, match="no active token"):
        apitoken("revoke", argument)


def test_a_token_reads_only_unless_issued_to_write_and_expires(world):
    import datetime as dt

    from django.utils import timezone

    reader = apitoken("issue", "officer_a", "--name", "x")
    writer = apitoken("issue", "officer_a", "--name", "y", "--scope", "write", "--days", "7")
    tokens = {t.name: t for t in ApiToken.objects.all()}
    assert (tokens["x"].scope, tokens["y"].scope) == ("read", "write")
    lasts = {name: t.expires_at - timezone.now() for name, t in tokens.items()}
    assert dt.timedelta(days=6) < lasts["y"] <= dt.timedelta(days=7) < lasts["x"]
    assert ApiClient(key=reader).post("/children", {}).status_code == 403
    assert ApiClient(key=writer).post("/children", {}).status_code == 422
    with pytest.raises(CommandError, match="365"):  # the service's message, in the operator's language
        apitoken("issue", "officer_a", "--name", "z", "--days", "400")
