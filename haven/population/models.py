"""Requests to the national population register wait here until it answers (the outbox)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.models import ClockStampedField


class RequestStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the register")
    DONE = "done", _("Answered")
    FAILED = "failed", _("Refused by the register")
    # The register issued a PIN that Haven could not store (the record changed, the PIN is taken): the
    # PIN is kept on the request and a person must resolve it.
    CONFLICT = "conflict", _("Answered, a person must resolve it")


class RegisterRequest(models.Model):
    """A birth notified to the register to obtain a PIN. The idempotency key makes a retry safe: the
    register answers the same PIN for the same key, so a birth is never registered twice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="register_requests")
    idempotency_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    # Called with (child, now) once the PIN is stored, e.g. to move a foundling case on.
    on_answer = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # Who is told when it fails or conflicts, and where a person resolves it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    link = models.CharField(max_length=300, blank=True)
    # A corrected re-send names the request it replaces (a birth is re-registered only with the link).
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    # What the register answered, kept even when Haven could not store it on the child.
    answered_pin_encrypted = models.TextField(blank=True)
    register_person_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="waiting"), name="register_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.status}"


class IssuedPin(models.Model):
    """The in-process stand-in register's memory of the PINs it issued (issue #5 replaces it with the
    register service)."""

    idempotency_key = models.CharField(max_length=64, unique=True)
    pin_index = models.CharField(max_length=64, unique=True)
    pin_encrypted = models.TextField()
    issued_at = ClockStampedField(auto_now_add=True)

    def __str__(self) -> str:
        return self.idempotency_key
