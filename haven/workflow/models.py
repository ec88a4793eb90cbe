"""The timeline every workflow keeps: one row per step, written by ``Workflow.fire`` only."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from haven.core.models import TimeStamped
from haven.people.models import ChildDataQuerySet


class TimelineStep(TimeStamped):
    """One entry of a case's timeline: a transition, who made it, for which organisation, and the
    deadline it met or missed. Each workflow's subject model adds its ``case`` foreign key."""

    child_prefix = "case__child__"

    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    # The deadline of the obligation this step met, so the timeline can say how late it was.
    due_at = models.DateTimeField(null=True, blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at}"

    @property
    def late_by(self) -> dt.timedelta | None:
        if self.due_at is None or self.at <= self.due_at:
            return None
        return self.at - self.due_at
