"""From the resource ledger to the public log: which entries are published, when, and what a line says.

A line carries what a donor, a journalist and a commune need to follow the money, and nothing that
identifies a child (next-capabilities §3.3, §3.6):

- both sides, at the same level of detail: receipts, commitments, disbursements, expenditures, goods;
- a child is "Individual Recipient" with a pseudonym made with the campaign's own key (the feeds of two
  campaigns cannot be joined on a child); the place is the commune, or only the province when fewer
  than the disclosure threshold of children received in that commune that month;
- a payer is named only if they opted in; otherwise "anonymous individual" or "anonymous organisation";
  the bank memo is never published (2024: memos were used to impersonate);
- titles and purposes come from a code list, never free text;
- a confirmation by the carer, and a correction, are new lines naming the line they concern.

Receipts and commitments are published the day after they are recorded; money and goods given out
after their month has ended (so that the commune's count of children is final before it decides the
place). A coordinator may publish sooner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.db import transaction
from django.db.models import Count, Q

from haven.audit.services import record
from haven.core import clock
from haven.reports.disclosure import threshold
from haven.sponsorship import log
from haven.sponsorship.models import IATI, Entry, EntryKind, PayerKind, Recipient

INDIVIDUAL_RECIPIENT = "Individual Recipient"
ANONYMOUS = {PayerKind.INDIVIDUAL: "Cá nhân ẩn danh", PayerKind.ORGANISATION: "Tổ chức ẩn danh"}
OUTGOING = (EntryKind.DISBURSEMENT, EntryKind.EXPENDITURE, EntryKind.GOODS_ISSUE)
PUBLISHER = "haven"


def pseudonym(entry: Entry) -> str:
    digest = hmac.new(bytes(entry.campaign.pseudonym_key), str(entry.child_id).encode(), hashlib.sha256)
    return f"360G-{PUBLISHER}-{entry.campaign.code}-IND-{digest.hexdigest()[:12]}"


def _children_in_commune_month(entry: Entry) -> int:
    month = entry.occurred_on.replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return (
        Entry.objects.filter(
            campaign=entry.campaign,
            kind=EntryKind.DISBURSEMENT,
            recipient=Recipient.CARER,
            commune=entry.commune,
            occurred_on__gte=month,
            occurred_on__lt=following,
        )
        .exclude(corrections__isnull=False)
        .aggregate(n=Count("child", distinct=True))["n"]
    )


def _programme(entry: Entry) -> str:
    """The programme of the campaign, or of the sponsorship a line of a general campaign serves."""
    if entry.campaign.programme_id:
        return entry.campaign.programme.type_id
    return entry.sponsorship.programme.type_id if entry.sponsorship_id else ""


def public_line(entry: Entry) -> dict:
    """The published form of ``entry``: codes and amounts, never a name the payer did not allow, a
    memo, a child's identity or a village."""
    kind = entry.kind
    source = entry.corrects if kind == EntryKind.CORRECTION else entry
    commune, province = entry.commune, entry.commune.parent
    line = {
        "v": 1,
        "type": kind,
        "iati_transaction_type": IATI.get(source.kind, ""),
        "date": entry.occurred_on.isoformat(),
        "amount": -entry.amount if kind == EntryKind.CORRECTION else entry.amount,
        "currency": "VND",
        "campaign": entry.campaign.code,
        "programme": _programme(entry),
        "purpose": entry.purpose,
        "province": province.code,
        "location": commune.code,
        "location_level": "commune",
    }
    if source.kind in (EntryKind.RECEIPT, EntryKind.IN_KIND_RECEIPT):
        line["payer_type"] = source.payer_kind
        line["payer"] = source.payer_name if source.payer_publish else ANONYMOUS.get(source.payer_kind, "")
        line["bank_reference"] = source.bank_reference if kind != EntryKind.CORRECTION else ""
    if source.kind == EntryKind.COMMITMENT and source.sponsorship_id:
        sponsor = source.sponsorship.sponsor
        line["funder_type"] = sponsor.kind
        line["funder"] = sponsor.name if sponsor.publish_identity else ""
    if source.kind in OUTGOING:
        if source.recipient == Recipient.CARER and source.child_id:
            line["recipient"] = INDIVIDUAL_RECIPIENT
            line["recipient_id"] = pseudonym(source)
            if _children_in_commune_month(source) < threshold():
                line["location"], line["location_level"] = province.code, "province"
        elif source.organisation_id:
            line["recipient"] = source.organisation.name
            line["facility"] = source.organisation.name
        else:
            line["recipient"] = source.get_recipient_display() if source.recipient else ""
    if kind == EntryKind.CORRECTION:
        line["corrects"] = entry.corrects.line.index if entry.corrects.line_id is not None else None
        line["corrects_type"] = source.kind
    return line


def confirmation_line(entry: Entry) -> dict:
    return {
        "v": 1,
        "type": "confirmation",
        "confirms": entry.line.index,
        # The day in Vietnam: a carer who confirms before 7 in the morning confirms "today", not on the
        # day before (the UTC date), which would put the confirmation before the money.
        "date": clock.localdate(entry.confirmed_at).isoformat(),
        "via": entry.confirmed_via,
        "amount": 0,
        "currency": "VND",
        "campaign": entry.campaign.code,
    }


def due(*, on: dt.date | None = None, campaign=None) -> tuple[list[Entry], list[Entry]]:
    """Entries waiting for publication on ``on`` (today), and confirmations waiting for theirs."""
    on = on or clock.today()
    month = on.replace(day=1)
    ready = Q(
        kind__in=(EntryKind.RECEIPT, EntryKind.IN_KIND_RECEIPT, EntryKind.COMMITMENT), occurred_on__lt=on
    ) | Q(kind__in=OUTGOING, occurred_on__lt=month)
    # A correction waits until what it corrects is published, then follows at once.
    ready |= Q(kind=EntryKind.CORRECTION, corrects__line__isnull=False)
    waiting = Entry.objects.filter(line__isnull=True)
    if campaign is not None:
        waiting = waiting.filter(campaign=campaign)
    entries = list(
        waiting.filter(ready)
        .select_related(
            "campaign__programme", "commune__parent", "organisation", "sponsorship__sponsor", "corrects"
        )
        .order_by("occurred_on", "recorded_at")
    )
    confirmations = Entry.objects.filter(
        confirmed_at__isnull=False, line__isnull=False, confirmation_line__isnull=True
    )
    if campaign is not None:
        confirmations = confirmations.filter(campaign=campaign)
    return entries, list(confirmations.select_related("campaign", "line"))


@transaction.atomic
def publish(*, actor=None, campaign=None, everything: bool = False) -> int:
    """Append what is due (``everything``: all recorded so far, a coordinator's "publish now") to the
    public log, and sign a checkpoint. Returns how many lines were published."""
    if everything:
        entries = list(
            Entry.objects.filter(line__isnull=True, **({"campaign": campaign} if campaign else {}))
            .exclude(kind=EntryKind.CORRECTION, corrects__line__isnull=True)
            .select_related("campaign__programme", "commune__parent", "organisation", "sponsorship__sponsor")
            .order_by("occurred_on", "recorded_at")
        )
        _, confirmations = due(campaign=campaign)
    else:
        entries, confirmations = due(campaign=campaign)
    if not entries and not confirmations:
        return 0
    lines = log.append([public_line(e) for e in entries])
    for entry, line in zip(entries, lines, strict=True):
        Entry.objects.filter(pk=entry.pk).update(line=line)
    # Confirmations of what was published just now follow in the same publication.
    confirmations += [
        e
        for e in Entry.objects.filter(
            pk__in=[e.pk for e in entries], confirmed_at__isnull=False
        ).select_related("campaign", "line")
    ]
    made = log.append([confirmation_line(e) for e in confirmations]) if confirmations else []
    for entry, line in zip(confirmations, made, strict=True):
        Entry.objects.filter(pk=entry.pk).update(confirmation_line=line)
    log.checkpoint_publish()
    record(
        actor=actor,
        action="sponsorship.publish",
        data={"lines": len(lines) + len(made), "campaign": campaign.code if campaign else ""},
    )
    return len(lines) + len(made)


def publication_job() -> int:
    """Each `haven sweep` pass publishes what has become due."""
    return publish()
