"""Sponsorship and transparent resources (Notice 432-TB/VPTW §3, §4.3): the community models as
programme types whose rules are data, sponsors, safeguarded sponsorships, a double-entry ledger of
the resources they bring, and the public, append-only Merkle log of what is published
(docs/decisions/0023-sponsorship-and-public-ledger.md).

Three rules shape the tables:

- a sponsor chooses a programme or a commune, never a child; a coordinator matches;
- balances are computed from postings, never stored;
- a published line is never changed: the database refuses an update or a delete of the log
  (triggers in migration 0002), and a correction is a new line.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.people.models import ChildDataQuerySet
from haven.workflow.models import TimelineStep

# --- The community models -------------------------------------------------------------------------


class SponsorKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation or business")
    WOMEN_UNION = "women_union", _("Women's Union chapter")
    YOUTH_UNION = "youth_union", _("Youth Union or Pioneer council")
    POLICE_UNIT = "police_unit", _("Police unit")
    BORDER_GUARD_UNIT = "border_guard_unit", _("Border-guard station")


class Form(models.TextChoices):
    """What a sponsorship gives (next-capabilities §3.1)."""

    CASH_MONTHLY = "cash_monthly", _("Money every month")
    IN_KIND = "in_kind", _("Goods (rice, school supplies, a bicycle)")
    TUITION = "tuition", _("School fees and study costs")
    INSURANCE = "insurance", _("Health insurance card")
    SAVINGS = "savings", _("Savings book")
    MENTORING = "mentoring", _("Mentoring and visits")
    SHELTER = "shelter", _("Shelter and counselling")
    RESIDENCE = "residence", _("Living in the sponsor's home or post")


class ProgrammeType(models.Model):
    """One community model with its rules as data (seeded by migration 0003 from the sources in
    next-capabilities §3.1; ``verified`` false where only the press describes the rule)."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    sponsor_kinds = models.JSONField(_("who may sponsor"), default=list)
    forms = models.JSONField(_("what is given"), default=list)
    min_months = models.PositiveSmallIntegerField(_("at least (months)"), null=True, blank=True)
    max_months = models.PositiveSmallIntegerField(_("at most (months)"), null=True, blank=True)
    until_age = models.PositiveSmallIntegerField(_("until the child's age"), null=True, blank=True)
    typical_monthly = models.PositiveIntegerField(_("typical amount a month (VND)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    verified = models.BooleanField(_("checked against an official text"), default=False)

    class Meta:
        verbose_name = _("programme type")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name if (get_language() or "vi").startswith("vi") else self.name_en

    def allows(self, kind: str) -> bool:
        return kind in self.sponsor_kinds


class Programme(TimeStamped):
    """A programme run by an organisation (a Women's Union chapter, a commune police, a border
    station) in an area; its coordinator matches children."""

    type = models.ForeignKey(ProgrammeType, on_delete=models.PROTECT, verbose_name=_("model"))
    name = models.CharField(_("name"), max_length=200)
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    is_active = models.BooleanField(_("accepting sponsors"), default=True)

    class Meta:
        verbose_name = _("programme")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sponsor(TimeStamped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=SponsorKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # A unit that is itself in Haven (the commune police), and the account a sponsor reads with.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    # The 2025 Fatherland Front lesson: named in public only if the sponsor asks to be.
    publish_identity = models.BooleanField(_("name me on the public ledger"), default=False)
    registry_id = models.CharField(_("registry identifier"), max_length=60, blank=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered in")
    )

    class Meta:
        verbose_name = _("sponsor")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Vetting(TimeStamped):
    """What direct contact with a child needs (next-capabilities §3.4, §3.6(5)): a judicial record
    certificate (Phiếu lý lịch tư pháp), a referee, the safeguarding briefing acknowledged, and a
    coordinator's approval."""

    sponsor = models.OneToOneField(Sponsor, on_delete=models.CASCADE, related_name="vetting")
    judicial_record_number = models.CharField(_("judicial record certificate number"), max_length=40)
    judicial_record_date = models.DateField(_("issued on"))
    referee = EncryptedTextField(_("referee (name and how to reach them)"), max_length=300)
    briefing_acknowledged_on = models.DateField(_("safeguarding briefing acknowledged on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vetting")

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class SponsorshipState(models.TextChoices):
    OFFERED = "offered", _("Offered, waiting for a match")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    DECLINED = "declined", _("Declined")


class SponsorshipEndReason(models.TextChoices):
    COMPLETED = "completed", _("Completed as planned")
    ADULT = "adult", _("The child turned 18")
    SPONSOR_WITHDREW = "sponsor_withdrew", _("The sponsor withdrew")
    CHILD_MOVED = "child_moved", _("The child left the locality")
    SAFEGUARDING = "safeguarding", _("Ended for the child's safety")


class Sponsorship(TimeStamped):
    """A sponsor's offer to a programme or a commune, and once a coordinator has matched a child,
    the sponsorship itself. ``child`` is empty until the match: a sponsor never picks a child."""

    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="sponsorships")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sponsorships")
    commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    form = models.CharField(_("what is given"), max_length=20, choices=Form.choices)
    monthly_amount = models.PositiveIntegerField(_("amount a month (VND)"), default=0)
    months = models.PositiveSmallIntegerField(_("for (months)"), null=True, blank=True)
    until_adult = models.BooleanField(_("until the child turns 18"), default=False)
    direct_contact = models.BooleanField(_("asks for direct contact"), default=False)
    child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="sponsorships"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=SponsorshipState.choices, default=SponsorshipState.OFFERED
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=SponsorshipEndReason.choices, blank=True
    )
    contact_approved_at = models.DateTimeField(null=True, blank=True)
    exit_plan = models.TextField(_("exit plan"), blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsorship")
        indexes = [models.Index(fields=["commune", "state"]), models.Index(fields=["programme", "state"])]

    def __str__(self) -> str:
        return f"{self.sponsor} — {self.programme}"

    @property
    def responsible(self):
        return self.programme.organiser


class SponsorshipStep(TimelineStep):
    case = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="steps")


class Purpose(models.TextChoices):
    """What a child (from 7) and the representative agree the sponsor may see, each on its own
    (PDP Law 91/2025 art. 24)."""

    PHOTO = "photo", _("A photo of the child")
    SCHOOL = "school", _("The child's school")
    LETTERS = "letters", _("Letters from the child")


class Consent(TimeStamped):
    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    child_agreed = models.BooleanField(_("the child agrees"))
    representative_agreed = models.BooleanField(_("the representative agrees"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")


class VisitState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    DONE = "done", _("Took place")


class Visit(TimeStamped):
    """A supervised visit: requested by the sponsor, approved by the coordinator with the place and
    supervisor, never at the child's home or school unless the coordinator records why."""

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="visits")
    planned_at = models.DateTimeField(_("planned for"))
    place = models.CharField(_("place"), max_length=200)
    at_home_or_school = models.BooleanField(_("at the child's home or school"), default=False)
    reason_for_place = models.CharField(_("why there"), max_length=300, blank=True)
    supervisor = models.CharField(_("supervised by"), max_length=120, blank=True)
    state = models.CharField(max_length=10, choices=VisitState.choices, default=VisitState.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("visit")
        ordering = ["planned_at"]


class Message(TimeStamped):
    """A message between sponsor and child, through Haven only; stored only once it passed the
    screening (no phone number, e-mail, link or social handle)."""

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="messages")
    from_sponsor = models.BooleanField(default=True)
    text = EncryptedTextField(_("message"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("message")
        ordering = ["created_at"]


# --- The resource ledger --------------------------------------------------------------------------


class Campaign(TimeStamped):
    """A mobilisation with its own bank account and its committed period (Decree 93/2021/NĐ-CP: a
    separate account per campaign; receipts stop after the committed period)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    bank_account = models.CharField(_("receiving account"), max_length=60)
    receives_from = models.DateField(_("receives from"))
    receives_until = models.DateField(_("receives until"))
    # The publication key of this campaign's pseudonyms: never published, so feeds of two campaigns
    # cannot be joined on a child (next-capabilities §3.6(2)).
    pseudonym_key = models.BinaryField(max_length=32, editable=False)

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-receives_from"]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    """The entries of the resource ledger, with their IATI transaction type."""

    RECEIPT = "receipt", _("Money received")
    IN_KIND_RECEIPT = "in_kind_receipt", _("Goods received")
    COMMITMENT = "commitment", _("Commitment")
    DISBURSEMENT = "disbursement", _("Disbursement")
    EXPENDITURE = "expenditure", _("Expenditure")
    GOODS_ISSUE = "goods_issue", _("Goods handed out")
    CORRECTION = "correction", _("Correction")


IATI = {
    EntryKind.RECEIPT: "1",
    EntryKind.IN_KIND_RECEIPT: "1",
    EntryKind.COMMITMENT: "2",
    EntryKind.DISBURSEMENT: "3",
    EntryKind.EXPENDITURE: "4",
    EntryKind.GOODS_ISSUE: "3",
}


class Account(models.TextChoices):
    CASH = "cash", _("Money held")
    GOODS = "goods", _("Goods held")
    CONTRIBUTIONS = "contributions", _("Contributions")
    COMMITTED = "committed", _("Committed")
    COMMITMENTS = "commitments", _("Commitments owed")
    DISBURSED = "disbursed", _("Disbursed")
    SPENT = "spent", _("Spent")
    GOODS_ISSUED = "goods_issued", _("Goods handed out")


class PayerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class Recipient(models.TextChoices):
    CARER = "carer", _("The child's carer")
    FACILITY = "facility", _("A facility")
    SUPPLIER = "supplier", _("A supplier")


class PurposeCode(models.TextChoices):
    """Titles of published lines come from this list, never free text (360Giving guidance)."""

    LIVING = "living", _("Living costs")
    STUDY = "study", _("Study costs")
    HEALTH = "health", _("Health costs")
    FOOD = "food", _("Food")
    SHELTER = "shelter", _("Shelter")
    GENERAL = "general", _("General support")


class EntryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(line__isnull=False)


class Entry(models.Model):
    """One transaction of the resource ledger; its postings always sum to zero."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    document = models.CharField(_("document"), max_length=80)
    occurred_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (VND)"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=PurposeCode.choices)
    bank_reference = models.CharField(_("bank reference"), max_length=40, blank=True, db_index=True)
    # The payer: named in public only if they opted in; the memo is kept, never published (2024).
    payer_kind = models.CharField(max_length=12, choices=PayerKind.choices, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_publish = models.BooleanField(_("payer named in public"), default=False)
    memo = models.CharField(_("bank memo"), max_length=300, blank=True)
    recipient = models.CharField(max_length=10, choices=Recipient.choices, blank=True)
    child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    carer_phone = EncryptedTextField(_("carer's phone"), max_length=20, blank=True)
    confirmation_hash = models.CharField(max_length=64, blank=True)
    # The carer types the reference and the code on the public page (services/confirmation.py): the
    # reference finds the entry without naming it; the code is single-use, lasts a while, and locks
    # after a few wrong tries.
    confirmation_reference = models.CharField(max_length=8, blank=True)
    confirmation_expires_at = models.DateTimeField(null=True, blank=True)
    confirmation_attempts = models.PositiveSmallIntegerField(default=0)
    confirmation_locked_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=10, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    line = models.OneToOneField(
        "LedgerLine", on_delete=models.PROTECT, null=True, blank=True, related_name="source"
    )
    # The confirmation is published as a line of its own: the disbursement's line never changes.
    confirmation_line = models.OneToOneField(
        "LedgerLine", on_delete=models.PROTECT, null=True, blank=True, related_name="confirms"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        ordering = ["occurred_on", "recorded_at"]
        indexes = [models.Index(fields=["campaign", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.UniqueConstraint(
                fields=["confirmation_reference"],
                condition=~Q(confirmation_reference=""),
                name="entry_confirmation_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} VND ({self.occurred_on})"


class Posting(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="postings")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    account = models.CharField(max_length=14, choices=Account.choices)
    # Debit positive, credit negative: the postings of an entry sum to zero.
    amount = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "account"])]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+,}"


class StatementImport(TimeStamped):
    """A bank statement imported into a campaign (each row became a receipt)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


# --- The public log -------------------------------------------------------------------------------


class LedgerLine(models.Model):
    """A published line: the leaf ``index`` of the public Merkle log. ``entry`` is the canonical
    bytes (UTF-8 JSON, keys sorted, no spaces); the database refuses to change or delete it."""

    index = models.BigIntegerField(primary_key=True)
    entry = models.TextField()
    published_at = models.DateTimeField()
    # Copied out of the entry for the donor's lookup and the public page's sums; the entry's bytes are
    # what the log proves, and these columns are read from them.
    bank_reference = models.CharField(max_length=40, blank=True)
    amount = models.BigIntegerField()
    campaign = models.CharField(max_length=40, db_index=True)
    kind = models.CharField(max_length=20, blank=True)
    programme = models.CharField(max_length=40, blank=True)
    location = models.CharField(max_length=5, blank=True)
    facility = models.CharField(max_length=200, blank=True)
    recipient = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [models.Index(fields=["bank_reference", "amount"])]

    def __str__(self) -> str:
        return f"#{self.index}"


class LedgerNode(models.Model):
    """A complete, aligned subtree of the log: ``id`` packs (level, position); level 0 is a leaf's
    hash. Written once when an append completes it, never changed."""

    id = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    SHIFT = 48

    def __str__(self) -> str:
        return f"node {self.id >> self.SHIFT}/{self.id & ((1 << self.SHIFT) - 1)}"

    @classmethod
    def key(cls, level: int, position: int) -> int:
        return (level << cls.SHIFT) | position


class Checkpoint(models.Model):
    """A signed tree head: ``note`` is the canonical JSON of tree size, root and time, signed with
    the ledger key of ``key_version`` (Ed25519)."""

    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    timestamp = models.DateTimeField()
    note = models.TextField()
    signature = models.CharField(max_length=100)
    key_version = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-timestamp"]
        get_latest_by = "timestamp"

    def __str__(self) -> str:
        return f"{self.tree_size} @ {self.timestamp:%Y-%m-%d %H:%M}"


class Witness(TimeStamped):
    """An independent body that countersigns checkpoints (the provincial Fatherland Front, a
    newspaper): a split view would need it to sign two different trees."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    public_key = models.CharField(_("public key (base64)"), max_length=60)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="+")
    signature = models.CharField(max_length=100)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="cosignature_once_per_witness")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint}"
