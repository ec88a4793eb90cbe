"""The translation catalogues: `haven catalogue update` rewrites them, `haven catalogue check` fails
when they are out of step with the code (a string added without running update) or not compiled."""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALES = ["vi", "en"]
# Lines that change on every run without meaning anything.
VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.M)
OPTIONS = {
    "locale": LOCALES,
    "no_location": True,
    "no_obsolete": True,
    "ignore_patterns": [".venv/*", "var/*", "static/*", "e2e/*"],
}


def _normalised(path: Path) -> str:
    return VOLATILE.sub("", path.read_text(encoding="utf-8")) if path.exists() else ""


class Command(BaseCommand):
    help = "Update or check the vi/en translation catalogues (locale/)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["update", "check"])

    def handle(self, *args, action: str, **options) -> None:
        locale_dir = Path(settings.LOCALE_PATHS[0])
        if action == "update":
            call_command("makemessages", domain="django", verbosity=0, **OPTIONS)
            call_command("makemessages", domain="djangojs", verbosity=0, **OPTIONS)
            call_command("compilemessages", locale=LOCALES, verbosity=0)
            self.stdout.write("catalogues updated and compiled")
            return
        problems = []
        with tempfile.TemporaryDirectory() as tmp:
            snapshot = Path(tmp) / "locale"
            shutil.copytree(locale_dir, snapshot)
            try:
                call_command("makemessages", domain="django", verbosity=0, **OPTIONS)
                call_command("makemessages", domain="djangojs", verbosity=0, **OPTIONS)
                for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                    before = snapshot / po.relative_to(locale_dir)
                    if _normalised(po) != _normalised(before):
                        problems.append(f"{po.relative_to(settings.BASE_DIR)} is out of date")
                    mo = before.with_suffix(".mo")
                    fresh = Path(tmp) / "fresh.mo"
                    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(before)], check=True)  # noqa: S603,S607
                    if not mo.exists() or not filecmp.cmp(mo, fresh, shallow=False):
                        problems.append(f"{mo.relative_to(snapshot)} is not compiled from its .po")
            finally:
                shutil.rmtree(locale_dir)
                shutil.copytree(snapshot, locale_dir)
        if problems:
            raise CommandError(
                "; ".join(problems) + " — run `haven catalogue update` and translate new strings."
            )
        self.stdout.write("catalogues are up to date")
