"""Signed checkpoints of the audit chain's head, kept outside the database.

Whoever can write the database can drop the append-only triggers, delete the newest events and rewind
the chain head: the chain left behind still verifies, and nothing in the database says it was longer.
So `haven sweep` writes the head — its sequence number and hash, the time, and an HMAC under the
audit key — to a file in another place (HAVEN_AUDIT_CHECKPOINTS), and `haven audit verify` requires
every checkpointed event to be still there with the same hash. Forging a checkpoint needs the audit
key; removing the newest checkpoint files is what the copy on another host (syslog, the backup) is for
(docs/runbooks/audit.md).

One file per day, ``YYYY-MM-DD.jsonl``, one signed line per checkpoint, appended with one write.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from haven.audit import chain
from haven.audit.models import ChainHead
from haven.core import clock
from haven.lib.files import append_private, private_dir

log = logging.getLogger("haven.audit.checkpoint")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_version: int
    signature: str = ""
    # Where it was read from (file and line), for messages; not part of what is signed.
    source: str = field(default="", compare=False)

    def message(self) -> str:
        return f"haven-audit-checkpoint|{self.seq}|{self.hash}|{self.at}"

    @property
    def signed(self) -> bool:
        try:
            expected = chain.sign(self.message(), version=self.key_version)
        except chain.UnknownKeyVersion:
            return False
        return hmac.compare_digest(expected, self.signature)

    def line(self) -> str:
        fields = asdict(self)
        del fields["source"]
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))


class ChainRewound(Exception):
    """The chain head is behind, or differs from, a checkpoint already written."""


@dataclass
class Reading:
    checkpoints: list[Checkpoint]
    problems: list[str]


def folder(directory: Path | str | None = None) -> Path:
    return Path(directory or settings.HAVEN_AUDIT_CHECKPOINTS)


def _files(directory: Path | str | None) -> list[Path]:
    path = folder(directory)
    return sorted(path.glob("*.jsonl")) if path.is_dir() else []


def _parse(file: Path, number: int, text: str) -> Checkpoint:
    values = json.loads(text)
    return Checkpoint(
        seq=int(values["seq"]),
        hash=str(values["hash"]),
        at=str(values["at"]),
        key_version=int(values["key_version"]),
        signature=str(values["signature"]),
        source=f"{file.name}:{number}",
    )


def _read(files: list[Path]) -> Reading:
    found, problems = [], []
    for file in files:
        for number, text in enumerate(file.read_text().splitlines(), start=1):
            if not text.strip():
                continue
            try:
                checkpoint = _parse(file, number, text)
            except (ValueError, KeyError, TypeError):
                problems.append(f"checkpoint {file.name}:{number} cannot be read")
                continue
            if not checkpoint.signed:
                problems.append(f"checkpoint {checkpoint.source} is not signed with Haven's audit key")
                continue
            found.append(checkpoint)
    return Reading(found, problems)


def read(directory: Path | str | None = None) -> Reading:
    """Every checkpoint in the folder, oldest file first; a line that does not parse or whose
    signature does not hold is a problem, never silently skipped."""
    return _read(_files(directory))


def newest(directory: Path | str | None = None) -> Checkpoint | None:
    """The signed checkpoint with the highest sequence number in the newest file that has one (the
    sweep reads one day's file, not a year of them)."""
    for file in reversed(_files(directory)):
        if signed := _read([file]).checkpoints:
            return max(signed, key=lambda c: c.seq)
    return None


def checkpoint_write(
    *, directory: Path | str | None = None, now: dt.datetime | None = None
) -> Checkpoint | None:
    """Sign the chain head and append it to today's file; None when the head has not moved since the
    last checkpoint. Refuses (ChainRewound) to write a head behind, or different from, one already
    checkpointed: that is the truncation the checkpoints exist to catch, and it must not be blessed."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    last = newest(directory)
    if last is not None:
        if head.seq < last.seq or (head.seq == last.seq and head.hash != last.hash):
            raise ChainRewound(
                f"the audit chain head is #{head.seq}, but the checkpoint {last.source} of {last.at} "
                f"vouches for #{last.seq}: events were removed from the end of the chain"
            )
        if head.seq == last.seq:
            return None
    at = (now or clock.now()).astimezone(dt.UTC)
    version = settings.HAVEN_AUDIT_KEY_VERSION
    unsigned = Checkpoint(seq=head.seq, hash=head.hash, at=at.isoformat(), key_version=version)
    checkpoint = Checkpoint(
        **{**asdict(unsigned), "signature": chain.sign(unsigned.message(), version=version)}
    )
    append_private(private_dir(folder(directory)) / f"{at:%Y-%m-%d}.jsonl", checkpoint.line())
    # The same line to the log, so a log shipped to another host holds a copy (docs/runbooks/audit.md).
    log.info("audit checkpoint %s", checkpoint.line())
    return checkpoint


def sweep_job() -> int:
    """Each pass of `haven sweep`: checkpoint the head if it moved. A rewound chain is logged as an
    error and the pass goes on (the deadlines must still be swept); `haven audit verify` fails on it."""
    try:
        return 1 if checkpoint_write() else 0
    except ChainRewound as error:
        log.error("audit checkpoint refused: %s", error)
        return 0
