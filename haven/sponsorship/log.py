"""The public ledger as an append-only RFC 6962 log (merkle.py) on the database.

``append`` adds published lines and the tree nodes they complete; ``checkpoint_publish`` signs the
tree head; the proofs read O(log N) stored nodes in one query. One writer at a time: an append locks
the newest checkpoint-independent row (the log's head) so two publications cannot take one index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from haven.core import clock
from haven.sponsorship import merkle, signing
from haven.sponsorship.models import Checkpoint, LedgerLine, LedgerNode

Node = merkle.Node


def tree_size() -> int:
    top = LedgerLine.objects.aggregate(top=Max("index"))["top"]
    return 0 if top is None else top + 1


def nodes(wanted: Iterable[Node]) -> dict[Node, bytes]:
    """The stored hashes of ``wanted`` nodes, in one query."""
    keys = {LedgerNode.key(level, position): (level, position) for level, position in wanted}
    if not keys:
        return {}
    found = dict(LedgerNode.objects.filter(id__in=list(keys)).values_list("id", "hash"))
    missing = set(keys) - set(found)
    if missing:
        raise LookupError(f"{len(missing)} node(s) of the log are missing")
    return {keys[k]: bytes(h) for k, h in found.items()}


def root(size: int) -> bytes:
    return merkle.range_hash(0, size, nodes(merkle.pieces(0, size)))


def _hashes(ranges: list[tuple[int, int]]) -> list[bytes]:
    known = nodes(merkle.needed(ranges))
    return [merkle.range_hash(lo, hi, known) for lo, hi in ranges]


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return _hashes(merkle.path_ranges(index, size))


def consistency_proof(first: int, second: int) -> list[bytes]:
    return _hashes(merkle.consistency_ranges(first, second))


@dataclass(frozen=True)
class Appended:
    index: int
    line: LedgerLine


def _lock_head() -> None:
    """Serialise appends: on PostgreSQL an advisory lock for the transaction; SQLite's writes are
    serialised by its IMMEDIATE transactions already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(6962)")


@transaction.atomic
def append(entries: list[dict], *, at: dt.datetime | None = None) -> list[LedgerLine]:
    """Publish ``entries`` (each a dict, made canonical here) as the next leaves of the log."""
    _lock_head()
    at = at or clock.now()
    start = tree_size()
    known = nodes(merkle.frontier(start))
    lines, made = [], {}
    for offset, entry in enumerate(entries):
        index = start + offset
        body = signing.canonical({**entry, "index": index})
        new = merkle.completed_by(index, merkle.leaf_hash(body), known)
        known.update(new)
        made.update(new)
        lines.append(
            LedgerLine(
                index=index,
                entry=body.decode(),
                published_at=at,
                bank_reference=str(entry.get("bank_reference") or ""),
                amount=int(entry.get("amount") or 0),
                campaign=str(entry.get("campaign") or ""),
                # A correction counts against the kind it corrects (its amount is negative).
                kind=str(entry.get("corrects_type") or entry.get("type") or ""),
                programme=str(entry.get("programme") or ""),
                location=str(entry.get("location") or ""),
                facility=str(entry.get("facility") or ""),
                recipient=str(entry.get("recipient_id") or ""),
            )
        )
    LedgerLine.objects.bulk_create(lines, batch_size=2000)
    LedgerNode.objects.bulk_create(
        [LedgerNode(id=LedgerNode.key(*node), hash=h) for node, h in made.items()], batch_size=2000
    )
    return lines


def checkpoint_note(size: int, root_hex: str, timestamp: dt.datetime) -> bytes:
    return signing.canonical({"root_hash": root_hex, "timestamp": timestamp.isoformat(), "tree_size": size})


@transaction.atomic
def checkpoint_publish(*, at: dt.datetime | None = None) -> Checkpoint:
    """Sign the current tree head (the daily checkpoint, and after each publication)."""
    _lock_head()
    at = (at or clock.now()).replace(microsecond=0)
    size = tree_size()
    root_hex = root(size).hex()
    note = checkpoint_note(size, root_hex, at)
    version, signature = signing.sign(note)
    return Checkpoint.objects.create(
        tree_size=size,
        root_hash=root_hex,
        timestamp=at,
        note=note.decode(),
        signature=signature,
        key_version=version,
    )


def checkpoint_daily() -> int:
    """A job of each `haven sweep` pass: one signed checkpoint a day, or as soon as the log grew."""
    latest = Checkpoint.objects.order_by("-tree_size", "-timestamp").first()
    today = clock.now()
    if latest is not None and latest.tree_size == tree_size() and latest.timestamp.date() == today.date():
        return 0
    checkpoint_publish(at=today)
    return 1
