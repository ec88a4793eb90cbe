"""`haven sweep`: one idempotent pass (cron or a systemd timer every minute), or --loop for the demo."""

import time

from django.core.management.base import BaseCommand

from haven.deadlines.sweep import sweep
from haven.notifications.services import outbox_deliver
from haven.population.services import requests_process


class Command(BaseCommand):
    help = "Escalate overdue obligations, fire due timers, retry the register and deliver the outbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="run a pass every SECONDS until stopped (make demo uses 30)",
        )

    def handle(self, *args, loop: int, **options) -> None:
        while True:
            result = sweep()
            pins = requests_process()
            sent, failed = outbox_deliver()
            if options["verbosity"] > 0 and (
                result.escalated or result.fired or pins or sent or failed or not loop
            ):
                self.stdout.write(
                    f"escalated {result.escalated}, timers fired {result.fired}, PINs received {pins}, "
                    f"messages sent {sent}, failed {failed}"
                )
            if not loop:
                return
            time.sleep(loop)
