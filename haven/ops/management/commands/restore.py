"""`haven restore BACKUP.json`: into a fresh, empty database, then proven whole (docs/runbooks/backup.md)."""

from django.core.management.base import BaseCommand, CommandError

from haven.ops.backup import BackupError, prove_in_place, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the database DATABASE_URL names, which must be empty; then check every "
        "table's row count and the audit chain (haven audit verify) against the backup's manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("manifest", nargs="?", help="the backup's .json manifest (or its database file)")
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="restore nothing: prove a database already recovered by other means (PostgreSQL's "
            "point-in-time recovery) — its audit chain against the checkpoints up to its head",
        )
        parser.add_argument(
            "--recovery",
            action="store_true",
            help="this database becomes the live one: move aside the audit checkpoints of events the "
            "backup does not hold, so that the chain grows again from the backup's head",
        )
        parser.add_argument(
            "--checkpoints", metavar="FOLDER", help="the audit checkpoint folder (HAVEN_AUDIT_CHECKPOINTS)"
        )

    def handle(
        self,
        *args,
        manifest: str | None,
        in_place: bool,
        recovery: bool,
        checkpoints: str | None = None,
        **options,
    ) -> None:
        if bool(manifest) == in_place:
            raise CommandError("give a backup's manifest, or --in-place for a database already recovered")
        try:
            if in_place:
                done = prove_in_place(recovery=recovery, checkpoint_dir=checkpoints)
            else:
                done = restore(manifest, recovery=recovery, checkpoint_dir=checkpoints)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = done.manifest["tables"]
        if not in_place:
            self.stdout.write(
                self.style.SUCCESS(
                    f"restored the backup of {done.manifest['created_at']}: {len(tables)} tables, "
                    f"{sum(tables.values()):,} rows, every count as the backup's"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit chain intact: {done.events} events")
            + f"; matches {done.checkpoints} signed checkpoints up to its head"
        )
        if done.later_checkpoints:
            self.stdout.write(
                self.style.WARNING(
                    f"the checkpoints vouch for events up to #{done.newest_lost}, written after this backup "
                    f"(it ends at #{done.events}): those events are not in it"
                )
            )
            if done.retired_to:
                self.stdout.write(
                    f"their {done.later_checkpoints} checkpoints were moved to {done.retired_to}"
                )
            else:
                self.stdout.write(
                    "if this database replaces the live one, run the restore with --recovery "
                    "(docs/runbooks/backup.md)"
                )
