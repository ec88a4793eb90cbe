"""Files only the service user may read: the database and its WAL, photos, secrets, audit checkpoints.

Haven sets the modes itself where it creates these files, rather than trusting the umask of whoever
started it (docs/runbooks/keys.md); a systemd unit adds ``UMask=0077`` for everything else.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER, FILE = 0o700, 0o600


def private_dir(path: Path | str) -> Path:
    """A folder that only its owner may enter, made if missing (a 0755 one is closed to 0700)."""
    path = Path(path)
    path.mkdir(mode=FOLDER, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(FOLDER)
    return path


def private_file(path: Path | str) -> None:
    """Close an existing file to its owner (0600); nothing if it does not exist."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, FILE)
    except FileNotFoundError:
        pass


def create_private(path: Path | str, text: str) -> bool:
    """Write a new file created 0600 from the start, never readable by others even for a moment;
    False, and nothing written, if it already exists."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    return True


def append_private(path: Path | str, line: str) -> None:
    """Append one line to a 0600 file with a single write: lines from two processes never interleave."""
    descriptor = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, FILE)
    try:
        os.write(descriptor, (line.rstrip("\n") + "\n").encode())
    finally:
        os.close(descriptor)
