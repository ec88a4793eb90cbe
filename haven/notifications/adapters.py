"""Delivery adapters for the outbox. An adapter sends one message or raises; it never swallows."""

from __future__ import annotations

import logging

from django.core.mail import send_mail

log = logging.getLogger("haven.sms")


def email(message) -> None:
    send_mail(message.subject, message.body, None, [message.to], fail_silently=False)


def sms_log(message) -> None:
    """Stands in for an SMS gateway until one is contracted. The log says that a message was held, not
    to whom or what (logs carry no personal data); the outbox keeps both."""
    log.info(
        "SMS %s of %d characters not sent: no gateway (HAVEN_SMS_ADAPTER)", message.pk, len(message.body)
    )
