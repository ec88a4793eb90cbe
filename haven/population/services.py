"""Asking the population register for a PIN without ever losing the request.

``pin_request`` stores the request (with its idempotency key) in the same transaction as the birth
registration and tries it once the transaction commits; if the register is down the request waits
and ``requests_process`` (run by the sweep) retries it with a growing delay. The user sees "waiting
for the register", never an error page.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from haven.accounts.models import Organisation
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.lib import crypto
from haven.notifications.models import Notification
from haven.people import services as people
from haven.people.models import Child
from haven.population.client import BreakerOpen
from haven.population.models import RegisterRequest, RequestStatus
from haven.population.register import BirthNotice, RegisterRefused, RegisterUnavailable, register

log = logging.getLogger(__name__)
MAX_DELAY = dt.timedelta(hours=6)
# A row that keeps raising an unexpected error is given up after this many tries (about two days at
# the longest delay) and put in front of a person; the register being down never gives a request up.
MAX_BROKEN_ATTEMPTS = 12
INTERNAL_ERROR = "internal_error:"


def pin_request(
    *,
    child: Child,
    idempotency_key: str,
    registration_commune: Area,
    on_answer: str = "",
    organisation: Organisation | None = None,
    link: str = "",
    replaces: RegisterRequest | None = None,
) -> RegisterRequest:
    """``organisation`` is told if the register refuses or its answer cannot be stored, ``link`` is
    where a person resolves it; ``replaces`` is the failed request a corrected re-send follows."""
    now = clock.now()
    request, _created = RegisterRequest.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "child": child,
            "on_answer": on_answer,
            "organisation": organisation,
            "link": link,
            "replaces": replaces,
            "next_attempt_at": now,
            "created_at": now,
            "payload": {
                "family_name": child.family_name,
                "middle_name": child.middle_name,
                "given_name": child.given_name,
                "sex": child.sex,
                "date_of_birth": child.date_of_birth.isoformat(),
                "dob_estimated": bool(child.date_of_birth_estimated),
                "registration_province": registration_commune.parent.code,
                "registration_commune": registration_commune.code,
            },
        },
    )
    # A person is waiting for the page: one quick try; the sweep's retries are patient. The birth is
    # already committed: whatever this try raises is logged and the sweep tries again (robust).
    transaction.on_commit(lambda: request_try(request.pk, patient=False), robust=True)
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
            issued = register().register_birth(
                notice, idempotency_key=request.idempotency_key, patient=patient
            )
        except RegisterUnavailable as error:
            if isinstance(error, BreakerOpen):
                request.attempts -= 1  # the register was not asked: not an attempt
            request.last_error = str(error)[:2000]
            request.next_attempt_at = now + _delay(max(request.attempts, 1))
            request.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            log.info("population register unavailable for %s: %s", request.pk, error)
            return False
        except RegisterRefused as error:
            _give_up(request, f"{getattr(error, 'code', 'refused')}: {error}", now=now)
            return False
        # Whatever happens next, what the register issued is kept: it is a person in its records.
        request.answered_pin_encrypted = crypto.encrypt(issued.pin, keys=settings.HAVEN_FIELD_KEYS)
        request.register_person_id = issued.person_id[:64]
        request.answered_at = now
        try:
            with transaction.atomic():
                people.child_set_pin(child=request.child, pin=issued.pin)
        except ValidationError as error:
            # The register's answer disagrees with the record (sex or date edited after the request
            # was queued) or the PIN is another child's: a person must resolve it, with the PIN at hand.
            reason = f"{_code(error)}: " + "; ".join(error.messages)
            _give_up(request, reason, now=now, status=RequestStatus.CONFLICT)
            return False
        request.status = RequestStatus.DONE
        request.save()
        record(actor=None, action="population.pin_received", obj=request.child)
        if request.on_answer:
            import_string(request.on_answer)(request.child, now)
        return True


def _code(error: ValidationError) -> str:
    errors = [e for es in error.error_dict.values() for e in es] if hasattr(error, "error_dict") else []
    return next((e.code for e in errors if e.code), "invalid")


def _delay(attempts: int) -> dt.timedelta:
    return min(MAX_DELAY, dt.timedelta(minutes=2 ** min(attempts, 10)))


def _give_up(
    request: RegisterRequest, reason: str, *, now: dt.datetime, status: str = RequestStatus.FAILED
) -> None:
    """The request ends for a person to look at: audited, and the responsible organisation told."""
    request.status, request.last_error = status, reason[:2000]
    request.save()
    record(
        actor=None,
        action="population.pin_conflict" if status == RequestStatus.CONFLICT else "population.pin_refused",
        obj=request.child,
        data={"error": request.last_error[:200], "request": str(request.pk)},
    )
    if request.organisation_id is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if status == RequestStatus.CONFLICT:
            title = _(
                "The population register issued a PIN that Haven could not store: check the record "
                "and resolve it"
            )
        else:
            title = _("The population register did not give a PIN: correct the birth and send it again")
    Notification.objects.create(
        organisation_id=request.organisation_id,
        kind="pin_" + status,
        title=title,
        body=request.last_error[:1000],
        child=request.child,
        link=request.link,
        created_at=now,
    )


def _broken(request_id, error: Exception, *, now: dt.datetime) -> None:
    """A row raised something unexpected: push it back; after MAX_BROKEN_ATTEMPTS a person looks."""
    with transaction.atomic():
        request = (
            RegisterRequest.objects.select_for_update()
            .filter(pk=request_id, status=RequestStatus.WAITING)
            .select_related("child")
            .first()
        )
        if request is None:
            return
        request.attempts += 1
        request.last_error = f"{INTERNAL_ERROR} {type(error).__name__}: {error}"[:2000]
        if request.attempts >= MAX_BROKEN_ATTEMPTS:
            _give_up(request, request.last_error, now=now)
            return
        request.next_attempt_at = now + _delay(request.attempts)
        request.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def requests_process(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Retry what is waiting and due (the sweep calls this); returns how many PINs were stored. One bad
    row never stops the pass: it is logged, counted and pushed back.

    A request waits out a growing back-off while the register is down, but the register coming back
    must not leave children waiting hours for it: when nothing is due, the longest-waiting request
    asks on behalf of all (one call per pass, which the circuit breaker keeps cheap while the register
    is still down), and as soon as the register answers, every waiting request is due at once."""
    now = now or clock.now()
    waiting = RegisterRequest.objects.filter(status=RequestStatus.WAITING)
    due = list(
        waiting.filter(next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        due = list(waiting.order_by("next_attempt_at", "created_at").values_list("pk", flat=True)[:1])
    stored = broken = 0
    for pk in due:
        try:
            stored += request_try(pk)
        except Exception as error:  # one row's bug must not hold up every other child's PIN
            broken += 1
            log.exception("population register request %s raised", pk)
            try:
                _broken(pk, error, now=now)
            except Exception:
                log.exception("population register request %s could not be pushed back", pk)
    if stored:
        # The register answers again: nobody waits out a back-off learnt while it was down.
        # (A row that raised a bug of its own keeps its back-off.)
        released = (
            waiting.filter(next_attempt_at__gt=now)
            .exclude(last_error__startswith=INTERNAL_ERROR)
            .update(next_attempt_at=now)
        )
        if released:
            log.info("population register answers again: %d waiting requests are due now", released)
    if broken:
        log.warning("population register pass: %d stored, %d rows raised", stored, broken)
    return stored
