"""bulk.insert stores what bulk_create would: the defaults of the columns left out, JSON as JSON."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from haven.core import bulk
from haven.deadlines.models import Obligation, Status
from haven.population.models import RegisterRequest, RequestStatus


def test_left_out_columns_take_their_defaults_and_a_callable_default_is_called_per_row(world):
    child = world.child()
    now = timezone.now()
    bulk.insert(
        RegisterRequest,
        (
            {
                "child_id": child.pk,
                "idempotency_key": f"khai-sinh-{i}",
                "payload": {"họ_tên": "Nguyễn Văn An", "lần": i},
                "next_attempt_at": now,
                "created_at": now,
            }
            for i in range(3)
        ),
    )
    rows = list(RegisterRequest.objects.order_by("idempotency_key"))
    assert len({r.pk for r in rows}) == 3
    assert [r.payload for r in rows] == [{"họ_tên": "Nguyễn Văn An", "lần": i} for i in range(3)]
    assert {(r.status, r.attempts, r.last_error, r.on_answer, r.answered_at) for r in rows} == {
        (RequestStatus.WAITING, 0, "", "", None)
    }


def test_timestamps_are_set_as_on_save(world):
    before = timezone.now()
    child = world.child()
    bulk.insert(
        Obligation,
        [
            {
                "rule": "foundling.care_plan",
                "child_id": child.pk,
                "subject_type": "people.child",
                "subject_id": uuid.uuid4(),
                "responsible_id": world.orgs["committee_a"].pk,
                "opened_at": before,
                "due_at": before + dt.timedelta(days=7),
            }
        ],
    )
    stored = Obligation.objects.get(child=child)
    assert stored.status == Status.OPEN and stored.escalation_level == 0 and stored.next_escalation_at is None
    assert stored.created_at >= before and stored.updated_at >= before
