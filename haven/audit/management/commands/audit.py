from django.core.management.base import BaseCommand, CommandError

from haven.audit.services import verify


class Command(BaseCommand):
    help = "Audit trail tools. `haven audit verify` walks the hash chain and names the first broken link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options) -> None:
        result = verify()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event #{result.broken_at}: {result.problem} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {result.checked} events"))
