"""Django's database sessions, with the row's expiry capped at the session's absolute lifetime.

Django re-dates a session each time it is saved (``now + SESSION_COOKIE_AGE``), so the idle timer, which
saves it on every request, slid the row's expiry along with it. The middleware ends such a session
(accounts/middleware.py); this store also keeps the row from outliving the limit, so a session read by
any other path expires on time too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def get_expiry_date(self, **kwargs) -> dt.datetime:
        sliding = super().get_expiry_date(**kwargs)
        from haven.accounts.middleware import SIGNED_IN_KEY

        signed_in = self.get(SIGNED_IN_KEY)
        if signed_in is None:
            return sliding
        end = dt.datetime.fromtimestamp(signed_in, tz=dt.UTC) + settings.HAVEN_SESSION_LIFETIME
        return min(sliding, end)
