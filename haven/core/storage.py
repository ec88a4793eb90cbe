"""Where Haven keeps files, closed to every account but the service user's: a child's photo, the
database and its copies are personal data that no other account on the machine may read.

The SQLite database, its WAL and shared-memory files, the photos, the secrets and the audit checkpoints
are 0600 in 0700 folders, whatever the umask of whoever started Haven. Existing files made before this
(0644) are closed at start-up: their folder is closed, and the database files are chmod-ed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from haven.lib.files import private_dir, private_file

log = logging.getLogger(__name__)


def folders() -> list[Path]:
    """The folders Haven writes its data into: ``var/`` (the default database, secrets, photos) and
    wherever the photos and the checkpoints are configured to go. A database elsewhere keeps its
    folder as the operator made it; only its files are closed."""
    return [settings.BASE_DIR / "var", Path(settings.MEDIA_ROOT), Path(settings.HAVEN_AUDIT_CHECKPOINTS)]


def close_folders() -> None:
    """Close the folders that exist to their owner (0700); make none (each is made when first used)."""
    for folder in folders():
        if not folder.is_dir():
            continue
        try:
            private_dir(folder)
        except PermissionError:
            log.warning("%s is not Haven's own folder: it cannot be closed to other users", folder)


def close_sqlite_files(sender, connection, **kwargs) -> None:
    """On each new connection to an SQLite file: the database, its WAL and its shared memory, 0600.
    SQLite gives a new WAL the database file's mode, so closing the database keeps the others closed."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        return  # a database in memory (the tests'): no file to close
    for path in (name, f"{name}-wal", f"{name}-shm"):
        private_file(path)
