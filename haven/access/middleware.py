"""Deny by default: a view must carry an access marker (haven/access/markers.py) to be reached."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from haven.access import markers
from haven.access.policy import Verb
from haven.access.refusals import record_refusal
from haven.access.scoping import can, holds_a_role, second_factor_required

log = logging.getLogger(__name__)


def _has_factor(user) -> bool:
    from django_otp import user_has_device

    cached = getattr(user, "_haven_has_factor", None)
    if cached is None:
        cached = user._haven_has_factor = user_has_device(user, confirmed=True)
    return cached


def second_factor_pending(user) -> bool:
    """Signed in with the password; the code of the factor they set up not given yet. A caller known by
    an API token (no session, so no OTP middleware's ``is_verified``) presented its credential."""
    verified = getattr(user, "is_verified", None)
    return user.is_authenticated and verified is not None and not verified() and _has_factor(user)


def second_factor_missing(user) -> bool:
    """Holds a role that requires a second factor (access.scoping.second_factor_required) and has
    none set up: setting one up is all they may do."""
    # A verified session has given the code of a factor: no need to look for one (a query on every page).
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    return user.is_authenticated and not _has_factor(user) and second_factor_required(user)


class DenyByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        rule = getattr(view_func, "haven_access", None)
        if rule is None:
            log.error("view %s has no access marker; refused", getattr(view_func, "__name__", view_func))
            record_refusal(request)
            raise Http404
        if rule in (markers.PUBLIC, markers.API):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if rule == markers.SECOND_FACTOR:
            return None
        if second_factor_pending(user):
            return redirect("accounts:otp_verify")
        if rule == markers.ENROLMENT:
            return None
        if second_factor_missing(user):
            return redirect("accounts:security")
        if rule == markers.ACCOUNT:
            return None
        if rule == markers.AUTHENTICATED:
            # An account whose role ended (or never began) lands on its own account page, which says so.
            return None if holds_a_role(user) else redirect("accounts:security")
        if not can(user, Verb(rule)):
            record_refusal(request)
            raise Http404
        return None

    def process_exception(self, request, exception):
        # A view that refused (a record out of reach, or missing: the person cannot tell them apart).
        if isinstance(exception, Http404 | PermissionDenied):
            record_refusal(request)
        return None
