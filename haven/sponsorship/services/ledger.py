"""The resource ledger, double-entry: every entry is two or more postings that sum to zero, and every
balance is a sum of postings, never a stored figure.

    money received        cash +       contributions −
    goods received        goods +      contributions −
    commitment            committed +  commitments −      (a promise: no money moves)
    disbursement          disbursed +  cash −
    expenditure           spent +      cash −
    goods handed out      goods_issued + goods −
    correction            the reverse of the entry it corrects

Decree 93/2021/NĐ-CP: a campaign receives only within its committed period (and on its own account);
money leaves only if the campaign holds it. A disbursement to a child's carer is confirmed by the
carer's one-time code (sent by SMS, never shown to the person who records it; services/confirmation.py)
or by the payment provider's return; one unconfirmed after 14 days escalates on the deadline engine.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Organisation, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems, Refused, invalid
from haven.deadlines.services import obligation_open, obligations_close
from haven.sponsorship.models import (
    Account,
    Campaign,
    Entry,
    EntryKind,
    PayerKind,
    Posting,
    PurposeCode,
    Recipient,
    Sponsorship,
    SponsorshipState,
)
from haven.sponsorship.services.confirmation import CONFIRM_RULE, code_issue

A = Account
LEGS: dict[str, tuple[str, str]] = {
    EntryKind.RECEIPT: (A.CASH, A.CONTRIBUTIONS),
    EntryKind.IN_KIND_RECEIPT: (A.GOODS, A.CONTRIBUTIONS),
    EntryKind.COMMITMENT: (A.COMMITTED, A.COMMITMENTS),
    EntryKind.DISBURSEMENT: (A.DISBURSED, A.CASH),
    EntryKind.EXPENDITURE: (A.SPENT, A.CASH),
    EntryKind.GOODS_ISSUE: (A.GOODS_ISSUED, A.GOODS),
}
# What an outgoing entry draws on: refused if the campaign does not hold it.
DRAWS = {EntryKind.DISBURSEMENT: A.CASH, EntryKind.EXPENDITURE: A.CASH, EntryKind.GOODS_ISSUE: A.GOODS}
INCOMING = (EntryKind.RECEIPT, EntryKind.IN_KIND_RECEIPT)
MAX_AMOUNT = 10**13  # ten thousand billion đồng: beyond any campaign


def campaign_reach(user: User) -> Q | None:
    """The campaigns a coordinator keeps: those their organisation runs, and those of their area."""
    clauses = Q()
    found = False
    for m in granting(user, Verb.SPONSORSHIP_COORDINATE):
        area = m.organisation.area
        found = True
        clauses |= Q(organiser_id=m.organisation_id) | Q(area_id=area.pk)
        if area.level == "province":
            clauses |= Q(area__parent_id=area.pk)
    return clauses if found else None


def keeping(actor: User, campaign: Campaign):
    for m in granting(actor, Verb.SPONSORSHIP_COORDINATE):
        area = m.organisation.area
        if (
            campaign.organiser_id == m.organisation_id
            or campaign.area_id == area.pk
            or (area.level == "province" and campaign.area.parent_id == area.pk)
        ):
            return m
    raise NotVisible


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    code: str,
    name: str,
    area: Area,
    bank_account: str,
    receives_from: dt.date,
    receives_until: dt.date,
    programme=None,
) -> Campaign:
    """Decree 93/2021/NĐ-CP: a separate receiving account for each campaign, and a committed period."""
    from haven.sponsorship.services.sponsorships import coordinating

    membership = coordinating(actor, area=area)
    problems = Problems()
    if not re.fullmatch(r"[a-z0-9-]{3,40}", code or ""):
        problems.add("code", _("A code of 3 to 40 lower-case letters, digits and hyphens."), "invalid")
    elif Campaign.objects.filter(code=code).exists():
        problems.add("code", _("Another campaign has this code."), "taken")
    if not name.strip():
        problems.add("name", _("Give the campaign a name."), "required")
    if not re.fullmatch(r"[0-9]{6,20}", bank_account or ""):
        problems.add("bank_account", _("The receiving account is 6 to 20 digits."), "invalid")
    elif Campaign.objects.filter(bank_account=bank_account).exists():
        problems.add(
            "bank_account",
            _("Each campaign has its own account (Decree 93/2021/NĐ-CP): this one is already used."),
            "shared_account",
        )
    if receives_until < receives_from:
        problems.add("receives_until", _("The period ends before it starts."), "order")
    problems.raise_any()
    campaign = Campaign.objects.create(
        code=code,
        name=name.strip(),
        area=area,
        programme=programme,
        organiser=membership.organisation,
        bank_account=bank_account,
        receives_from=receives_from,
        receives_until=receives_until,
        pseudonym_key=secrets.token_bytes(32),
    )
    record(
        actor=actor, action="sponsorship.campaign_create", obj=campaign, organisation=membership.organisation
    )
    return campaign


def balance(campaign: Campaign, account: str) -> int:
    """A sum of postings, never a stored figure."""
    return Posting.objects.filter(campaign=campaign, account=account).aggregate(s=Sum("amount"))["s"] or 0


@dataclass(frozen=True)
class Figures:
    received: int
    received_in_kind: int
    committed: int
    disbursed: int
    spent: int
    goods_issued: int
    cash: int
    goods: int

    @property
    def uncommitted(self) -> int:
        return self.cash - max(0, self.committed - self.disbursed)


def figures(campaigns=None, **filters) -> Figures:
    """Received, committed, disbursed, spent and held, from the entries and their postings (one
    grouped query each)."""
    entries = Entry.objects.filter(**filters)
    postings = Posting.objects.filter(**{f"entry__{k}": v for k, v in filters.items()})
    if campaigns is not None:
        entries, postings = entries.filter(campaign__in=campaigns), postings.filter(campaign__in=campaigns)
    by_account = dict(postings.values_list("account").annotate(s=Sum("amount")).values_list("account", "s"))
    signed = {k: by_account.get(k, 0) for k in A.values}
    return Figures(
        received=_incoming(entries, EntryKind.RECEIPT),
        received_in_kind=_incoming(entries, EntryKind.IN_KIND_RECEIPT),
        committed=signed[A.COMMITTED],
        disbursed=signed[A.DISBURSED],
        spent=signed[A.SPENT],
        goods_issued=signed[A.GOODS_ISSUED],
        cash=signed[A.CASH],
        goods=signed[A.GOODS],
    )


def _incoming(entries, kind: str) -> int:
    """Money or goods received, net of corrections."""
    plus = entries.filter(kind=kind).aggregate(s=Sum("amount"))["s"] or 0
    minus = (
        entries.filter(kind=EntryKind.CORRECTION, corrects__kind=kind).aggregate(s=Sum("amount"))["s"] or 0
    )
    return plus - minus


def _post(entry: Entry, debit: str, credit: str, amount: int) -> None:
    Posting.objects.bulk_create(
        [
            Posting(entry=entry, campaign=entry.campaign, account=debit, amount=amount),
            Posting(entry=entry, campaign=entry.campaign, account=credit, amount=-amount),
        ]
    )


def _check_common(
    problems: Problems, *, amount: int, occurred_on: dt.date, document: str, purpose: str
) -> None:
    if not isinstance(amount, int) or amount < 1 or amount > MAX_AMOUNT:
        problems.add("amount", _("The amount is a whole number of đồng, more than 0."), "invalid")
    if occurred_on > clock.today():
        problems.add("occurred_on", _("The date cannot be in the future."), "future")
    if not document.strip():
        problems.add("document", _("Name the document (receipt, transfer slip, invoice number)."), "required")
    if purpose not in PurposeCode.values:
        problems.add("purpose", _("Choose what it is for."), "invalid")


@transaction.atomic
def entry_record(
    *,
    actor: User,
    campaign: Campaign,
    kind: str,
    amount: int,
    occurred_on: dt.date,
    document: str,
    commune: Area | None = None,
    purpose: str = PurposeCode.GENERAL,
    sponsorship: Sponsorship | None = None,
    organisation: Organisation | None = None,
    bank_reference: str = "",
    payer_kind: str = "",
    payer_name: str = "",
    payer_publish: bool = False,
    memo: str = "",
    recipient: str = "",
    carer_phone: str = "",
) -> Entry:
    """Record one entry of the resource ledger, with its postings. Refused with the reason, nothing
    written: money received outside the campaign's period (Decree 93/2021/NĐ-CP), more paid out than
    the campaign holds, a disbursement to a carer without a phone for the confirmation code."""
    membership = keeping(actor, campaign)
    # One writer at a time per campaign: the balance read below is the one the entry draws on.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    problems = Problems()
    if kind not in LEGS:
        problems.add("kind", _("Choose the kind of entry."), "invalid")
        problems.raise_any()
    _check_common(problems, amount=amount, occurred_on=occurred_on, document=document, purpose=purpose)
    commune = commune or (sponsorship.commune if sponsorship else None)
    if commune is None or commune.level != "commune":
        problems.add("commune", _("Choose the commune."), "required")
    if kind in INCOMING and not (campaign.receives_from <= occurred_on <= campaign.receives_until):
        problems.add(
            "occurred_on",
            _(
                "The campaign received from %(start)s to %(end)s: after its committed period it stops "
                "receiving (Decree 93/2021/NĐ-CP)."
            )
            % {
                "start": campaign.receives_from.strftime("%d/%m/%Y"),
                "end": campaign.receives_until.strftime("%d/%m/%Y"),
            },
            "campaign_closed",
        )
    if kind == EntryKind.RECEIPT:
        if not bank_reference.strip():
            problems.add("bank_reference", _("Give the bank reference of the transfer."), "required")
        elif Entry.objects.filter(
            campaign=campaign, bank_reference=bank_reference.strip(), kind=kind
        ).exists():
            problems.add("bank_reference", _("This transfer is already in the ledger."), "duplicate")
    if kind in INCOMING and payer_kind not in PayerKind.values:
        problems.add("payer_kind", _("Say whether the payer is a person or an organisation."), "required")
    if sponsorship is not None:
        if sponsorship.programme_id != getattr(campaign.programme, "pk", sponsorship.programme_id):
            problems.add("sponsorship", _("This sponsorship belongs to another programme."), "programme")
        if kind in DRAWS and sponsorship.state != SponsorshipState.ACTIVE:
            problems.add("sponsorship", _("Only an active sponsorship is paid."), "not_active")
    if kind == EntryKind.DISBURSEMENT:
        if recipient not in Recipient.values:
            problems.add("recipient", _("Say who receives it."), "required")
        if recipient == Recipient.CARER:
            if sponsorship is None or sponsorship.child_id is None:
                problems.add("sponsorship", _("A disbursement to a carer names the sponsorship."), "required")
            if not re.fullmatch(r"\+?[0-9]{9,15}", carer_phone or ""):
                problems.add(
                    "carer_phone",
                    _("The carer's phone receives the confirmation code: 9 to 15 digits."),
                    "required",
                )
        if recipient == Recipient.FACILITY and organisation is None:
            problems.add("organisation", _("Name the facility."), "required")
    problems.raise_any()
    if kind in DRAWS:
        held = balance(campaign, DRAWS[kind])
        if amount > held:
            raise invalid(
                "amount",
                _("The campaign holds %(held)s đồng: it cannot give out %(amount)s.")
                % {"held": f"{held:,}".replace(",", "."), "amount": f"{amount:,}".replace(",", ".")},
                "over_balance",
            )
    now = clock.now()
    to_carer = kind == EntryKind.DISBURSEMENT and recipient == Recipient.CARER
    entry = Entry.objects.create(
        kind=kind,
        campaign=campaign,
        sponsorship=sponsorship,
        organisation=organisation,
        commune=commune,
        document=document.strip(),
        occurred_on=occurred_on,
        amount=amount,
        purpose=purpose,
        bank_reference=bank_reference.strip(),
        payer_kind=payer_kind,
        payer_name=payer_name.strip(),
        payer_publish=payer_publish,
        memo=memo.strip()[:300],
        recipient=recipient,
        child=sponsorship.child if sponsorship is not None and recipient == Recipient.CARER else None,
        carer_phone=carer_phone,
        recorded_by=actor,
        recorded_at=now,
    )
    _post(entry, *LEGS[kind], amount)
    record(
        actor=actor,
        action=f"sponsorship.{kind}",
        obj=entry,
        organisation=membership.organisation,
        child=entry.child,
        data={"campaign": campaign.code, "amount": amount},
    )
    if to_carer:
        obligation_open(
            rule_code=CONFIRM_RULE,
            subject=entry,
            child=entry.child,
            responsible=campaign.organiser,
            start=now,
        )
        code_issue(entry)
    return entry


@transaction.atomic
def correction_record(*, actor: User, entry: Entry, reason: str) -> Entry:
    """A correction reverses an entry: its postings negated, a new entry (and, once published, a new
    public line naming the one it corrects). Nothing recorded is changed."""
    membership = keeping(actor, entry.campaign)
    if entry.kind == EntryKind.CORRECTION:
        raise Refused(_("A correction is not corrected: record the right entry again."), code="correction")
    if entry.corrections.exists():
        raise Refused(_("This entry has been corrected already."), code="corrected")
    if not reason.strip():
        raise invalid("reason", _("Say what was wrong."), "required")
    if entry.kind in INCOMING:
        held = balance(entry.campaign, LEGS[entry.kind][0])
        if entry.amount > held:
            raise Refused(
                _(
                    "The campaign has already given out this money: record the correction of what it paid "
                    "first."
                ),
                code="over_balance",
            )
    correction = Entry.objects.create(
        kind=EntryKind.CORRECTION,
        campaign=entry.campaign,
        sponsorship=entry.sponsorship,
        organisation=entry.organisation,
        commune=entry.commune,
        document=reason.strip()[:80],
        occurred_on=clock.today(),
        amount=entry.amount,
        purpose=entry.purpose,
        corrects=entry,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    Posting.objects.bulk_create(
        [
            Posting(entry=correction, campaign=p.campaign, account=p.account, amount=-p.amount)
            for p in entry.postings.all()
        ]
    )
    if entry.confirmation_hash and entry.confirmed_at is None:
        from haven.deadlines.models import Status

        obligations_close(subject=entry, rules=[CONFIRM_RULE], actor=actor, status=Status.CANCELLED)
    record(
        actor=actor,
        action="sponsorship.correction",
        obj=correction,
        organisation=membership.organisation,
        reason=reason.strip(),
        data={"corrects": str(entry.pk)},
    )
    return correction
