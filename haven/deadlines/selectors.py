"""Everyone's task list, read from stored obligations (never rebuilt in memory)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from haven.access.scoping import memberships
from haven.accounts.models import User
from haven.core import calendar, clock
from haven.deadlines.models import Obligation, Status

RECEIVER_RULES = ("foundling.handover_answer",)


@dataclass
class Tasks:
    overdue: list[Obligation]
    today: list[Obligation]
    week: list[Obligation]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.week)


def tasks_for(*, user: User, limit: int = 50) -> Tasks:
    """Open obligations of the user's organisations: overdue (oldest first), due today, due in the
    next 7 days. The obligations of a child the user can no longer see are not listed."""
    now = clock.now()
    local = now.astimezone(calendar.VIETNAM)
    end_of_today = dt.datetime.combine(
        local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=calendar.VIETNAM
    )
    organisations = {m.organisation_id for m in memberships(user)}
    base = (
        Obligation.objects.visible_to(user)
        .filter(status=Status.OPEN, responsible_id__in=organisations, due_at__lt=now + dt.timedelta(days=7))
        .select_related("child", "responsible")
        .order_by("due_at")
    )
    rows = list(base[: 3 * limit])
    return Tasks(
        overdue=[o for o in rows if o.due_at < now][:limit],
        today=[o for o in rows if now <= o.due_at < end_of_today][:limit],
        week=[o for o in rows if o.due_at >= end_of_today][:limit],
    )
