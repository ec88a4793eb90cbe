"""`haven backup`: a consistent copy of the database and the photos, with its manifest
(docs/runbooks/backup.md)."""

from django.core.management.base import BaseCommand, CommandError

from haven.ops.backup import BackupError, backup, read_manifest


class Command(BaseCommand):
    help = (
        "Back the database up (PostgreSQL: pg_dump in custom format; SQLite: the online backup API) with "
        "the photos and a manifest of every table's row count and the audit chain's head."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", metavar="FOLDER", help="where to write it (default HAVEN_BACKUP_DIR)")
        parser.add_argument("--no-media", action="store_true", help="leave the photos out")

    def handle(self, *args, output: str | None = None, no_media: bool = False, **options) -> None:
        try:
            path = backup(directory=output, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        _, manifest = read_manifest(path)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written: {path} ({manifest['database']['bytes']:,} bytes, {len(manifest['tables'])} "
                f"tables, {rows:,} rows, audit chain to #{manifest['audit_head']['seq']})"
            )
        )
