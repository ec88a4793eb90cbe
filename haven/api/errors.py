"""One machine-readable error shape for the whole API: {"code", "message", "fields"}."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaError

from haven.core.errors import Refused, field_errors


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


def install(api: NinjaAPI) -> None:
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
        return api.create_response(
            request, {"code": "not_found", "message": _("Not found."), "fields": {}}, status=404
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            {"code": "unauthenticated", "message": _("A valid API token is required."), "fields": {}},
            status=401,
        )
