"""Bearer tokens for machine clients (Authorization: Bearer hvn_...)."""

from __future__ import annotations

import datetime as dt

from ninja.security import HttpBearer

from haven.accounts.models import ApiToken
from haven.core import clock

TOUCH_EVERY = dt.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        # When a token was last used is the machine's business, like a session's idle timer: it runs
        # on the machine's time, not on a demo's moved clock.
        now = clock.real_now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
