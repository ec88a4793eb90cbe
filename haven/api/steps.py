"""One way every workflow step endpoint behaves, in this order:

1. the request is read: a body of the wrong shape, or an optional id in it that names nothing
   (``named``), is 422 before anything else, as it says nothing about the subject;
2. the subject the token's user may act on is found (``Steps.load``; a part of it, ``on_part``): 404
   otherwise, the same answer as for a subject that does not exist;
3. the step is taken through the domain's service: a step the subject is not ready for, or that is not
   the user's, is 409 with its code; bad data is 422 with every field at once (an id the step needs
   that names nothing is passed as None, so that the service says so with the rest); either changes
   nothing;
4. the answer is the subject as the user now sees it (``Steps.detail``).

The same rows (haven/workflow) refuse the same way on the page and here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model, QuerySet

from haven.access.scoping import NotVisible
from haven.api.errors import Error
from haven.core.errors import invalid

# The refusals a step endpoint may answer, besides its 200.
STEP_ERRORS: dict[int, type] = {404: Error, 409: Error, 422: Error}


def step_responses(detail: type) -> dict[int, type]:
    """The ``response=`` of a step endpoint answering with ``detail``."""
    return {200: detail, **STEP_ERRORS}


@dataclass(frozen=True)
class Steps:
    """How the step endpoints of one kind of subject find it and answer with it: ``load(user, id)``
    the subject the user may act on (404 otherwise), passed to the service as ``subject_as``;
    ``detail(user, id)`` the answer."""

    load: Callable[[Any, Any], Any]
    detail: Callable[[Any, Any], Any]
    subject_as: str = "case"

    def take(self, request, subject_id: Any, service: Callable[..., Any], /, **inputs: Any) -> Any:
        """Run ``service(actor=user, <subject_as>=load(user, subject_id), **inputs)`` and answer
        ``detail(user, subject_id)``. Only the inputs are named, so that any input may be named like
        anything here (a referral's ``service``, a placement's ``detail``)."""
        found = self.load(request.user, subject_id)
        service(actor=request.user, **{self.subject_as: found}, **inputs)
        return self.detail(request.user, subject_id)

    def on_part(self, find: Callable[[Any], Any], subject_as: str) -> Steps:
        """The steps on one part of the subject (a referral, a support, a pair of reports), which the
        service is given as ``subject_as``: the subject the user may act on, then ``find(subject)``;
        a part that is not there (or not of this subject) is 404, as for the subject itself."""

        def load_part(user, subject_id):
            found = find(self.load(user, subject_id))
            if found is None:
                raise NotVisible
            return found

        return replace(self, load=load_part, subject_as=subject_as)


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
    """One step endpoint's ``Steps(load, detail, subject_as).take(...)``; an input named ``load``,
    ``detail`` or ``subject_as`` needs ``Steps``."""
    return Steps(load, detail, subject_as).take(request, subject_id, service, **inputs)


def named(objects: QuerySet, pk: int | None, field: str, message: str) -> Model | None:
    """The object an optional id of the body names among ``objects``, None when it is left out; an id
    that names nothing is 422 on ``field`` with ``message``."""
    if pk is None:
        return None
    found = objects.filter(pk=pk).first()
    if found is None:
        raise invalid(field, message, "unknown")
    return found
