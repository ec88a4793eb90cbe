"""Writes on accounts: API tokens and second-factor devices, each audited."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import ApiToken, User
from haven.audit.services import record
from haven.core import clock


@transaction.atomic
def api_token_issue(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``; the key is returned once and only its hash is kept."""
    token, key = ApiToken.issue(user=user, name=name)
    record(actor=actor, action="account.api_token_issue", obj=token, data={"user": user.pk, "name": name})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, action="account.api_token_revoke", obj=token)


@transaction.atomic
def totp_begin(*, actor: User) -> TOTPDevice:
    """An unconfirmed device the user scans; any earlier unconfirmed one is replaced."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="Haven", confirmed=False)


@transaction.atomic
def totp_confirm(*, actor: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor=actor, action="account.totp_enable", obj=device)
    return True


@transaction.atomic
def totp_disable(*, actor: User) -> None:
    TOTPDevice.objects.filter(user=actor).delete()
    record(actor=actor, action="account.totp_disable")
