"""`haven clock advance 8d` moves the demo/test clock ahead; `haven clock reset` puts it back.
Refused in production (HAVEN_TIME_TRAVEL is off there)."""

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError

from haven.core import clock

UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class Command(BaseCommand):
    help = "Move the demo clock (never in production)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["advance", "reset", "show"])
        parser.add_argument("amount", nargs="?", default="", help="e.g. 8d, 12h, 30m")

    def handle(self, *args, action: str, amount: str, **options) -> None:
        try:
            if action == "reset":
                clock.set_offset(dt.timedelta(0))
            elif action == "advance":
                match = re.fullmatch(r"(\d+)([dhm])", amount)
                if not match:
                    raise CommandError("amount like 8d, 12h or 30m")
                delta = dt.timedelta(**{UNITS[match[2]]: int(match[1])})
                clock.set_offset(clock.offset() + delta)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"clock: {clock.now():%Y-%m-%d %H:%M} (offset {clock.offset()})")
