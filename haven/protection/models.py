"""A child-protection case under Decree 56/2017 art. 25–32 (vietnam-process.md §1.3 and §9b)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedJSONField, EncryptedTextField
from haven.core.models import TimeStamped
from haven.people.models import ChildDataQuerySet
from haven.workflow.models import TimelineStep


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    WITH_COMMUNE = "with_commune", _("With the commune: verifying")
    EMERGENCY = "emergency", _("Emergency measures")
    ASSESSING = "assessing", _("Specific assessment")
    PLAN_DRAFTED = "plan_drafted", _("Plan drafted, awaiting approval")
    IN_INTERVENTION = "in_intervention", _("Plan approved: intervention")
    REVIEW = "review", _("Reviewed")
    CLOSED = "closed", _("Closed")
    UNFOUNDED = "unfounded", _("Closed: unfounded")


CLOSED_STATES = {State.CLOSED, State.UNFOUNDED}


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline 111")
    POLICE = "police", _("Police")
    HOSPITAL = "hospital", _("Hospital or health station")
    SCHOOL = "school", _("School")
    COMMUNE = "commune", _("Commune")
    FACILITY = "facility", _("Social protection facility (incident inside)")
    PUBLIC = "public", _("A member of the public")


class ProtectionCase(TimeStamped):
    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="protection_cases")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    # Form 01: T0, the channel and the place of the incident.
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiving_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident_commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune of the incident")
    )
    incident_place = models.CharField(_("place of the incident"), max_length=300)
    # What happened to the child and who the family are: encrypted at rest, so that a copied database
    # or backup does not tell a child's abuse (core/fields.py).
    condition = EncryptedTextField(_("the child's current condition"))
    likely_harm = EncryptedTextField(_("likely harm without help"))
    parents = EncryptedTextField(_("parents (names, ages, occupations)"), blank=True)
    caregiver = EncryptedTextField(_("current caregiver"), max_length=300, blank=True)
    actions_taken = EncryptedTextField(_("actions already taken"), blank=True)
    # Decree 56, Form 01: the informant is recorded only with their consent, encrypted, and shown only
    # to the roles that handle the report (never to the family, never to a referral's receiver).
    informant_consent = models.BooleanField(_("the informant agrees to be recorded"), default=False)
    informant_encrypted = models.TextField(blank=True, editable=False)
    # The commune People's Committee of the incident place leads the case (Decree 56 art. 26(2)).
    responsible = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case worker"),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reopened_by",
        verbose_name=_("earlier case of this child"),
    )
    # Encrypted too: a flag may say that the girl is pregnant and under 16.
    flags = EncryptedJSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("child-protection case")
        indexes = [models.Index(fields=["state", "incident_commune"]), models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.child} ({self.get_state_display()})"


class Step(TimelineStep):
    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class Assessment(TimeStamped):
    """One filled form (02, 03, 04 plan, 06), with the version of the form it was recorded on."""

    child_prefix = "case__child__"

    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="assessments")
    form = models.CharField(max_length=4)
    form_version = models.PositiveSmallIntegerField()
    # The form's answers describe the harm and the family: encrypted like the case's own narrative.
    data = EncryptedJSONField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "form"])]

    def __str__(self) -> str:
        return f"Form {self.form} v{self.form_version}"


class Approval(TimeStamped):
    """The chairman's decision approving the plan (Form 05), after the meeting of Law on Children
    art. 52 (responsible people, a residential-area representative, the parents or caregiver)."""

    child_prefix = "case__child__"

    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="approvals")
    plan = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField(_("decision number"), max_length=50)
    approved_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    participants = models.TextField(_("meeting participants"))

    objects = ChildDataQuerySet.as_manager()

    def __str__(self) -> str:
        return self.decision_number


class Separation(TimeStamped):
    """Temporary separation from parents or caregivers (Decree 56 art. 32): at most 15 days unless a
    competent authority extends it by a decision."""

    child_prefix = "case__child__"

    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="separations")
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shelter = models.CharField(_("safe shelter and alternative care"), max_length=300)
    ends_at = models.DateTimeField(_("ends"))
    extension_decision = models.CharField(_("extension decision"), max_length=100, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ChildDataQuerySet.as_manager()

    def __str__(self) -> str:
        return f"separation until {self.ends_at:%Y-%m-%d}"


class Service(models.TextChoices):
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    SHELTER = "shelter", _("Safe shelter")
    LEGAL = "legal", _("Legal aid")
    EDUCATION = "education", _("School support")
    POLICE = "police", _("Police investigation")


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")
    # The asking commune no longer needs the service (or nobody answered): the case may then close.
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Referral(TimeStamped):
    """A service asked of another organisation. The receiver sees the referral (the child's name, age,
    sex and what is asked), not the case: referral.child is reached only through this row."""

    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="referrals")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    service = models.CharField(_("service"), max_length=15, choices=Service.choices)
    note = models.TextField(_("what is asked"))
    consent = models.BooleanField(_("the child and parent or caregiver consent to sharing this"))
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.REQUESTED)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)

    def __str__(self) -> str:
        return f"{self.get_service_display()} → {self.to_organisation}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Transfer(TimeStamped):
    """Handing the lead of a case to another commune (the child moved): responsibility changes only
    when the receiving commune accepts. The sender may withdraw it while it waits for the answer."""

    child_prefix = "case__child__"

    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="transfers")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving commune"),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_transfer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation} ({self.status})"


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("To be checked")
    CONFIRMED = "confirmed", _("Same child")
    REJECTED = "rejected", _("Different children")


class KnownChildMatch(TimeStamped):
    """A report that may be about a child Haven already knows (same name, sex and age in the commune
    of the incident): offered to a person, never linked or duplicated silently."""

    child_prefix = "case__child__"

    case = models.ForeignKey(ProtectionCase, on_delete=models.PROTECT, related_name="known_child_matches")
    candidate = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "candidate"], name="known_child_match_once")]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.candidate_id}"
