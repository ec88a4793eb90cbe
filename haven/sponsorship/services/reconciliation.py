"""Reconciliation: received, committed, disbursed, spent and held per campaign and per facility, and
what does not reconcile, as a list to act on (Notice 432-TB/VPTW §3: transparent mobilisation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.sponsorship import merkle
from haven.sponsorship.models import Campaign, Entry, EntryKind, LedgerLine, LedgerNode, Recipient
from haven.sponsorship.services import publication
from haven.sponsorship.services.ledger import CONFIRM_RULE, Figures, figures


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    link: str = ""


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    figures: Figures


@dataclass(frozen=True)
class FacilityRow:
    name: str
    disbursed: int
    spent: int


def by_campaign(campaigns) -> list[CampaignRow]:
    return [CampaignRow(c, figures(campaign=c)) for c in campaigns]


def by_facility(campaigns) -> list[FacilityRow]:
    rows = (
        Entry.objects.filter(
            campaign__in=campaigns, organisation__isnull=False, kind__in=publication.OUTGOING
        )
        .values("organisation__name", "kind")
        .annotate(total=Sum("amount"))
    )
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["organisation__name"], {})[row["kind"]] = row["total"]
    return [
        FacilityRow(
            name,
            totals.get(EntryKind.DISBURSEMENT, 0) + totals.get(EntryKind.GOODS_ISSUE, 0),
            totals.get(EntryKind.EXPENDITURE, 0),
        )
        for name, totals in sorted(found.items())
    ]


def issues(campaigns, *, on: dt.date | None = None) -> list[Issue]:
    """What does not reconcile: money held after a campaign's period, disbursements the carer has not
    confirmed past their deadline, entries due for publication and not published, commitments of
    ended sponsorships not paid, and a published line whose bytes no longer match its leaf."""
    on = on or clock.today()
    found: list[Issue] = []
    for campaign in campaigns:
        held = figures(campaign=campaign)
        if campaign.receives_until < on and held.cash > 0:
            found.append(
                Issue(
                    "held_after_period",
                    _(
                        "%(campaign)s: %(amount)s đồng still held after the campaign's period ended "
                        "on %(end)s."
                    )
                    % {
                        "campaign": campaign.name,
                        "amount": _vnd(held.cash),
                        "end": campaign.receives_until.strftime("%d/%m/%Y"),
                    },
                    f"/sponsorship/campaigns/{campaign.pk}/",
                )
            )
        if held.committed > held.disbursed and campaign.receives_until < on:
            found.append(
                Issue(
                    "committed_not_paid",
                    _("%(campaign)s: %(amount)s đồng committed and not disbursed.")
                    % {"campaign": campaign.name, "amount": _vnd(held.committed - held.disbursed)},
                    f"/sponsorship/campaigns/{campaign.pk}/",
                )
            )
    late = Obligation.objects.filter(
        rule=CONFIRM_RULE,
        status=Status.OPEN,
        due_at__lt=clock.now(),
        subject_id__in=Entry.objects.filter(campaign__in=campaigns).values("pk"),
    ).values_list("subject_id", flat=True)
    for entry in Entry.objects.filter(pk__in=list(late)).select_related("campaign"):
        found.append(
            Issue(
                "unconfirmed",
                _(
                    "%(campaign)s: a disbursement of %(amount)s đồng on %(date)s is not confirmed by "
                    "the carer."
                )
                % {
                    "campaign": entry.campaign.name,
                    "amount": _vnd(entry.amount),
                    "date": entry.occurred_on.strftime("%d/%m/%Y"),
                },
                f"/sponsorship/entries/{entry.pk}/",
            )
        )
    waiting, _confirmations = publication.due(on=on)
    waiting = [e for e in waiting if e.campaign in set(campaigns)]
    if waiting:
        found.append(
            Issue(
                "not_published",
                _("%(n)s entries are due for publication and not published yet.") % {"n": len(waiting)},
            )
        )
    for line in tampered(LedgerLine.objects.filter(campaign__in=[c.code for c in campaigns])):
        found.append(
            Issue(
                "line_changed",
                _("Public line %(index)s no longer matches the log: it was changed outside Haven.")
                % {"index": line},
            )
        )
    return found


def tampered(lines, batch: int = 2000) -> list[int]:
    """The indexes of published lines whose bytes no longer hash to their stored leaf."""
    changed: list[int] = []
    rows = list(lines.order_by("index").values_list("index", "entry"))
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        leaves = dict(
            LedgerNode.objects.filter(id__in=[LedgerNode.key(0, i) for i, _e in chunk]).values_list(
                "id", "hash"
            )
        )
        for index, entry in chunk:
            if bytes(leaves.get(LedgerNode.key(0, index), b"")) != merkle.leaf_hash(entry.encode()):
                changed.append(index)
    return changed


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def unconfirmed_count(campaigns) -> int:
    return (
        Entry.objects.filter(
            campaign__in=campaigns,
            kind=EntryKind.DISBURSEMENT,
            recipient=Recipient.CARER,
            confirmed_at__isnull=True,
        )
        .exclude(corrections__isnull=False)
        .count()
    )
