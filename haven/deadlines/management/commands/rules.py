"""`haven rules`: the one table of every clock the apps register, or --write it into docs/rules.md."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from haven.deadlines.docs import BEGIN, END, rule_table

DOC = Path(settings.BASE_DIR) / "docs" / "rules.md"


class Command(BaseCommand):
    help = "Print every deadline rule the apps register (one table), or --write it into docs/rules.md."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write: bool, **options) -> None:
        table = rule_table()
        if not write:
            self.stdout.write(table)
            return
        text = DOC.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        DOC.write_text(pattern.sub(lambda _: table, text), encoding="utf-8")
        self.stdout.write(f"updated {DOC}")
