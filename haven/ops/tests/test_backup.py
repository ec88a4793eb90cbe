"""A restore drill: `haven backup`, then `haven restore` into a fresh database by another process, as
an operator would on another machine; the restored Haven has every record (each table's rows, the
children by id, the photos byte for byte) and an intact audit chain (`haven audit verify`). On SQLite
always; on PostgreSQL (pg_dump, pg_restore) when the suite runs there."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from haven.audit.checkpoints import checkpoint_write
from haven.audit.models import AuditEvent
from haven.audit.services import record
from haven.core.testing import build_world
from haven.ops.backup import BackupError, backup, read_manifest, restore
from haven.people.models import Child

PHOTO = Path("foundlings") / "2026" / "be-gai.jpg"
PHOTO_BYTES = b"\xff\xd8\xff\xe0 a found child's photo \xff\xd9"


def haven(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this interpreter, Haven's own manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def read_restored(env: dict[str, str]) -> dict:
    """What the restored database holds, read by a Haven started on it."""
    code = (
        "import django, json; django.setup()\n"
        "from django.db import connection\n"
        "from haven.people.models import Child\n"
        "from haven.audit.models import AuditEvent\n"
        "with connection.cursor() as c:\n"
        "    tables = connection.introspection.table_names(c)\n"
        "    counts = {}\n"
        "    for t in tables:\n"
        "        c.execute(f'SELECT COUNT(*) FROM {connection.ops.quote_name(t)}')\n"
        "        counts[t] = c.fetchone()[0]\n"
        "print(json.dumps({'counts': counts,\n"
        "  'children': sorted(str(p) for p in Child.objects.values_list('pk', flat=True)),\n"
        "  'names': sorted(c.full_name for c in Child.objects.all()),\n"
        "  'events': AuditEvent.objects.count()}))\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def counts_here() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        found = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            found[table] = cursor.fetchone()[0]
    return found


APPEND_ONLY = importlib.import_module("haven.audit.migrations.0002_append_only")


@pytest.fixture
def committed(request):
    """Rows committed for real (pg_dump reads them from another connection), removed afterwards. The
    flush that follows deletes row by row on SQLite, which the audit trail's triggers refuse: its
    events are removed here with the triggers lifted for that moment and put back at once."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
            for sql in APPEND_ONLY.SQLITE:
                cursor.execute(sql)


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the engine the suite runs on, and the environment of a Haven on it."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    import psycopg

    source = connection.settings_dict
    name = f"{source['NAME']}_restored"[:63]
    admin = psycopg.connect(
        dbname="postgres",
        host=source["HOST"] or None,
        port=source["PORT"] or None,
        user=source["USER"] or None,
        password=source["PASSWORD"] or None,
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    user = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    env["DATABASE_URL"] = f"postgres://{user}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{name}"
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_fresh_database_with_every_record_and_an_intact_chain(
    committed, tmp_path, settings, fresh_database
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build_world()
    children = [world.child() for _ in range(5)]
    for child in children:
        record(actor=world.officer_a, action="child.view", obj=child)
    photo = Path(settings.MEDIA_ROOT) / PHOTO
    photo.parent.mkdir(parents=True)
    photo.write_bytes(PHOTO_BYTES)
    checkpoint_write()  # the sweep signs the head before the backup...

    manifest_path = backup(directory=tmp_path / "backups")
    folder, manifest = read_manifest(manifest_path)
    assert sorted(p.name for p in folder.parent.iterdir()) == sorted(
        [manifest_path.name, manifest["database"]["file"], manifest["media"]["file"]]
    )
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.parent.iterdir())
    held = counts_here()
    held_events = AuditEvent.objects.count()  # the backup's own event included: it came after it

    record(actor=world.officer_a, action="child.view", obj=children[0])  # ...and after it
    checkpoint_write()

    # The restoring machine: its own database, photo folder and a copy of the checkpoints.
    checkpoints = tmp_path / "restored-checkpoints"
    shutil.copytree(settings.HAVEN_AUDIT_CHECKPOINTS, checkpoints)
    env = {
        **fresh_database,
        "HAVEN_MEDIA_ROOT": str(tmp_path / "restored-media"),
        "HAVEN_AUDIT_CHECKPOINTS": str(checkpoints),
    }
    drill = haven(env, "restore", str(manifest_path), "--recovery")
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "every count as the backup's" in drill.stdout
    assert f"audit chain intact: {manifest['audit_head']['seq']} events" in drill.stdout
    assert "those events are not in it" in drill.stdout  # the event after the backup, named

    verified = haven(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit chain intact" in verified.stdout

    restored = read_restored(env)
    assert restored["children"] == sorted(str(pk) for pk in Child.objects.values_list("pk", flat=True))
    assert restored["names"] == sorted(c.full_name for c in Child.objects.all())
    for table, rows in manifest["tables"].items():
        expected = rows + (1 if table == AuditEvent._meta.db_table else 0)  # the restore's own event
        assert restored["counts"][table] == expected, table
    # The manifest counted what the database held; only the backup's own event came after it.
    events_table = AuditEvent._meta.db_table
    assert manifest["tables"] == {**held, events_table: held[events_table] - 1}
    assert manifest["audit_head"]["seq"] == held_events - 1
    assert (tmp_path / "restored-media" / PHOTO).read_bytes() == PHOTO_BYTES


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_refuses_a_database_that_has_tables(committed, tmp_path):
    build_world()
    manifest_path = backup(directory=tmp_path / "backups", media=False)
    before = counts_here()
    with pytest.raises(BackupError, match="restore into a fresh, empty database"):
        restore(manifest_path)
    assert counts_here() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_file_that_is_not_the_one_described_is_refused(committed, tmp_path):
    manifest_path = backup(directory=tmp_path / "backups", media=False)
    _, manifest = read_manifest(manifest_path)
    with (manifest_path.parent / manifest["database"]["file"]).open("ab") as file:
        file.write(b"\0")
    with pytest.raises(BackupError, match="SHA-256 differs"):
        restore(manifest_path)


def test_after_a_point_in_time_recovery_the_lost_events_checkpoints_are_moved_aside(db, settings):
    from haven.audit.checkpoints import read
    from haven.audit.tests.test_checkpoints import cut_the_tail_and_rewind_the_head
    from haven.ops.backup import prove_in_place

    for i in range(5):
        record(actor=None, action="child.view", data={"i": i})
        checkpoint_write()
    # Recovered to the moment after the third event: the database ends there, the checkpoints do not.
    cut_the_tail_and_rewind_the_head(keep=3)
    assert not call_verify().ok

    drill = prove_in_place()
    assert (drill.events, drill.later_checkpoints, drill.newest_lost, drill.retired_to) == (3, 2, 5, None)
    assert not call_verify().ok  # a drill moves nothing

    recovered = prove_in_place(recovery=True)
    assert recovered.retired_to is not None and len(list(recovered.retired_to.glob("*.jsonl"))) == 1
    assert [c.seq for c in read().checkpoints] == [1, 2, 3]
    assert call_verify().ok
    restore_event = AuditEvent.objects.get(seq=4)
    assert restore_event.action == "backup.restore" and restore_event.data["lost_after"] == 5
    # The chain grows again from the recovered head, and the sweep signs it.
    assert checkpoint_write().seq == 4


def call_verify():
    from haven.audit.services import verify

    return verify()
