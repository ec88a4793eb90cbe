"""A heartbeat per background process, so that /readyz and the metrics see a worker or a sweep that
has stopped (a process that is gone writes nothing, so the age of its last beat is what is read)."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    # "sweep", or "worker:<host>:<worker id>": one row per process that beats.
    name = models.CharField(max_length=200, primary_key=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
