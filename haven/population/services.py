"""Asking the population register for a PIN without ever losing the request.

``pin_request`` stores the request (with its idempotency key) in the same transaction as the birth
registration and tries it once the transaction commits; if the register is down the request waits
and ``requests_process`` (run by the sweep) retries it with a growing delay. The user sees "waiting
for the register", never an error page.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import import_string

from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.people import services as people
from haven.people.models import Child
from haven.population.models import RegisterRequest, RequestStatus
from haven.population.register import BirthNotice, RegisterRefused, RegisterUnavailable, register

log = logging.getLogger(__name__)
MAX_DELAY = dt.timedelta(hours=6)


def pin_request(
    *, child: Child, idempotency_key: str, registration_commune: Area, on_answer: str = ""
) -> RegisterRequest:
    now = clock.now()
    request, _created = RegisterRequest.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "child": child,
            "on_answer": on_answer,
            "next_attempt_at": now,
            "created_at": now,
            "payload": {
                "family_name": child.family_name,
                "middle_name": child.middle_name,
                "given_name": child.given_name,
                "sex": child.sex,
                "date_of_birth": child.date_of_birth.isoformat(),
                "registration_province": registration_commune.parent.code,
                "registration_commune": registration_commune.code,
            },
        },
    )
    # A person is waiting for the page: one quick try; the sweep's retries are patient.
    transaction.on_commit(lambda: request_try(request.pk, patient=False))
    return request


def request_try(request_id, *, patient: bool = True) -> bool:
    """One attempt; True when the PIN is stored."""
    with transaction.atomic():
        request = (
            RegisterRequest.objects.select_for_update()
            .filter(pk=request_id, status=RequestStatus.WAITING)
            .select_related("child")
            .first()
        )
        if request is None:
            return False
        now = clock.now()
        payload = dict(request.payload)
        notice = BirthNotice(**{**payload, "date_of_birth": dt.date.fromisoformat(payload["date_of_birth"])})
        request.attempts += 1
        try:
            pin = register().register_birth(notice, idempotency_key=request.idempotency_key, patient=patient)
        except RegisterUnavailable as error:
            request.last_error = str(error)[:2000]
            request.next_attempt_at = now + min(
                MAX_DELAY, dt.timedelta(minutes=2 ** min(request.attempts, 10))
            )
            request.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            log.info("population register unavailable for %s: %s", request.pk, error)
            return False
        except RegisterRefused as error:
            request.status = RequestStatus.FAILED
            request.last_error = f"{getattr(error, 'code', 'refused')}: {error}"[:2000]
            request.save(update_fields=["attempts", "status", "last_error"])
            record(
                actor=None,
                action="population.pin_refused",
                obj=request.child,
                data={"error": str(error)[:200]},
            )
            return False
        try:
            with transaction.atomic():
                people.child_set_pin(child=request.child, pin=pin)
        except ValidationError as error:
            # The register's answer disagrees with the record (sex, year) or is already used: a person
            # must look; the request is kept as failed, with the reason.
            request.status, request.last_error = RequestStatus.FAILED, "; ".join(error.messages)[:2000]
            request.save(update_fields=["attempts", "status", "last_error"])
            record(
                actor=None,
                action="population.pin_refused",
                obj=request.child,
                data={"error": request.last_error[:200]},
            )
            return False
        request.status, request.answered_at = RequestStatus.DONE, now
        request.save(update_fields=["attempts", "status", "answered_at"])
        record(actor=None, action="population.pin_received", obj=request.child)
        if request.on_answer:
            import_string(request.on_answer)(request.child, now)
        return True


def requests_process(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Retry what is waiting and due (the sweep calls this)."""
    now = now or clock.now()
    due = (
        RegisterRequest.objects.filter(status=RequestStatus.WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(request_try(pk) for pk in list(due))
