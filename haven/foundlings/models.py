"""An abandoned child's case, from the minute of discovery to a stable placement
(Decree 123/2015 art. 14; Notice 432-TB/VPTW §2; vietnam-process.md §2 and §9a)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.people.models import ChildDataQuerySet
from haven.workflow.models import TimelineStep


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    HANDOVER_PENDING = "handover_pending", _("Temporary care decided, awaiting acceptance")
    TEMPORARY_CARE = "temporary_care", _("In temporary care")
    NOTICE_PERIOD = "notice_period", _("Public notice posted")
    CLAIMED = "claimed", _("Claimed by a parent or relative")
    NOTICE_EXPIRED = "notice_expired", _("Notice expired")
    BIRTH_REGISTERED = "birth_registered", _("Birth registered")
    BENEFITS_ENROLLED = "benefits_enrolled", _("Papers and benefits in place")
    CARE_PLANNING = "care_planning", _("Care planning")
    PLACED = "placed", _("Placed")
    REUNIFIED = "reunified", _("Returned to the family")
    DUPLICATE = "duplicate", _("Closed: a second report of the same child")


CLOSED_STATES = {State.REUNIFIED, State.DUPLICATE}


class Channel(models.TextChoices):
    HEALTH_FACILITY = "health_facility", _("Hospital or health station")
    COMMUNE_POLICE = "commune_police", _("Commune police")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    HOTLINE = "hotline", _("Hotline 111")
    PUBLIC = "public", _("A member of the public")


class TemporaryCare(models.TextChoices):
    FAMILY = "family", _("A registered alternative-care family")
    FACILITY = "facility", _("Emergency admission to a social protection facility")
    HOSPITAL_HOLD = "hospital_hold", _("Hospital hold (exception)")


class Placement(models.TextChoices):
    KIN = "kin", _("Kin care")
    FOSTER = "foster", _("Foster family")
    ADOPTION = "adoption", _("Adoption in progress")
    FACILITY_GROUP = "facility_group", _("Facility small group")


class FoundlingCase(TimeStamped):
    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.OneToOneField("people.Child", on_delete=models.PROTECT, related_name="foundling_case")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REPORTED)
    # T0: every clock of the pathway starts here.
    found_at = models.DateTimeField(_("time found"))
    found_commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune where found")
    )
    found_place = models.CharField(_("place found"), max_length=300)
    channel = models.CharField(_("reported by"), max_length=20, choices=Channel.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The organisation the report came from (a hospital, the police, a commune committee, the hotline):
    # it keeps following its report (haven/access/relations.py, "reported"). Null for the public.
    reporting_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporting organisation"),
    )
    # Who came forward, and how to reach them: a private person's identity, encrypted at rest.
    reporter_contact = EncryptedTextField(_("reporter's phone"), max_length=30, blank=True)
    finder_name = EncryptedTextField(_("finder's full name"), max_length=150, blank=True)
    finder_id_document = EncryptedTextField(_("finder's identity document"), max_length=50, blank=True)
    finder_address = EncryptedTextField(_("finder's residence"), max_length=300, blank=True)
    estimated_age_days = models.PositiveIntegerField(_("estimated age (days)"), null=True, blank=True)
    condition = models.TextField(_("physical and health condition"))
    belongings = models.TextField(_("belongings"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="foundlings/%Y/%m/", null=True, blank=True)
    # Decree 123/2015 art. 14 and Notice 432: one organisation answers for the child at every moment;
    # NOT NULL, so no case can exist without one. It changes only when a handover is accepted.
    responsible = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    temporary_care = models.CharField(
        _("temporary care"), max_length=20, choices=TemporaryCare.choices, blank=True
    )
    temporary_family = models.CharField(_("temporary family"), max_length=300, blank=True)
    medically_discharged_at = models.DateTimeField(_("medically discharged"), null=True, blank=True)
    notice_posted_at = models.DateTimeField(_("notice posted"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("notice ends"), null=True, blank=True)
    claimant = models.CharField(_("claimant"), max_length=300, blank=True)
    health_insurance_number = models.CharField(_("health-insurance card number"), max_length=20, blank=True)
    health_insurance_from = models.DateField(_("health insurance valid from"), null=True, blank=True)
    residence_registered_on = models.DateField(_("residence registered on"), null=True, blank=True)
    allowance_decision = models.CharField(_("allowance decision number"), max_length=50, blank=True)
    allowance_from = models.DateField(_("allowance from"), null=True, blank=True)
    allowance_monthly_vnd = models.PositiveIntegerField(_("monthly allowance (VND)"), null=True, blank=True)
    placement = models.CharField(_("placement"), max_length=20, choices=Placement.choices, blank=True)
    placement_detail = models.CharField(_("placed with"), max_length=300, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("found child's case")
        verbose_name_plural = _("found children's cases")
        indexes = [models.Index(fields=["state", "found_commune"]), models.Index(fields=["found_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_ends_at__isnull=True) | Q(notice_ends_at__gt=models.F("notice_posted_at")),
                name="notice_ends_after_posting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} ({self.get_state_display()})"

    def temporary_care_decision(self) -> Handover | None:
        """The commune's decision giving the child into temporary care that still stands (awaiting the
        receiver's answer, or accepted): the one printed (Decree 123/2015 art. 14(1))."""
        return (
            self.handovers.filter(status__in=(HandoverStatus.PENDING, HandoverStatus.ACCEPTED))
            .order_by("-requested_at", "-pk")
            .first()
        )


class Step(TimelineStep):
    case = models.ForeignKey(FoundlingCase, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class HealthScreening(TimeStamped):
    child_prefix = "case__child__"

    case = models.ForeignKey(FoundlingCase, on_delete=models.PROTECT, related_name="screenings")
    screened_at = models.DateTimeField(_("screened at"))
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    temperature_c = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    heart_rate = models.PositiveSmallIntegerField(_("heart rate (/min)"))
    respiratory_rate = models.PositiveSmallIntegerField(_("respiratory rate (/min)"))
    weight_grams = models.PositiveIntegerField(_("weight (g)"))
    estimated_age_days = models.PositiveIntegerField(_("estimated age (days)"))
    findings = models.TextField(_("screening results"))
    referrals = models.TextField(_("referrals"), blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature_c__gte=25) & Q(temperature_c__lte=45),
                name="screening_temperature_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weight_grams__gte=300) & Q(weight_grams__lte=80000),
                name="screening_weight_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"screening {self.screened_at:%Y-%m-%d}"


class DiscoveryRecord(TimeStamped):
    """The biên bản of Decree 123/2015 art. 14(1): drawn up by the commune chairman or the commune
    police chief, signed by the drafter, the finder and any witnesses, in two originals."""

    child_prefix = "case__child__"

    case = models.OneToOneField(FoundlingCase, on_delete=models.PROTECT, related_name="discovery_record")
    number = models.CharField(_("record number"), max_length=30)
    drawn_up_at = models.DateTimeField(_("drawn up at"))
    drawn_up_place = models.CharField(_("drawn up at (place)"), max_length=300)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("drawing-up body")
    )
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafter_title = models.CharField(_("drafter's position"), max_length=150)
    # Art. 14(1): time and place of discovery; sex, physique, health; belongings; the finder.
    found_at = models.DateTimeField(_("time found"))
    found_place = models.CharField(_("place found"), max_length=300)
    sex = models.CharField(_("sex"), max_length=8)
    physique = models.TextField(_("identifying features and physique"))
    health = models.TextField(_("state of health"))
    belongings = models.TextField(_("belongings"))
    # The finder's and the witnesses' identities, encrypted at rest as on the case.
    finder_name = EncryptedTextField(_("finder's full name"), max_length=150)
    finder_id_document = EncryptedTextField(_("finder's identity document"), max_length=50)
    finder_address = EncryptedTextField(_("finder's residence"), max_length=300)
    # Art. 14(1): the witness (if any) signs the record beside the finder, so is named as the finder is.
    witness_name = EncryptedTextField(_("witness's full name"), max_length=150, blank=True)
    witness_id_document = EncryptedTextField(_("witness's identity document"), max_length=50, blank=True)
    witness_address = EncryptedTextField(_("witness's residence"), max_length=300, blank=True)
    witnesses = EncryptedTextField(_("other witnesses"), blank=True)

    objects = ChildDataQuerySet.as_manager()

    def __str__(self) -> str:
        return self.number


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Handover(TimeStamped):
    """Responsibility moves only when the receiving organisation accepts."""

    child_prefix = "case__child__"

    case = models.ForeignKey(FoundlingCase, on_delete=models.PROTECT, related_name="handovers")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving organisation"),
    )
    purpose = models.CharField(max_length=20, choices=TemporaryCare.choices)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_handover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation} ({self.status})"


class BirthRegistration(TimeStamped):
    """Decree 123/2015 art. 14(2)–(3): given name chosen; date of birth unknown → day and month of
    discovery with the year estimated; place of birth = place found; parents left blank; the
    register annotated "Trẻ bị bỏ rơi"."""

    child_prefix = "case__child__"
    ANNOTATION = "Trẻ bị bỏ rơi"

    case = models.OneToOneField(FoundlingCase, on_delete=models.PROTECT, related_name="birth_registration")
    number = models.CharField(_("register number"), max_length=30)
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    family_name = models.CharField(_("family name"), max_length=50)
    middle_name = models.CharField(_("middle name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=8)
    date_of_birth = models.DateField(_("date of birth"))
    date_of_birth_estimated = models.BooleanField(default=True)
    place_of_birth = models.CharField(_("place of birth"), max_length=300)
    annotation = models.CharField(max_length=50, default=ANNOTATION)

    objects = ChildDataQuerySet.as_manager()

    def __str__(self) -> str:
        return self.number


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("To be checked")
    CONFIRMED = "confirmed", _("Same child")
    REJECTED = "rejected", _("Different children")


class PossibleDuplicate(TimeStamped):
    """Two reports that may be the same child (same or neighbouring area, found within 2 days, same
    sex, similar age): a person decides; Haven never merges or drops a report by itself."""

    child_prefix = "case__child__"

    case = models.ForeignKey(FoundlingCase, on_delete=models.PROTECT, related_name="possible_duplicates")
    other = models.ForeignKey(FoundlingCase, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="duplicate_pair_once")]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.other_id}"
