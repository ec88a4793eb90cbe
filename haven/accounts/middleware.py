"""Sessions end after a period without activity, and in any case a fixed time after sign-in.

The idle timeout alone let a session used every few minutes live for ever: each request saved the
session again with a new expiry (security review, finding 10). The sign-in time is written once, at
sign-in (accounts/signals.py), and nothing moves it; the session store also caps the row's own expiry
there (accounts/sessions.py). Both run on the machine's time: a demo that moves Haven's clock must not
sign everyone out.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.core import clock

SESSION_KEY = "haven_last_seen"
SIGNED_IN_KEY = "haven_signed_in_at"


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = clock.real_now().timestamp()
            session = request.session
            # A session without its sign-in time predates the limit: it ends (fail closed).
            signed_in = session.get(SIGNED_IN_KEY, 0)
            if now - signed_in > settings.HAVEN_SESSION_LIFETIME.total_seconds():
                logout(request)
                hours = int(settings.HAVEN_SESSION_LIFETIME.total_seconds() // 3600)
                said = ngettext(
                    "You have been signed in for %(hours)s hour. Please sign in again.",
                    "You have been signed in for %(hours)s hours. Please sign in again.",
                    hours,
                )
                messages.info(request, said % {"hours": hours})
            elif now - session.get(SESSION_KEY, now) > settings.HAVEN_IDLE_TIMEOUT.total_seconds():
                logout(request)
                messages.info(
                    request, _("Your session ended after a period without activity. Please sign in again.")
                )
            else:
                session[SESSION_KEY] = now
        return self.get_response(request)
