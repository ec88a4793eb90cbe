"""Notifications: the inbox of each organisation, and the outbox drained by e-mail/SMS adapters."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from haven.accounts.models import Membership, Role
from haven.core import bulk, calendar, clock
from haven.notifications.models import Channel, Delivery, Notification, OutboxMessage

if TYPE_CHECKING:
    from haven.deadlines.sweep import Escalated

log = logging.getLogger(__name__)

# The "head" who hears first of an overdue step in each kind of organisation (level 1).
HEAD_ROLES = {Role.COMMUNE_CHAIRMAN, Role.FACILITY_DIRECTOR, Role.PROVINCIAL_OFFICER, Role.MINISTRY_OFFICER}
MAX_ATTEMPTS = 8


def notify(
    *,
    organisation,
    kind: str,
    title: str,
    child=None,
    link: str = "",
    user=None,
    body: str = "",
    at: dt.datetime | None = None,
) -> Notification:
    """The one way to tell an organisation (or one of its people) something: an inbox entry. It is
    written in the caller's transaction, so a message is never sent for a step that was rolled back
    and never lost for one that was taken; e-mail and SMS leave through the outbox after commit."""
    return Notification.objects.create(
        organisation=organisation,
        user=user,
        kind=kind,
        title=title[:300],
        body=body,
        child=child,
        link=link,
        created_at=at or clock.now(),
    )


def escalation_notices(escalations: Iterable[Escalated], *, now: dt.datetime) -> None:
    """An inbox entry per escalation for the organisation it reached, and an outbox message for each
    of that organisation's heads who has an e-mail address or a phone."""
    from haven.deadlines.rules import RULES

    escalations = list(escalations)
    if not escalations:
        return
    org_ids = {e.to_organisation_id for e in escalations if e.to_organisation_id}
    heads: dict[int, list] = {}
    members: dict[int, list] = {}
    for m in Membership.objects.active().filter(organisation_id__in=org_ids).select_related("user"):
        (heads if m.role in HEAD_ROLES else members).setdefault(m.organisation_id, []).append(m.user)
    contacts: dict[int, list[tuple[str, str]]] = {}
    for org_id in org_ids:
        # The head hears first; where Haven knows no head (a hospital, the police), every member does.
        for user in heads.get(org_id) or members.get(org_id, []):
            addresses = [(Channel.EMAIL, user.email), (Channel.SMS, user.phone)]
            contacts.setdefault(org_id, []).extend((c, to) for c, to in addresses if to)
    notices, outbox = [], []
    titles: dict[tuple[int, str], tuple[str, str]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        body_text = _("%(step)s was due on %(due)s. Open Haven: %(link)s")
        for e in escalations:
            if e.to_organisation_id is None:
                continue
            # The sweep sends thousands at once: each title is translated once.
            if (e.level, e.rule) not in titles:
                step = str(RULES[e.rule].title)
                title = _("Overdue (level %(level)s): %(step)s") % {"level": e.level, "step": step}
                titles[(e.level, e.rule)] = (title, step)
            title, step = titles[(e.level, e.rule)]
            link = e.link or f"/children/{e.child_id}/"
            notices.append(
                {
                    "organisation_id": e.to_organisation_id,
                    "kind": "escalation",
                    "title": title,
                    "child_id": e.child_id,
                    "link": link,
                    "created_at": now,
                }
            )
            body = body_text % {
                "step": step,
                "due": calendar.as_shown(e.due_at).strftime("%d/%m/%Y %H:%M"),
                "link": link,
            }
            outbox.extend(
                {
                    "channel": channel,
                    "to": to,
                    "subject": title,
                    "body": body,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for channel, to in contacts.get(e.to_organisation_id, [])
            )
    bulk.insert(Notification, notices)
    bulk.insert(OutboxMessage, outbox)


def outbox_deliver(*, limit: int = 200) -> tuple[int, int]:
    """Send what is due; a failure is kept and retried later with a growing delay. Returns
    (sent, failed attempts)."""
    sent = failed = 0
    now = clock.now()
    due = OutboxMessage.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now).order_by("pk")[
        :limit
    ]
    for message in list(due):
        # Claim the message before sending (compare-and-swap on its attempts) and set the next try
        # now: a second deliverer running at the same time skips it, and a crash mid-send retries it.
        message.attempts += 1
        message.next_attempt_at = now + dt.timedelta(minutes=2**message.attempts)
        claimed = OutboxMessage.objects.filter(
            pk=message.pk, status=Delivery.PENDING, attempts=message.attempts - 1
        ).update(attempts=message.attempts, next_attempt_at=message.next_attempt_at)
        if not claimed:
            continue
        adapter = import_string(settings.HAVEN_OUTBOX_ADAPTERS[message.channel])
        try:
            adapter(message)
        except Exception as error:  # any adapter failure: keep the message, try again later
            failed += 1
            message.last_error = str(error)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Delivery.FAILED
            message.save(update_fields=["last_error", "status"])
            log.warning("outbox message %s not delivered: %s", message.pk, error)
            continue
        message.status, message.sent_at = Delivery.SENT, now
        message.save(update_fields=["status", "sent_at"])
        sent += 1
    return sent, failed
