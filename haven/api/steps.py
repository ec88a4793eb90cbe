"""One way every workflow step endpoint behaves: find the subject the token's user may act on (404
otherwise, as for a subject that does not exist), take the step through the domain's service (a step
the subject is not ready for, or that is not the user's, is 409 with its code; bad data is 422 with
every field at once; either changes nothing), then answer with the subject as the user now sees it.
The same rows (haven/workflow) refuse the same way on the page and here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from haven.api.errors import Error

# The refusals a step endpoint may answer, besides its 200.
STEP_ERRORS: dict[int, type] = {404: Error, 409: Error, 422: Error}


def step_responses(detail: type) -> dict[int, type]:
    """The ``response=`` of a step endpoint answering with ``detail``."""
    return {200: detail, **STEP_ERRORS}


def take_step(
    request,
    subject_id: Any,
    service: Callable[..., Any],
    /,
    *,
    load: Callable[[Any, Any], Any],
    detail: Callable[[Any, Any], Any],
    subject_as: str = "case",
    **inputs: Any,
) -> Any:
    """Run ``service(actor=user, <subject_as>=load(user, subject_id), **inputs)`` and answer
    ``detail(user, subject_id)``. The first three are positional, so that any input may be named
    like them (a referral's ``service``)."""
    found = load(request.user, subject_id)
    service(actor=request.user, **{subject_as: found}, **inputs)
    return detail(request.user, subject_id)
