"""Bearer tokens for machine clients (Authorization: Bearer hvn_...).

A token expires, carries a scope (read only, or read and write), and is rate-limited, so that a leaked
token neither works for ever nor pages through a national register in seconds (security review,
finding 15). Within its scope it acts with its owner's roles and reach, like the owner's pages.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from haven.access.scoping import holds_a_role
from haven.accounts.models import ApiToken, TokenScope
from haven.core import clock, throttle

TOUCH_EVERY = dt.timedelta(minutes=5)
READING = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenRefused(HttpError):
    """A valid token refused this request: its scope does not allow it, or it went too fast."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.retry_after = retry_after


class NoRole(Exception):
    """A valid token whose holder has no role in force (an ended membership, a closed organisation)."""


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        # The machine's time, like a session's timers: a demo that moves Haven's clock neither expires
        # nor prolongs a token.
        now = clock.real_now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(
                key_hash=ApiToken.hash(token),
                revoked_at__isnull=True,
                expires_at__gt=now,
                user__is_active=True,
            )
            .first()
        )
        if found is None:
            return None
        if not holds_a_role(found.user):
            # The API has no account pages: a token whose holder has no role in force reaches nothing,
            # whatever its scope.
            raise NoRole
        allowed, retry_after = throttle.within(
            f"api:{found.key_hash}", limit=settings.HAVEN_API_RATE_PER_MINUTE, window=60
        )
        if not allowed:
            raise TokenRefused(
                429,
                "rate_limited",
                _("Too many requests with this API token: wait %(seconds)s seconds.")
                % {"seconds": retry_after},
                retry_after=retry_after,
            )
        if request.method not in READING and found.scope != TokenScope.WRITE:
            raise TokenRefused(403, "read_only_token", _("This API token may only read."))
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
