"""`haven db_worker`: django-tasks-db's worker, with a heartbeat that /readyz and the metrics read.

It takes the place of django_tasks_db's command of the same name because haven.ops comes before
django_tasks_db in INSTALLED_APPS (Django runs the first app's command, as staticfiles does with
runserver); every option is the original's."""

from __future__ import annotations

import socket

from django_tasks_db.management.commands.db_worker import Command as TasksWorker

from haven.ops.heartbeats import WORKER, beat_in_background


class Command(TasksWorker):
    help = "Run the task worker (django-tasks-db), beating a heartbeat every 15 seconds."

    def handle(self, *args, **options) -> None:
        name = f"{WORKER}{socket.gethostname()}:{options['worker_id']}"[:200]
        beat_in_background(name)
        super().handle(*args, **options)
