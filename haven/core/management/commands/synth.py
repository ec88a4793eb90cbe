from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from haven.accounts.synth import DEMO_PASSWORD, demo_world
from haven.care import synth as care
from haven.foundlings import synth as foundlings
from haven.people import synth
from haven.people.models import Child


class Command(BaseCommand):
    help = "Synthetic demo data: organisations and one user per role in a province, and N children."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size", type=int, default=300, help="number of children (default 300)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--province", default="01", help="official province code (default 01, Hà Nội)")
        parser.add_argument("--logins", action="store_true", help="print one demo login per role")
        parser.add_argument(
            "--if-empty", action="store_true", help="add no children if there are some already"
        )

    def handle(
        self, *args, size: int, seed: int, province: str, logins: bool, if_empty: bool, **options
    ) -> None:
        if size < 0:
            raise CommandError("--size must be zero or more")
        world = demo_world(province_code=province)
        if if_empty and Child.objects.exists():
            size = 0
        admin = world.users["admin"][0]
        with tqdm(
            total=size, desc="children", unit="child", disable=size < 1000 or options["verbosity"] == 0
        ) as bar:
            made = synth.children(
                size=size,
                seed=seed,
                province=world.province,
                focus_communes=[world.commune_a, world.commune_b],
                organisations=world.organisations,
                actor=admin,
                progress=bar.update,
            )
        self.stdout.write(
            f"{made} children in {world.province.name} "
            f"(half in {world.commune_a.name} and {world.commune_b.name})"
        )
        if made:
            self.stdout.write(f"{foundlings.cases(world)} found-child cases at every stage of the pathway")
            placed = care.demo(world, seed=seed)
            self.stdout.write(f"{placed} care placements in two facilities and in families")
        if logins:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for username, (_, description) in world.users.items():
                self.stdout.write(f"  {username:<20} {description}")
