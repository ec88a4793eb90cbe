"""Deny by default: a view must carry an access marker (haven/access/markers.py) to be reached."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import can

log = logging.getLogger(__name__)


def needs_second_factor(user) -> bool:
    """Staff who turned on TOTP must give a code before anything else."""
    from django_otp import user_has_device

    return user.is_authenticated and not user.is_verified() and user_has_device(user, confirmed=True)


class DenyByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        rule = getattr(view_func, "haven_access", None)
        if rule is None:
            log.error("view %s has no access marker; refused", getattr(view_func, "__name__", view_func))
            raise Http404
        if rule in (markers.PUBLIC, markers.API):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if rule == markers.SECOND_FACTOR:
            return None
        if needs_second_factor(user):
            return redirect("accounts:otp_verify")
        if rule == markers.AUTHENTICATED:
            return None
        if not can(user, Verb(rule)):
            raise Http404
        return None
