"""The one audit path: ``record`` writes an event in the caller's transaction."""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction

from haven.audit import chain, checkpoints
from haven.audit.models import AuditEvent, ChainHead
from haven.core import bulk, clock


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None


NO_REQUEST = RequestContext()

# Set per request by haven.audit.middleware; services never need the request to know the IP.
current_request: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "haven_audit_request", default=NO_REQUEST
)


def _child_id(obj: models.Model | None, child) -> uuid.UUID | None:
    if child is not None:
        return child.pk if isinstance(child, models.Model) else child
    if obj is not None:
        if type(obj).__name__ == "Child":
            return obj.pk
        return getattr(obj, "child_id", None)
    return None


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    child=None,
    organisation=None,
    reason: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the current transaction (one is opened if needed)."""
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=at or clock.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            organisation=organisation,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            child_id=_child_id(obj, child),
            ip=current_request.get().ip,
            reason=reason,
            data=data or {},
            prev_hash=head.hash,
            key_version=settings.HAVEN_AUDIT_KEY_VERSION,
        )
        event.hash = chain.link(head.hash, event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append several prepared events (``seq``, ``prev_hash`` and ``hash`` are filled here) with one
    lock on the chain head: the sweep escalates thousands of obligations in one pass."""
    if not events:
        return events
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head.seq, head.hash
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.key_version = settings.HAVEN_AUDIT_KEY_VERSION
            event.ip = event.ip or current_request.get().ip
            event.hash = prev = chain.link(prev, event)
        bulk.insert(
            AuditEvent,
            (
                {
                    f.attname: getattr(e, f.attname)
                    for f in AuditEvent._meta.concrete_fields
                    if f.attname != "id"
                }
                for e in events
            ),
        )
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return events


@dataclass
class Verification:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    # The signed checkpoints (kept outside the database) the chain was compared with.
    checkpoints: int = 0
    newest_checkpoint: checkpoints.Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(batch: int = 5000, checkpoint_dir: str | None = None, upto: int | None = None) -> Verification:
    """Walk the chain in order and name the first broken link; then hold it against every signed
    checkpoint, so that events cut from the end (the head rewound with them) are caught too.

    ``upto``: only the checkpoints of events up to that number, for a database restored from a backup
    that ends there (`haven restore`): the later ones vouch for events written after the backup."""
    reading = checkpoints.read(checkpoint_dir)
    if upto is not None:
        reading.checkpoints = [c for c in reading.checkpoints if c.seq <= upto]
    marked = {c.seq for c in reading.checkpoints}
    hash_at: dict[int, str] = {}
    prev = chain.GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch):
        if event.seq != expected_seq:
            return Verification(checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev:
            return Verification(checked, event.seq, f"event #{event.seq} does not follow #{event.seq - 1}")
        try:
            altered = chain.link(prev, event) != event.hash
        except chain.UnknownKeyVersion:
            return Verification(
                checked,
                event.seq,
                f"event #{event.seq} names audit key version {event.key_version}, "
                "which HAVEN_AUDIT_KEY does not hold",
            )
        if altered:
            return Verification(checked, event.seq, f"event #{event.seq} was altered")
        if event.seq in marked:
            hash_at[event.seq] = event.hash
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev):
        return Verification(checked, checked + 1, f"events after #{checked} were removed")
    return _against_checkpoints(checked, hash_at, reading)


def _against_checkpoints(checked: int, hash_at: dict[int, str], reading: checkpoints.Reading) -> Verification:
    newest = max(reading.checkpoints, key=lambda c: c.seq, default=None)
    result = Verification(checked, checkpoints=len(reading.checkpoints), newest_checkpoint=newest)
    if reading.problems:
        result.problem = reading.problems[0]
        return result
    for mark in sorted(reading.checkpoints, key=lambda c: c.seq):
        if mark.seq > checked:
            result.broken_at = checked + 1
            result.problem = (
                f"events after #{checked} were removed: the checkpoint {mark.source} of {mark.at} "
                f"vouches for #{mark.seq}"
            )
            return result
        if hash_at[mark.seq] != mark.hash:
            result.broken_at = mark.seq
            result.problem = f"event #{mark.seq} differs from the checkpoint {mark.source} of {mark.at}"
            return result
    return result
