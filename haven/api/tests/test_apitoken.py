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
