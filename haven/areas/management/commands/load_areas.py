from django.core.management.base import BaseCommand

from haven.areas.services import areas_load


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes (valid from 2025-07-01) from vietnam-provinces."

    def handle(self, *args, **options) -> None:
        provinces, communes = areas_load()
        self.stdout.write(f"{provinces} provinces, {communes} communes")
