"""`haven sweep`: one idempotent pass (cron or a systemd timer every minute), or --loop SECONDS as a
process of its own (the systemd unit in docs/runbooks/, and `make demo`)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from haven.deadlines.jobs import JOBS
from haven.deadlines.sweep import sweep
from haven.notifications.services import outbox_deliver
from haven.ops.heartbeats import SWEEP, beat

log = logging.getLogger("haven.deadlines.sweep")


class Command(BaseCommand):
    help = "Escalate overdue obligations, fire due timers, retry the register and deliver the outbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="run a pass every SECONDS until stopped (make demo uses 30, the systemd unit 60)",
        )

    def handle(self, *args, loop: int, **options) -> None:
        while True:
            if not loop:
                self._pass(options["verbosity"], loop)
                return
            # A pass that fails (the database restarting) is logged and the next one tried: the
            # process stays up, and opens a new connection for the next pass.
            close_old_connections()
            try:
                self._pass(options["verbosity"], loop)
            except Exception:
                log.exception("sweep pass failed; the next one runs in %s s", loop)
                connection.close()
            time.sleep(loop)

    def _pass(self, verbosity: int, loop: int) -> None:
        result = sweep()
        # The apps' own periodic work (the population register's waiting requests: "PINs received").
        done = {label: job() for label, job in JOBS.items()}
        sent, failed = outbox_deliver()
        # After the whole pass: /readyz reads the age of this beat as the sweep's (docs/runbooks/sweep.md).
        beat(SWEEP)
        if verbosity > 0 and (
            result.escalated or result.fired or any(done.values()) or sent or failed or not loop
        ):
            jobs = "".join(f"{label} {n}, " for label, n in done.items())
            self.stdout.write(
                f"escalated {result.escalated}, timers fired {result.fired}, {jobs}"
                f"messages sent {sent}, failed {failed}"
            )
