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
        "invalid_sex": _("The register did not accept the child's sex."),
        "parent_mismatch": _("The person with the parent's PIN cannot be this child's parent."),
        "unknown_parent": _("The register knows nobody with the parent's PIN."),
        "invalid_province": _("The register did not accept the province code."),
        "invalid_commune": _("The register did not accept the commune code."),
        "invalid_date": _("The register did not accept the date of birth."),
        "too_long": _("A name is too long for the register (at most 100 characters)."),
        "invalid_name": _("The register does not accept digits or control characters in a name."),
        "unknown_field": _("The register did not understand the request (unknown field)."),
        "invalid_type": _("The register did not understand the request (a field of the wrong type)."),
        "protocol_error": _("The register answered without a usable PIN."),
        "internal_error": _("An error in Haven kept the request from reaching the register; send it again."),
        "pin_taken": _("The register issued a PIN that another child in Haven already has."),
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
    if request.status in (RequestStatus.FAILED, RequestStatus.CONFLICT):
        reason = _reason(request)
    return PinStatus(
        status=request.status,
        attempts=request.attempts,
        next_attempt_at=request.next_attempt_at if request.status == RequestStatus.WAITING else None,
        reason=reason,
    )


def _reason(request: RegisterRequest) -> str:
    """The reason in the user's language; the register's own (English) text never reaches the page."""
    code = request.last_error.partition(": ")[0].strip()
    known = _reasons()
    if code in known:
        return known[code]
    if request.status == RequestStatus.CONFLICT:
        return _(
            "The PIN the register issued does not match the child's record as it is now (sex or year "
            "of birth): check the record."
        )
    shown = code if code.isidentifier() else "-"
    return _("The register refused the request (reason: %(code)s).") % {"code": shown}
