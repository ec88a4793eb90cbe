"""Sessions end after a period without activity, as well as at their absolute lifetime."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from haven.core import clock

SESSION_KEY = "haven_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            # The machine's time: a demo that moves Haven's clock must not sign everyone out.
            now = clock.real_now().timestamp()
            last = request.session.get(SESSION_KEY, now)
            if now - last > settings.HAVEN_IDLE_TIMEOUT.total_seconds():
                logout(request)
                messages.info(
                    request, _("Your session ended after a period without activity. Please sign in again.")
                )
            else:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
