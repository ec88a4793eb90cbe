"""Complaints and feedback about a child's entitlements and the officers who deliver them (Notice
432-TB/VPTW §4.2: children fully enjoy the welfare policies; the grievance step of the delivery chain).

Two tracks, because the law has two:

- a **complaint** (khiếu nại, Law on Complaints 02/2011/QH13): a named person asks the authority to
  review its decision or act. It is accepted (thụ lý) or refused in writing, settled by the commune
  chairman, and may be taken to the province (a second-time complaint) — each step on a legal clock;
- a **feedback or petition** (phản ánh, kiến nghị, Law on Citizen Reception 42/2013/QH13 art. 2): what
  someone tells the authority without the formalities of a complaint — always so when it is anonymous,
  since a complaint must carry its author's name (Law on Complaints art. 8). It is handled and
  answered on a recommended clock, and has no second level.

The complainant's name and telephone and what they say are encrypted at rest; the person a complaint
is about never sees it (selectors.py).
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
from haven.workflow.models import TimelineStep


class Category(models.Model):
    """What a complaint is about, as data (seeded by a migration; a row is retired, never deleted)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    # The conduct of an officer: the complaint may name the officer it is about.
    names_officer = models.BooleanField(_("may name the officer it is about"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Track(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (Law on Complaints 2011)")
    FEEDBACK = "feedback", _("Feedback or petition")


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the commune's reception desk")
    POST = "post", _("By post")
    PHONE = "phone", _("By telephone")
    ONLINE = "online", _("Online form")
    SYSTEM = "system", _("From another system, through the API")


class State(models.TextChoices):
    RECEIVED = "received", _("Received: acceptance to decide")
    ACCEPTED = "accepted", _("Accepted: being settled (first time)")
    NOT_ACCEPTED = "not_accepted", _("Not accepted, with written reasons")
    SETTLED = "settled", _("Settled: first-time decision")
    APPEALED = "appealed", _("Second-time complaint lodged with the province")
    APPEAL_ACCEPTED = "appeal_accepted", _("Accepted by the province: being settled (second time)")
    SETTLED_SECOND = "settled_second", _("Settled: second-time decision")
    CLOSED = "closed", _("Closed: the first-time decision took effect")
    WITHDRAWN = "withdrawn", _("Withdrawn by the complainant")
    FEEDBACK_RECEIVED = "feedback_received", _("Feedback received: to handle")
    ANSWERED = "answered", _("Feedback handled and answered")


OPEN_STATES = (
    State.RECEIVED,
    State.ACCEPTED,
    State.SETTLED,
    State.APPEALED,
    State.APPEAL_ACCEPTED,
    State.FEEDBACK_RECEIVED,
)
# The states in which the province, not the commune, holds the complaint.
SECOND_LEVEL = (State.APPEALED, State.APPEAL_ACCEPTED, State.SETTLED_SECOND)


class Outcome(models.TextChoices):
    """What a settlement decides (Law on Complaints 2011 art. 31, 40: the complaint is right, partly
    right or wrong)."""

    UPHELD = "upheld", _("The complaint is right")
    PARTLY = "partly", _("The complaint is partly right")
    REJECTED = "rejected", _("The complaint is wrong")


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user, verb=None):
        from haven.complaints.selectors import complaint_filter

        q = complaint_filter(user)
        return self.none() if q is None else self.filter(q)


class Complaint(TimeStamped):
    """One complaint or feedback, handled by the commune where it was lodged (the commune whose
    decision or officer it is about) and, on a second-time complaint, by its province."""

    child_prefix = "about_child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    track = models.CharField(_("kind"), max_length=10, choices=Track.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    channel = models.CharField(_("received"), max_length=10, choices=Channel.choices)
    commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    # The body that answers for the first time (the commune's People's Committee, or the body standing
    # in for it), and for a second-time complaint the province's.
    responsible = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    appeal_responsible = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second time handled by"),
    )
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who complains. Blank name and telephone: anonymous, so feedback (a complaint needs a name).
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name = EncryptedTextField(_("complainant's name"), blank=True)
    complainant_phone = EncryptedTextField(_("complainant's telephone"), blank=True)
    complainant_address = EncryptedTextField(_("complainant's address"), blank=True)
    content = EncryptedTextField(_("what the complaint says"))
    # What it is about: an allowance application, a payment, a child, an officer.
    about_child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        "entitlements.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        "entitlements.PaymentLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer it is about"),
    )
    # A remote area with difficult travel has longer time limits (Law on Complaints art. 28, 37).
    remote_area = models.BooleanField(_("remote area with difficult travel"), default=False)
    complicated = models.BooleanField(_("complicated case"), default=False)
    appeal_complicated = models.BooleanField(_("complicated case (second time)"), default=False)
    # The person who submitted it says a child is being harmed: the officer opens a protection case.
    reveals_harm = models.BooleanField(_("says that a child is being harmed"), default=False)
    protection_case = models.ForeignKey(
        "protection.ProtectionCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("child-protection case"),
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    not_accepted_reasons = models.TextField(_("why it was not accepted"), blank=True)
    extension_reason = models.TextField(_("why the case is complicated"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    decision_reasons = EncryptedTextField(_("what the decision says"), blank=True)
    appealed_on = models.DateField(_("second-time complaint lodged on"), null=True, blank=True)
    appeal_grounds = models.CharField(_("why a second time"), max_length=20, blank=True)
    appeal_accepted_on = models.DateField(_("accepted by the province on"), null=True, blank=True)
    appeal_decision_number = models.CharField(_("second-time decision number"), max_length=60, blank=True)
    appeal_decided_on = models.DateField(_("second-time decision date"), null=True, blank=True)
    appeal_outcome = models.CharField(
        _("second-time outcome"), max_length=10, choices=Outcome.choices, blank=True
    )
    appeal_decision_reasons = EncryptedTextField(_("what the second-time decision says"), blank=True)
    answer = EncryptedTextField(_("the answer given"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        ordering = ["-received_on", "-created_at"]
        indexes = [
            models.Index(fields=["commune", "state"]),
            models.Index(fields=["responsible", "state"]),
        ]
        constraints = [
            # A complaint carries its author's name (Law on Complaints 2011 art. 8); anonymous is feedback.
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(track="feedback"), name="anonymous_is_feedback"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.category}"

    @property
    def reference(self) -> str:
        """A short number to say on the telephone and print on a receipt."""
        return f"KN-{str(self.id)[:8].upper()}"

    @property
    def second_level(self) -> bool:
        return self.state in SECOND_LEVEL


class Step(TimelineStep):
    child_prefix = ""
    case = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass
