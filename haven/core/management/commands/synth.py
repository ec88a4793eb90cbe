from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from tqdm import tqdm

from haven.accounts.synth import DEMO_PASSWORD, DEMO_TOTP_BASE32, DEMO_TOTP_SECRET, demo_world
from haven.care import synth as care
from haven.foundlings import synth as foundlings
from haven.people import synth
from haven.people.models import Child
from haven.prevention import synth as prevention


class Command(BaseCommand):
    help = (
        "Synthetic demo data: organisations and one user per role in a province, and N children; "
        "`synth population` fills the population register service's database instead; `synth code` "
        "prints the demo logins' current second-factor code."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", nargs="?", choices=["children", "population", "code"], default="children")
        parser.add_argument(
            "--size", type=int, default=None, help="children (default 300) or people (default 20,000)"
        )
        parser.add_argument(
            "--database", default=None, help="population: the register's SQLite file (var/popreg.sqlite3)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--province", default="01", help="official province code (default 01, Hà Nội)")
        parser.add_argument("--logins", action="store_true", help="print one demo login per role")
        parser.add_argument(
            "--if-empty", action="store_true", help="add no children if there are some already"
        )

    def handle(
        self, *args, size: int, seed: int, province: str, logins: bool, if_empty: bool, **options
    ) -> None:
        if settings.HAVEN_ENV == "production":
            # Synthetic children and demo accounts with a published password have no place in a real
            # database (security review, finding 3).
            raise CommandError("synth makes demo data and demo logins: it never runs in production")
        if options["what"] == "code":
            # The demo logins' current second-factor code (each code works once per login).
            self.stdout.write(f"{totp(DEMO_TOTP_SECRET):06d}")
            return None
        if options["what"] == "population":
            from haven.population.synth import population_command

            return population_command(self, size=size, seed=seed, if_empty=if_empty, **options)
        size = 300 if size is None else size
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
            self.stdout.write(f"{prevention.people(world)} people at risk followed by the prevention work")
            placed = care.demo(world, seed=seed)
            self.stdout.write(f"{placed} care placements in two facilities and in families")
            from haven.entitlements import synth as entitlements

            allowances = entitlements.demo(world, seed=seed)
            self.stdout.write(f"{allowances} children with an allowance, a procedure or a proposal")
            from haven.complaints import synth as complaints

            self.stdout.write(
                f"{complaints.demo(world)} complaints and feedback, on track, at risk, late and appealed"
            )
            from haven.education import synth as education

            enrolled = education.demo(world, seed=seed)
            self.stdout.write(f"{enrolled} enrolments in two schools, with two weeks of attendance")
            supported = entitlements.school_support(world)
            self.stdout.write(f"{supported} pupils' supports proposed (tuition, learning costs)")
            from haven.linkage import synth as linkage
            from haven.sponsorship import synth as sponsorship

            self.stdout.write(sponsorship.demo(world, seed=seed))
            links, reviews = linkage.demo(world, seed=seed)
            self.stdout.write(
                f"{links} register links and {reviews} pairs for review (synthetic linkage run)"
            )
            from haven.reports import synth as reports

            made_reports, reminders = reports.demo(world)
            self.stdout.write(
                f"{made_reports} periodic reports at every stage of approval, {reminders} reminders owed"
            )
        if logins:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for username, (_, description) in world.users.items():
                code = "+ code" if username in world.second_factor else ""
                self.stdout.write(f"  {username:<20} {code:<7} {description}")
            key = " ".join(DEMO_TOTP_BASE32[i : i + 4] for i in range(0, len(DEMO_TOTP_BASE32), 4))
            self.stdout.write(
                "\nLogins marked '+ code' then ask for a 6-digit code: add this key to an authenticator app"
                f" (FreeOTP, Google Authenticator; time-based, 6 digits, 30 s):\n  {key}\n"
                "or print the current code with: haven synth code"
            )
