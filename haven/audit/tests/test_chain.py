"""The audit trail is append-only and hash-chained; `haven audit verify` names the first broken link."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from haven.audit.models import AuditEvent
from haven.audit.services import record, verify

pytestmark = pytest.mark.django_db


def events(n: int, actor=None) -> list[AuditEvent]:
    return [
        record(actor=actor, action="test.event", data={"i": i, "name": "Nguyễn Văn Ân"}) for i in range(n)
    ]


def test_each_event_links_to_the_previous_one():
    first, second, third = events(3)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert verify().ok and verify().checked == 3


def test_the_database_refuses_to_update_an_audit_event():
    event = events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")


def test_the_database_refuses_to_delete_an_audit_event():
    event = events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def _without_triggers(sql: str, params: list) -> None:
    """What an attacker with database access would do: drop the guard, then edit a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_no_update ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        cursor.execute(sql, params)


def test_verify_catches_a_row_altered_through_raw_sql():
    evs = events(5)
    _without_triggers("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", ["covered up", evs[2].seq])
    result = verify()
    assert not result.ok
    assert result.broken_at == evs[2].seq
    assert "altered" in result.problem


def test_verify_catches_a_deleted_row():
    evs = events(5)
    _without_triggers("DELETE FROM audit_auditevent WHERE seq = %s", [evs[1].seq])
    result = verify()
    assert result.broken_at == evs[1].seq
    assert "missing" in result.problem


def test_verify_catches_the_last_rows_removed():
    evs = events(4)
    _without_triggers("DELETE FROM audit_auditevent WHERE seq = %s", [evs[-1].seq])
    assert not verify().ok


def test_the_command_fails_and_names_the_broken_link():
    evs = events(3)
    call_command("audit", "verify")  # intact: no error
    _without_triggers("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["x", evs[0].seq])
    with pytest.raises(CommandError, match=f"#{evs[0].seq}"):
        call_command("audit", "verify")


def test_an_event_written_in_a_transaction_that_fails_is_not_kept():
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="test.event")
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert verify().ok
