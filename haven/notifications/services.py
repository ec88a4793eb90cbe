"""Notifications: the inbox of each organisation, and the outbox drained by e-mail/SMS adapters."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from haven.accounts.models import Membership, Role
from haven.core import clock
from haven.notifications.models import Channel, Delivery, Notification, OutboxMessage

log = logging.getLogger(__name__)

# The "head" who hears first of an overdue step in each kind of organisation (level 1).
HEAD_ROLES = {Role.COMMUNE_CHAIRMAN, Role.FACILITY_DIRECTOR, Role.PROVINCIAL_OFFICER, Role.MINISTRY_OFFICER}
MAX_ATTEMPTS = 8


def escalation_notices(escalations, *, now: dt.datetime) -> None:
    """An inbox entry per escalation for the organisation it reached, and an outbox message for each
    of that organisation's heads who has an e-mail address or a phone."""
    if not escalations:
        return
    from haven.deadlines.models import Obligation

    obligations = {
        o.pk: o
        for o in Obligation.objects.filter(pk__in=[e.obligation_id for e in escalations]).select_related(
            "child"
        )
    }
    org_ids = {e.to_organisation_id for e in escalations if e.to_organisation_id}
    heads: dict[int, list] = {}
    for m in Membership.objects.active().filter(organisation_id__in=org_ids).select_related("user"):
        if m.role in HEAD_ROLES:
            heads.setdefault(m.organisation_id, []).append(m.user)
    notices, outbox = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for e in escalations:
            if e.to_organisation_id is None:
                continue
            ob = obligations[e.obligation_id]
            title = _("Overdue (level %(level)s): %(step)s") % {"level": e.level, "step": ob.title}
            link = f"/children/{ob.child_id}/"
            notices.append(
                Notification(
                    organisation_id=e.to_organisation_id,
                    kind="escalation",
                    title=title,
                    child_id=ob.child_id,
                    link=link,
                    created_at=now,
                )
            )
            body = _("%(step)s was due on %(due)s. Open Haven: %(link)s") % {
                "step": ob.title,
                "due": ob.due_at.astimezone(clock.now().tzinfo).strftime("%d/%m/%Y %H:%M"),
                "link": link,
            }
            for user in heads.get(e.to_organisation_id, []):
                if user.email:
                    outbox.append(
                        OutboxMessage(
                            channel=Channel.EMAIL,
                            to=user.email,
                            subject=title,
                            body=body,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
                if user.phone:
                    outbox.append(
                        OutboxMessage(
                            channel=Channel.SMS,
                            to=user.phone,
                            subject=title,
                            body=body,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
    Notification.objects.bulk_create(notices, batch_size=1000)
    OutboxMessage.objects.bulk_create(outbox, batch_size=1000)


def outbox_deliver(*, limit: int = 200) -> tuple[int, int]:
    """Send what is due; a failure is kept and retried later with a growing delay. Returns
    (sent, failed attempts)."""
    sent = failed = 0
    now = clock.now()
    due = OutboxMessage.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now).order_by("pk")[
        :limit
    ]
    for message in due:
        adapter = import_string(settings.HAVEN_OUTBOX_ADAPTERS[message.channel])
        try:
            adapter(message)
        except Exception as error:  # any adapter failure: keep the message, try again later
            failed += 1
            with transaction.atomic():
                message.attempts += 1
                message.last_error = str(error)[:2000]
                message.next_attempt_at = now + dt.timedelta(minutes=2**message.attempts)
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = Delivery.FAILED
                message.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
            log.warning("outbox message %s not delivered: %s", message.pk, error)
            continue
        message.status, message.sent_at = Delivery.SENT, now
        message.attempts += 1
        message.save(update_fields=["status", "sent_at", "attempts"])
        sent += 1
    return sent, failed
