"""`haven backup` and `haven restore`: a consistent copy of the database (and the photos), and its
restoration into a fresh database that is then proven whole.

PostgreSQL: `pg_dump --format=custom` inside a snapshot exported by a REPEATABLE READ transaction, in
which the rows of every table are also counted and the audit chain's head read, so the manifest
describes exactly what the dump holds. SQLite: the online backup API (a consistent copy while Haven
runs), counted from the copy itself. The photos (HAVEN_MEDIA_ROOT) go into a tar beside it.

A backup is three or four files, each 0600 in a 0700 folder: ``haven-<time>.dump`` or ``.sqlite3``,
``.media.tar`` and the manifest ``.json`` (engine, time, SHA-256 of each file, the row count of every
table, the audit chain's head). The keys are never in it (docs/runbooks/keys.md).

Restoring refuses a database that has tables, checks the files against the manifest, restores, then
finds every table with the manifest's count, the audit chain's head at the manifest's, and the whole
chain intact against the signed checkpoints up to that head (`haven audit verify`). The checkpoints
of later events are reported: they are the events the backup does not hold. ``recovery=True`` (the
restored database becomes the live one) moves those checkpoints aside, so that the chain can grow
again from the backup's head, and records the restore in the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from haven.audit import checkpoints
from haven.audit.models import ChainHead
from haven.audit.services import record, verify
from haven.core import clock
from haven.lib.files import FILE, private_dir, private_file

FORMAT = 1


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why and what to do."""


@dataclass
class Restored:
    manifest: dict
    events: int
    checkpoints: int
    # Checkpoints of events the backup does not hold (written after it), and where they were moved.
    later_checkpoints: int = 0
    newest_lost: int | None = None
    retired_to: Path | None = None
    notes: list[str] = field(default_factory=list)


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"no backup for a {vendor} database")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _new_private(path: Path):
    return os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE), "wb")


def _head(cursor) -> dict:
    cursor.execute(f"SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE id = 1")  # noqa: S608
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def pg_environment() -> dict[str, str]:
    """libpq's variables for Haven's database, so that no password is on a command line."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def backup(
    *, directory: Path | str | None = None, media: bool = True, now: dt.datetime | None = None
) -> Path:
    """Write a backup; returns the manifest's path."""
    kind = engine()
    folder = private_dir(directory or settings.HAVEN_BACKUP_DIR)
    at = (now or clock.real_now()).astimezone(dt.UTC)  # a backup's name is the machine's time
    name = f"haven-{at:%Y%m%dT%H%M%S}Z"
    if any(folder.glob(f"{name}.*")):
        raise BackupError(f"{folder / name} already exists")
    data = folder / f"{name}.{'dump' if kind == 'postgresql' else 'sqlite3'}"
    if kind == "postgresql":
        tables, head = _dump_postgresql(data)
    else:
        tables, head = _copy_sqlite(data)
    manifest = {
        "format": FORMAT,
        "engine": kind,
        "created_at": at.isoformat(),
        "database": {"file": data.name, "sha256": _sha256(data), "bytes": data.stat().st_size},
        "tables": tables,
        "audit_head": head,
        "media": _media_archive(folder / f"{name}.media.tar") if media else None,
    }
    path = folder / f"{name}.json"
    with _new_private(path) as file:
        file.write(json.dumps(manifest, indent=2, sort_keys=True).encode())
    # A backup holds every child's record: it is recorded as an export would be.
    record(
        actor=None,
        action="backup.create",
        data={
            "manifest": path.name,
            "tables": len(tables),
            "rows": sum(tables.values()),
            "head": head["seq"],
        },
    )
    return path


def _dump_postgresql(target: Path) -> tuple[dict[str, int], dict]:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed: apt-get install postgresql-client")
    if connection.in_atomic_block:
        raise BackupError("a backup takes a snapshot of its own: run it outside a transaction")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # Counted in the snapshot pg_dump reads: the manifest says what the dump holds, to the row.
        tables = _counts(cursor, connection.introspection.table_names(cursor))
        head = _head(cursor)
        with _new_private(target) as out:
            done = subprocess.run(  # noqa: S603 - pg_dump with arguments of Haven's own
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-password"],  # noqa: S607
                stdout=out,
                stderr=subprocess.PIPE,
                env=pg_environment(),
                text=False,
                check=False,
            )
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")
    return tables, head


def _copy_sqlite(target: Path) -> tuple[dict[str, int], dict]:
    connection.ensure_connection()
    with _new_private(target):
        pass  # created 0600 before SQLite writes into it
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file: the copy is not kept in WAL mode, which would need -wal and -shm
        # files beside it whenever it is opened.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    private_file(target)
    # Counted from the copy: what the backup holds, whatever was written since.
    return _sqlite_contents(target)


def _sqlite_contents(path: Path) -> tuple[dict[str, int], dict]:
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in sorted(tables):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
        return counts, _head(cursor)
    finally:
        copy.close()


def _media_archive(target: Path) -> dict | None:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return None
    with _new_private(target) as out, tarfile.open(fileobj=out, mode="w") as archive:
        files = 0
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=str(path.relative_to(root)))
                files += 1
    return {"file": target.name, "sha256": _sha256(target), "files": files}


# --- restore -------------------------------------------------------------------------------------


def read_manifest(path: Path | str) -> tuple[Path, dict]:
    """The manifest of a backup, given it or the database file beside it."""
    path = Path(path)
    if path.suffix != ".json":
        path = path.with_name(path.name.split(".")[0] + ".json")
    if not path.is_file():
        raise BackupError(f"no manifest {path}: give the backup's .json file")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise BackupError(f"the manifest {path} cannot be read: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"the manifest {path} is of an unknown format")
    return path, manifest


def _checked_file(folder: Path, entry: dict) -> Path:
    path = folder / entry["file"]
    if not path.is_file():
        raise BackupError(f"{path} is missing")
    if _sha256(path) != entry["sha256"]:
        raise BackupError(f"{path} is not the file the manifest describes (its SHA-256 differs)")
    return path


def _tables_now() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def restore(
    manifest_path: Path | str, *, recovery: bool = False, checkpoint_dir: str | None = None
) -> Restored:
    path, manifest = read_manifest(manifest_path)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(f"this is a {manifest['engine']} backup; Haven's database is {kind}")
    data = _checked_file(path.parent, manifest["database"])
    media = _checked_file(path.parent, manifest["media"]) if manifest.get("media") else None
    if tables := _tables_now():
        raise BackupError(
            f"the database already has {len(tables)} tables: restore into a fresh, empty database "
            "(createdb, or a new SQLite file) and point DATABASE_URL at it"
        )
    if media is not None and Path(settings.MEDIA_ROOT).is_dir() and any(Path(settings.MEDIA_ROOT).iterdir()):
        raise BackupError(
            f"the photo folder {settings.MEDIA_ROOT} is not empty: give HAVEN_MEDIA_ROOT a new one"
        )
    if kind == "postgresql":
        _restore_postgresql(data)
    else:
        _restore_sqlite(data)
    if media is not None:
        _restore_media(media)
    return _prove(manifest, recovery=recovery, checkpoint_dir=checkpoint_dir, source=path.name)


def _restore_postgresql(data: Path) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed: apt-get install postgresql-client")
    connection.close()
    done = subprocess.run(  # noqa: S603 - pg_restore with arguments of Haven's own
        [  # noqa: S607
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(data),
        ],
        capture_output=True,
        env=pg_environment(),
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed, nothing restored: {done.stderr.decode(errors='replace').strip()}"
        )


def _restore_sqlite(data: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    try:
        # Into Haven's own connection: the file it names, or (tests) the database it holds.
        source.backup(connection.connection)
    finally:
        source.close()
    name = connection.settings_dict["NAME"]
    if isinstance(name, str | Path) and Path(name).is_file():
        private_file(name)


def _restore_media(archive: Path) -> None:
    root = private_dir(settings.MEDIA_ROOT)
    with tarfile.open(archive) as tar:
        # The data filter refuses absolute paths, links out of the folder and device files.
        tar.extractall(root, filter="data")
    for path in root.rglob("*"):
        (private_dir if path.is_dir() else private_file)(path)


def _prove(manifest: dict, *, recovery: bool, checkpoint_dir: str | None, source: str) -> Restored:
    with connection.cursor() as cursor:
        found = _counts(cursor, _tables_now())
        head = _head(cursor)
    expected = manifest["tables"]
    wrong = [
        f"{t}: {found.get(t)} rows, the backup had {n}" for t, n in expected.items() if found.get(t) != n
    ]
    if wrong:
        raise BackupError("the restored database differs from the backup: " + "; ".join(wrong[:10]))
    if head != manifest["audit_head"]:
        raise BackupError(
            f"the audit chain's head is #{head['seq']}, the backup's was #{manifest['audit_head']['seq']}"
        )
    return _chain_proven(head, manifest, recovery=recovery, checkpoint_dir=checkpoint_dir, source=source)


def prove_in_place(*, recovery: bool = False, checkpoint_dir: str | None = None) -> Restored:
    """For a database restored by other means (PostgreSQL's point-in-time recovery from a base backup
    and the archived WAL): the audit chain intact up to wherever it now ends, the later checkpoints
    reported and, with ``recovery``, moved aside (docs/runbooks/backup.md)."""
    with connection.cursor() as cursor:
        head = _head(cursor)
    manifest = {"created_at": "point-in-time recovery", "tables": {}, "audit_head": head}
    return _chain_proven(head, manifest, recovery=recovery, checkpoint_dir=checkpoint_dir, source="in place")


def _chain_proven(
    head: dict, manifest: dict, *, recovery: bool, checkpoint_dir: str | None, source: str
) -> Restored:
    result = verify(checkpoint_dir=checkpoint_dir, upto=head["seq"])
    if not result.ok:
        where = f" at event #{result.broken_at}" if result.broken_at else ""
        raise BackupError(f"audit chain broken{where}: {result.problem}")
    later = [c for c in checkpoints.read(checkpoint_dir).checkpoints if c.seq > head["seq"]]
    restored = Restored(
        manifest=manifest,
        events=result.checked,
        checkpoints=result.checkpoints,
        later_checkpoints=len(later),
        newest_lost=max((c.seq for c in later), default=None),
    )
    if recovery:
        restored.retired_to = retire_checkpoints_after(head["seq"], directory=checkpoint_dir)
        record(
            actor=None,
            action="backup.restore",
            data={
                "manifest": source,
                "created_at": manifest["created_at"],
                "head": head["seq"],
                "lost_after": restored.newest_lost,
            },
        )
    return restored


def retire_checkpoints_after(seq: int, *, directory: str | None = None) -> Path | None:
    """Move the checkpoints of events after ``seq`` into a folder of their own (kept, not deleted):
    the restored chain grows again from ``seq`` with other events, and the sweep would refuse to
    checkpoint a chain that its old checkpoints say was longer."""
    folder = checkpoints.folder(directory)
    if not folder.is_dir():
        return None
    retired = None
    for file in sorted(folder.glob("*.jsonl")):
        keep, move = [], []
        for line in file.read_text().splitlines():
            try:
                later = int(json.loads(line)["seq"]) > seq
            except (ValueError, KeyError, TypeError):
                later = False  # an unreadable line stays for `haven audit verify` to report
            (move if later else keep).append(line)
        if not move:
            continue
        if retired is None:
            retired = private_dir(folder / f"retired-{clock.real_now():%Y%m%dT%H%M%S}Z")
        with _new_private(retired / file.name) as out:
            out.write(("\n".join(move) + "\n").encode())
        if keep:
            tmp = file.with_suffix(".jsonl.tmp")
            with _new_private(tmp) as out:
                out.write(("\n".join(keep) + "\n").encode())
            tmp.replace(file)
        else:
            file.unlink()
    return retired
