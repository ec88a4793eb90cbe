"""`haven sweep`: one idempotent pass (cron or a systemd timer every minute), or --loop for the demo."""

import time

from django.core.management.base import BaseCommand

from haven.deadlines.jobs import JOBS
from haven.deadlines.sweep import sweep
from haven.notifications.services import outbox_deliver


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
            # The apps' own periodic work (the population register's waiting requests: "PINs received").
            done = {label: job() for label, job in JOBS.items()}
            sent, failed = outbox_deliver()
            if options["verbosity"] > 0 and (
                result.escalated or result.fired or any(done.values()) or sent or failed or not loop
            ):
                jobs = "".join(f"{label} {n}, " for label, n in done.items())
                self.stdout.write(
                    f"escalated {result.escalated}, timers fired {result.fired}, {jobs}"
                    f"messages sent {sent}, failed {failed}"
                )
            if not loop:
                return
            time.sleep(loop)
