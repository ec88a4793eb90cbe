"""/api/v1/tasks: the steps the token's user can take, as on the home page: overdue, due today, due
in the next 7 days, and later ones waiting for them alone."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Query, Router, Schema

from haven.audit.services import record
from haven.deadlines.selectors import Bucket, tasks_for

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: uuid.UUID
    rule: str
    title: str
    due_at: dt.datetime
    escalation_level: int
    child_id: uuid.UUID | None
    subject_type: str
    subject_id: uuid.UUID
    responsible: str


class BucketOut(Schema):
    total: int
    items: list[TaskOut]


class TasksOut(Schema):
    overdue: BucketOut
    today: BucketOut
    week: BucketOut
    later: BucketOut


def _bucket(bucket: Bucket) -> dict:
    return {
        "total": bucket.total,
        "items": [
            {
                "id": o.pk,
                "rule": o.rule,
                "title": o.title,
                "due_at": o.due_at,
                "escalation_level": o.escalation_level,
                "child_id": o.child_id,
                "subject_type": o.subject_type,
                "subject_id": o.subject_id,
                "responsible": o.responsible.name,
            }
            for o in bucket
        ],
    }


@router.get("", response=TasksOut)
def tasks(request, limit: int = Query(50, ge=1, le=200, description="at most this many of each group")):
    tasks = tasks_for(user=request.user, limit=limit)
    shown = sorted({str(o.child_id) for o in tasks.shown if o.child_id})
    if shown:
        record(actor=request.user, action="child.list", data={"shown": shown, "view": "tasks"})
    return {
        "overdue": _bucket(tasks.overdue),
        "today": _bucket(tasks.today),
        "week": _bucket(tasks.week),
        "later": _bucket(tasks.later),
    }
