"""One machine-readable error shape for the whole API: {"code", "message", "fields"}."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from haven.access.refusals import record_refusal
from haven.api.auth import NoRole, TokenRefused
from haven.api.parser import Unstorable
from haven.core.errors import Refused, field_errors


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NoRole)
    def no_role(request, exc: NoRole):
        message = _("This account holds no role in an organisation, so the API answers it nothing.")
        return api.create_response(request, {"code": "no_role", "message": message, "fields": {}}, status=403)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return api.create_response(
            request,
            {"code": "invalid", "message": _("The data are not valid."), "fields": field_errors(exc)},
            status=422,
        )

    @api.exception_handler(SchemaError)
    def malformed(request, exc: SchemaError):
        fields: dict[str, list[str]] = {}
        for e in exc.errors:
            loc = [str(p) for p in e.get("loc", []) if p not in ("body", "payload", "query", "path")]
            fields.setdefault(".".join(loc) or "__all__", []).append(str(e.get("msg", "")))
        return api.create_response(
            request,
            {"code": "malformed", "message": _("The request is malformed."), "fields": fields},
            status=422,
        )

    @api.exception_handler(Refused)
    def refused(request, exc: Refused):
        return api.create_response(
            request, {"code": exc.code, "message": exc.message, "fields": {}}, status=409
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        record_refusal(request)
        return api.create_response(
            request, {"code": "not_found", "message": _("Not found."), "fields": {}}, status=404
        )

    @api.exception_handler(TokenRefused)
    def token_refused(request, exc: TokenRefused):
        response = api.create_response(
            request, {"code": exc.code, "message": exc.message, "fields": {}}, status=exc.status_code
        )
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Unstorable)
    def unstorable(request, exc: Unstorable):
        message = _("This text holds a character that cannot be stored.")
        return api.create_response(
            request,
            {
                "code": "malformed",
                "message": _("The request is malformed."),
                "fields": {field: [message] for field in exc.fields},
            },
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # A body holding text no database stores: ninja wrapped the parser's refusal (api/parser.py).
        if isinstance(exc.__cause__, Unstorable):
            return unstorable(request, exc.__cause__)
        # django-ninja's own refusals (a body that is not JSON...) would otherwise answer {"detail"}.
        if exc.status_code == 400:
            body = {"code": "malformed", "message": _("The request is malformed."), "fields": {}}
        else:
            body = {"code": "refused", "message": str(exc), "fields": {}}
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        # Otherwise Django's HTML 400 page, or with DEBUG on, ninja's 500 with a traceback.
        return api.create_response(
            request,
            {"code": "too_large", "message": _("The request body is too large."), "fields": {}},
            status=413,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            {"code": "unauthenticated", "message": _("A valid API token is required."), "fields": {}},
            status=401,
        )


@contextmanager
def api_field_names(**names: str) -> Iterator[None]:
    """Services name model fields (``current_commune``); API clients send ids and codes
    (``commune_code``): a validation error is reported under the name the client sent."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for service_name, api_name in names.items():
                if service_name in error.error_dict:
                    error.error_dict[api_name] = error.error_dict.pop(service_name)
        raise
