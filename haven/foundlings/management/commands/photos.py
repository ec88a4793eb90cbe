"""`haven photos tidy`: re-encode photos stored under a sender's file name and delete photo files no
case points to (haven/foundlings/photos.py). `--dry-run` only lists them."""

from django.core.management.base import BaseCommand

from haven.foundlings.photos import photos_tidy


class Command(BaseCommand):
    help = "Re-encode found children's photos kept under a sender's name; delete files no case uses."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["tidy"])
        parser.add_argument("--dry-run", action="store_true", help="list what would change, change nothing")

    def handle(self, *args, action: str, dry_run: bool, **options) -> None:
        tidied = photos_tidy(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for name in tidied.reencoded:
            self.stdout.write(f"re-encoded: {name}")
        for name in tidied.unreadable:
            self.stdout.write(f"not a JPEG or PNG, served only as a download: {name}")
        for name in tidied.deleted:
            self.stdout.write(f"deleted (no case uses it): {name}")
        self.stdout.write(
            f"{len(tidied.reencoded)} photos {verb} re-encoded, {len(tidied.deleted)} files {verb} deleted, "
            f"{len(tidied.unreadable)} could not be read"
        )
