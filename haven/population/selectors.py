"""Reading the outbox: where a child's request for a PIN stands (the caller has checked access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from haven.population.models import RegisterRequest, RequestStatus


def _reasons() -> dict[str, str]:
    # The register's reason codes (haven/population/service.py), in the user's language.
    return {
        "unknown_commune": _("The register does not know the commune of registration."),
        "commune_not_in_province": _("The commune of registration is not in the province given."),
        "impossible_date": _("The register found the date of birth impossible."),
        "future_date": _("The register refused a date of birth in the future."),
        "invalid_pin": _("The register found a PIN malformed."),
        "idempotency_conflict": _("The register already holds a different birth under this request."),
        "required": _("The register needs the family name and the given name."),
    }


@dataclass(frozen=True)
class PinStatus:
    status: str  # waiting, done, failed
    attempts: int
    next_attempt_at: dt.datetime | None
    reason: str  # why the register refused, in the user's language where the reason is known


def pin_request_of(child) -> RegisterRequest | None:
    """The child's latest request for a PIN, if any."""
    return RegisterRequest.objects.filter(child=child).order_by("-created_at").first()


def pin_status(child) -> PinStatus | None:
    request = pin_request_of(child)
    if request is None:
        return None
    reason = ""
    if request.status == RequestStatus.FAILED:
        code, _sep, message = request.last_error.partition(": ")
        reason = _reasons().get(code, message if _sep and code.isidentifier() else request.last_error)
    return PinStatus(
        status=request.status,
        attempts=request.attempts,
        next_attempt_at=request.next_attempt_at if request.status == RequestStatus.WAITING else None,
        reason=reason,
    )
