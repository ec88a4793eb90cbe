"""The API's documentation (the Swagger page and the OpenAPI document) is for people signed in to Haven
and for API clients with a token, never for anyone on the network (security review finding 9: it was
public, and loaded Swagger's script from a CDN onto Haven's origin). Swagger UI now comes from
django-ninja's own static files."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from haven.access.middleware import second_factor_missing, second_factor_pending
from haven.api.auth import NoRole, TokenAuth, TokenRefused


def signed_in_only(view: Callable) -> Callable:
    """A bearer token is checked as on every operation (expiry, rate); a browser is held to what a
    signed-in page asks (haven/access/middleware.py): signed in, and past the second factor."""

    @wraps(view)
    def documentation(request, *args, **kwargs):
        if "Authorization" in request.headers:
            browser_user = request.user
            try:
                holder = TokenAuth()(request)
            except TokenRefused as refused:
                body = {"code": refused.code, "message": refused.message, "fields": {}}
                return JsonResponse(body, status=refused.status_code)
            except NoRole:
                message = _("This account holds no role in an organisation, so the API answers it nothing.")
                return JsonResponse({"code": "no_role", "message": message, "fields": {}}, status=403)
            if holder is None:
                message = _("A valid API token is required.")
                return JsonResponse({"code": "unauthenticated", "message": message, "fields": {}}, status=401)
            # The token opened the documentation; the page itself is rendered for no one in particular
            # (the layout's context reads a signed-in person's second factor, which a token has not).
            request.user = browser_user
        elif not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        elif second_factor_pending(request.user):
            return redirect("accounts:otp_verify")
        elif second_factor_missing(request.user):
            return redirect("accounts:security")
        return view(request, *args, **kwargs)

    return documentation
