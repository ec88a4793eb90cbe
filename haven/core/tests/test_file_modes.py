"""The database, its WAL, the photos and the secrets are readable by the service user only, whatever
the umask of whoever started Haven (security review, findings 7 and 18)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.utils import ConnectionHandler

import config.env
from haven.core import storage

SQLITE_OPTIONS = {"init_command": "PRAGMA journal_mode=WAL;"}


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The umask a careless shell gives (0644 files, 0755 folders), to show Haven does not rely on it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_generated_secret_is_never_readable_by_others(tmp_path, monkeypatch, open_umask):
    monkeypatch.setattr(config.env, "BASE_DIR", tmp_path)
    monkeypatch.delenv("HAVEN_TEST_SECRET", raising=False)
    monkeypatch.delenv("HAVEN_TEST_SECRET_FILE", raising=False)
    (tmp_path / "var" / "secrets").mkdir(parents=True, mode=0o755)  # as an older Haven made it

    value = config.env.secret("HAVEN_TEST_SECRET")

    assert mode(tmp_path / "var" / "secrets") == 0o700
    assert mode(tmp_path / "var" / "secrets" / "HAVEN_TEST_SECRET") == 0o600
    assert config.env.secret("HAVEN_TEST_SECRET") == value  # made once, then read


def test_an_uploaded_photo_is_readable_by_the_service_user_only(settings, tmp_path, open_umask):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    name = default_storage.save("foundlings/2026/12/photo.jpg", ContentFile(b"\xff\xd8\xff"))
    assert mode(tmp_path / "media" / name) == 0o600
    assert mode(tmp_path / "media" / "foundlings" / "2026" / "12") == 0o700


def test_the_sqlite_database_and_its_wal_are_readable_by_the_service_user_only(
    tmp_path, open_umask, django_db_blocker
):
    path = tmp_path / "haven.sqlite3"
    path.touch(mode=0o644)  # a database an older Haven left open
    # Haven's own SQLite settings (WAL), on a file of this test's.
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": SQLITE_OPTIONS}
    database = ConnectionHandler({"default": sqlite})["default"]
    with django_db_blocker.unblock():
        try:
            with database.cursor() as cursor:
                cursor.execute("CREATE TABLE child (name text)")
                cursor.execute("INSERT INTO child VALUES ('Lò Thị Mai')")
            assert mode(path) == 0o600
            assert mode(f"{path}-wal") == 0o600
            assert mode(f"{path}-shm") == 0o600
        finally:
            database.close()


def test_data_folders_left_open_by_an_older_haven_are_closed_at_start(settings, tmp_path, open_umask):
    media, checkpoints = tmp_path / "media", tmp_path / "checkpoints"
    media.mkdir(mode=0o755)
    checkpoints.mkdir(mode=0o755)
    settings.MEDIA_ROOT, settings.HAVEN_AUDIT_CHECKPOINTS = str(media), str(checkpoints)
    storage.close_folders()
    assert mode(media) == mode(checkpoints) == 0o700
