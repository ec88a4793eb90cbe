"""The outbox drained by the e-mail/SMS adapters: a failure never loses a message, it is retried later
with a growing delay; a message is sent once."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.notifications.models import Channel, Delivery, OutboxMessage
from haven.notifications.services import MAX_ATTEMPTS, outbox_deliver

delivered: list[str] = []


def gateway_down(message) -> None:
    raise ConnectionError("SMTP 421: service not available")


def gateway_up(message) -> None:
    delivered.append(message.to)


def second_deliverer(message) -> None:
    # Another `haven sweep` draining the outbox while this message is being sent.
    assert outbox_deliver() == (0, 0)
    gateway_up(message)


def use(settings, adapter: str) -> None:
    path = f"{__name__}.{adapter}"
    settings.HAVEN_OUTBOX_ADAPTERS = {"email": path, "sms": path}


@pytest.fixture
def message(db, frozen) -> OutboxMessage:
    delivered.clear()
    return OutboxMessage.objects.create(
        channel=Channel.SMS,
        to="0912000111",
        subject="Quá hạn (cấp 1): Nhận hoặc từ chối bàn giao",
        body="Quá hạn lúc 21:00 ngày 02/03/2026.",
        next_attempt_at=frozen.at,
        created_at=frozen.at,
    )


def test_a_failed_delivery_keeps_the_message_and_retries_it_later(settings, frozen, message):
    use(settings, "gateway_down")
    assert outbox_deliver() == (0, 1)
    message.refresh_from_db()
    assert message.status == Delivery.PENDING and message.attempts == 1
    assert message.next_attempt_at == frozen.at + dt.timedelta(minutes=2)
    assert "SMTP 421" in message.last_error
    assert outbox_deliver() == (0, 0)  # not before its time

    use(settings, "gateway_up")
    frozen.advance(minutes=2)
    assert outbox_deliver() == (1, 0)
    message.refresh_from_db()
    assert message.status == Delivery.SENT and message.sent_at == frozen.at and message.attempts == 2
    assert delivered == ["0912000111"]
    assert outbox_deliver() == (0, 0)


def test_each_failure_doubles_the_delay_until_haven_gives_up(settings, frozen, message):
    use(settings, "gateway_down")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        frozen.at = message.next_attempt_at
        assert outbox_deliver() == (0, 1)
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.next_attempt_at == frozen.at + dt.timedelta(minutes=2**attempt)
    assert message.status == Delivery.FAILED
    frozen.advance(days=1)
    assert outbox_deliver() == (0, 0)


def test_a_message_is_sent_once_when_two_deliverers_run_at_once(settings, message):
    use(settings, "second_deliverer")
    assert outbox_deliver() == (1, 0)
    assert delivered == ["0912000111"]


def test_an_escalation_waits_in_the_outbox_until_delivered(settings, world, step, frozen):
    from haven.deadlines.sweep import sweep

    world.chairman_a.email = "chutich@phuong-a.hanoi.gov.vn"
    world.chairman_a.save(update_fields=["email"])
    delivered.clear()
    late = step("foundling.handover_answer")
    frozen.at = late.due_at
    sweep()
    waiting = OutboxMessage.objects.get()
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == (Delivery.PENDING, 0, late.due_at)

    use(settings, "gateway_up")
    assert outbox_deliver() == (1, 0)
    assert delivered == ["chutich@phuong-a.hanoi.gov.vn"]
