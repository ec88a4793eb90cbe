from django.core.management.base import BaseCommand, CommandError

from haven.audit.checkpoints import ChainRewound, checkpoint_write
from haven.audit.services import verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. `haven audit verify` walks the hash chain, names the first broken link and "
        "holds the chain against the signed checkpoints; `haven audit checkpoint` signs the chain head "
        "into the checkpoint folder (`haven sweep` does it on every pass)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--checkpoints",
            metavar="FOLDER",
            help="the checkpoint folder (HAVEN_AUDIT_CHECKPOINTS unless given): a copy kept elsewhere",
        )

    def handle(self, *args, action: str, checkpoints: str | None = None, **options) -> None:
        if action == "checkpoint":
            self._checkpoint(checkpoints)
            return
        result = verify(checkpoint_dir=checkpoints)
        if not result.ok:
            where = f" at event #{result.broken_at}" if result.broken_at else ""
            raise CommandError(
                f"audit chain broken{where}: {result.problem} ({result.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {result.checked} events"))
        newest = result.newest_checkpoint
        if newest is None:
            self.stdout.write(
                self.style.WARNING(
                    "no checkpoint to compare with: events cut from the end of the chain would go "
                    "unnoticed (docs/runbooks/audit.md)"
                )
            )
            return
        self.stdout.write(
            f"matches {result.checkpoints} signed checkpoints; the newest, of {newest.at}, vouches for "
            f"#{newest.seq} ({result.checked - newest.seq} events since)"
        )

    def _checkpoint(self, directory: str | None) -> None:
        try:
            written = checkpoint_write(directory=directory)
        except ChainRewound as error:
            raise CommandError(str(error)) from error
        if written is None:
            self.stdout.write("the chain head has not moved since the last checkpoint")
        else:
            self.stdout.write(f"checkpoint of #{written.seq} written ({written.at})")
