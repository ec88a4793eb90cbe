"""Sponsorship's figures for the indicator registry (reports/registry.py; Notice 432-TB/VPTW §3, §4.3):
children sponsored by programme, sponsorships ended early, disbursements the carer confirmed, and the
money received, by commune (a province is the sum of its communes)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.reports.compute import Fact, Window, count
from haven.reports.registry import Breakdown, Dimension, Indicator, Unit, register
from haven.sponsorship.models import (
    Entry,
    EntryKind,
    ProgrammeType,
    Recipient,
    Sponsorship,
    SponsorshipEndReason,
    SponsorshipState,
)

NOTICE = _("Notice 432-TB/VPTW, parts 3 and 4.3: transparent mobilisation of resources outside the budget")
EARLY = Q(
    end_reason__in=[
        SponsorshipEndReason.SPONSOR_WITHDREW,
        SponsorshipEndReason.CHILD_MOVED,
        SponsorshipEndReason.SAFEGUARDING,
    ]
)


def sponsored(window: Window):
    on = window.on
    rows = Sponsorship.objects.filter(
        child__isnull=False, child__merged_into__isnull=True, starts_on__lte=on
    ).filter(Q(state=SponsorshipState.ACTIVE) | Q(ended_on__gt=on))
    return count(
        rows,
        area="commune",
        window=window,
        dimensions=(Dimension.SEX, Dimension.AGE, Dimension.CATEGORY),
        category=F("programme__type_id"),
        distinct="child",
    )


def ended_early(window: Window):
    rows = Sponsorship.objects.filter(
        state=SponsorshipState.ENDED, ended_on__gte=window.period.start, ended_on__lte=window.on
    )
    return count(rows, area="commune", window=window, numerator=EARLY)


def confirmed(window: Window):
    rows = Entry.objects.filter(
        kind=EntryKind.DISBURSEMENT,
        recipient=Recipient.CARER,
        occurred_on__gte=window.period.start,
        occurred_on__lte=window.on,
        corrections__isnull=True,
    )
    return count(rows, area="commune", window=window, child=None, numerator=Q(confirmed_at__isnull=False))


def received(window: Window):
    """Money and goods received (đồng, net of corrections), by the commune the entry names."""
    rows = (
        Entry.objects.filter(
            kind__in=(EntryKind.RECEIPT, EntryKind.IN_KIND_RECEIPT),
            occurred_on__gte=window.period.start,
            occurred_on__lte=window.on,
            corrections__isnull=True,
        )
        .values("commune")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        yield Fact(row["commune"], "", "", row["total"])


def _programmes() -> dict[str, str]:
    return {t.code: str(t) for t in ProgrammeType.objects.all()}


INDICATORS = (
    Indicator(
        code="HV.SPONSOR.CHILDREN",
        name=_("Children sponsored"),
        numerator=_("Children with an active sponsorship on the last day of the period, by programme"),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=NOTICE,
        valid_from=dt.date(2025, 11, 26),
        compute=sponsored,
        disaggregations=(Dimension.SEX, Dimension.AGE, Dimension.CATEGORY),
        breakdown=Breakdown(pgettext_lazy("sponsorship", "Programme"), _programmes, partition=False),
        stock=True,
        order=70,
    ),
    Indicator(
        code="HV.SPONSOR.EARLY",
        name=_("Sponsorships ended early"),
        numerator=_(
            "Sponsorships that ended during the period because the sponsor withdrew, the child moved "
            "or for the child's safety"
        ),
        denominator=_("Sponsorships that ended during the period"),
        unit=Unit.PERCENT,
        legal_basis=NOTICE,
        valid_from=dt.date(2025, 11, 26),
        compute=ended_early,
        order=71,
    ),
    Indicator(
        code="HV.SPONSOR.CONFIRMED",
        name=_("Disbursements confirmed by the carer"),
        numerator=_(
            "Disbursements to a child's carer during the period that the carer or the payment "
            "provider confirmed"
        ),
        denominator=_("Disbursements to a child's carer during the period"),
        unit=Unit.PERCENT,
        legal_basis=NOTICE,
        valid_from=dt.date(2025, 11, 26),
        compute=confirmed,
        subject=None,
        order=72,
    ),
    Indicator(
        code="HV.SPONSOR.RECEIVED",
        name=_("Resources received for sponsorship (đồng)"),
        numerator=_("Money and goods (at their value) received during the period, net of corrections"),
        denominator=None,
        unit=Unit.COUNT,
        legal_basis=_("Decree 93/2021/NĐ-CP; Notice 432-TB/VPTW, part 3"),
        valid_from=dt.date(2025, 11, 26),
        compute=received,
        subject=None,
        order=73,
    ),
)


def register_all() -> None:
    register("sponsorship", INDICATORS)
