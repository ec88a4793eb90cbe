"""The chain head is checkpointed outside the database, signed with the audit key, so that events cut
from the end of the chain — with the head rewound to match — are caught by `haven audit verify`."""

from __future__ import annotations

import importlib
import json
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from haven.audit import checkpoints
from haven.audit.checkpoints import ChainRewound, checkpoint_write
from haven.audit.models import AuditEvent
from haven.audit.services import record, verify

pytestmark = pytest.mark.django_db

APPEND_ONLY = importlib.import_module("haven.audit.migrations.0002_append_only")


def events(n: int) -> list[AuditEvent]:
    return [record(actor=None, action="child.view", data={"i": i}) for i in range(n)]


def cut_the_tail_and_rewind_the_head(keep: int) -> None:
    """The review's reproduction, as someone with write access to the database would do it: drop the
    append-only triggers, delete the newest events, point the chain head at the last one kept, and
    put the triggers back. No key is needed."""
    last_kept = AuditEvent.objects.get(seq=keep)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_no_update ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [keep])
        cursor.execute("UPDATE audit_chainhead SET seq = %s, hash = %s", [keep, last_kept.hash])
        triggers = APPEND_ONLY.POSTGRES if connection.vendor == "postgresql" else APPEND_ONLY.SQLITE
        for sql in triggers:
            cursor.execute(sql)


def checkpoint_lines() -> list[dict]:
    folder = Path(settings.HAVEN_AUDIT_CHECKPOINTS)
    return [
        json.loads(line) for file in sorted(folder.glob("*.jsonl")) for line in file.read_text().splitlines()
    ]


def test_events_cut_from_the_end_are_caught_against_the_sweeps_checkpoint():
    events(6)
    call_command("sweep", verbosity=0)  # the schedule: every pass signs the head
    cut_the_tail_and_rewind_the_head(keep=3)

    result = verify()
    assert not result.ok
    assert result.broken_at == 4
    assert "vouches for #6" in result.problem
    with pytest.raises(CommandError, match="events after #3 were removed"):
        call_command("audit", "verify")


def test_without_a_checkpoint_the_cut_chain_looks_whole_and_verify_says_so():
    events(6)
    cut_the_tail_and_rewind_the_head(keep=3)
    result = verify()
    assert result.ok and result.checked == 3 and result.newest_checkpoint is None


def test_a_tail_cut_and_written_again_differs_from_the_checkpoint():
    events(5)
    call_command("audit", "checkpoint")
    cut_the_tail_and_rewind_the_head(keep=2)
    events(4)  # the application goes on writing: #3 to #6 are new events
    result = verify()
    assert result.broken_at == 5
    assert "differs from the checkpoint" in result.problem


def test_the_sweep_checkpoints_the_head_only_when_it_has_moved():
    events(2)
    call_command("sweep", verbosity=0)
    call_command("sweep", verbosity=0)
    assert [line["seq"] for line in checkpoint_lines()] == [2]
    events(1)
    call_command("sweep", verbosity=0)
    assert [line["seq"] for line in checkpoint_lines()] == [2, 3]
    result = verify()
    assert result.ok and result.checkpoints == 2 and result.newest_checkpoint.seq == 3


def test_a_rewound_chain_is_not_checkpointed_again():
    events(4)
    checkpoint_write()
    cut_the_tail_and_rewind_the_head(keep=1)
    with pytest.raises(ChainRewound, match="vouches for #4"):
        checkpoint_write()
    with pytest.raises(CommandError, match="events were removed"):
        call_command("audit", "checkpoint")
    assert [line["seq"] for line in checkpoint_lines()] == [4]


def test_a_checkpoint_without_the_audit_keys_signature_is_refused():
    events(3)
    forged = checkpoints.Checkpoint(
        seq=3,
        hash=AuditEvent.objects.get(seq=3).hash,
        at="2026-12-07T00:00:00+00:00",
        key_version=1,
        signature="0" * 64,
    )
    folder = Path(settings.HAVEN_AUDIT_CHECKPOINTS)
    folder.mkdir(parents=True)
    (folder / "2026-12-07.jsonl").write_text(forged.line() + "\n")
    result = verify()
    assert not result.ok
    assert "not signed with Haven's audit key" in result.problem


def test_checkpoints_are_readable_by_the_service_user_only():
    events(1)
    checkpoint_write()
    folder = Path(settings.HAVEN_AUDIT_CHECKPOINTS)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in folder.iterdir())


def test_verify_can_hold_the_chain_against_a_copy_of_the_checkpoints_kept_elsewhere(tmp_path):
    events(3)
    copy = tmp_path / "offsite"
    checkpoint_write(directory=copy)
    cut_the_tail_and_rewind_the_head(keep=2)
    assert verify().ok  # the local folder is empty: nothing to hold the chain against
    with pytest.raises(CommandError, match="vouches for #3"):
        call_command("audit", "verify", "--checkpoints", str(copy))
