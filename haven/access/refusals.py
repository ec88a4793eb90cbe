"""A refused attempt to reach a record leaves an audit event (OWASP ASVS 7.2.2: failed access-control
decisions are logged). The person sees the same 404 as for a record that does not exist; the audit
trail knows who asked for what, from where, and when, so that probing shows up.

Written where the refusal leaves the request (DenyByDefaultMiddleware for pages, the API's not-found
handler), outside the transaction of the service that refused, so the event is kept.
"""

from __future__ import annotations

import uuid

from haven.audit.services import record


def record_refusal(request) -> None:
    """The event ``access.denied``: the actor, the address asked for (never its query string) and the
    identifiers it names; on the child's own record when it names a child."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    match = request.resolver_match
    ids = {name: str(value) for name, value in (match.kwargs if match else {}).items()}
    record(
        actor=user,
        action="access.denied",
        child=_uuid(ids.get("child_id")),
        data={"path": request.path, "view": match.view_name if match else "", "ids": ids},
    )


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
