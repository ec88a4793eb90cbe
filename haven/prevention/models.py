"""Preventing abandonment (vietnam-process.md §9c; Notice 432-TB/VPTW §1): people at risk, the social
collaborators who cover each village, their visits and the support delivered.

A person at risk is usually an adult woman, not a child in Haven, so her record is scoped by its commune
and organisations (access/scoping.record_filter) rather than through a child. Her health data are
sensitive (Personal Data Protection Law 2025): they are kept only with her consent, encrypted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.core.dated import DatedFields, DatedQuerySet
from haven.core.fields import EncryptedBooleanField, EncryptedDateField, EncryptedJSONField
from haven.core.models import TimeStamped
from haven.workflow.models import TimelineStep

# The organisations whose members reach a person's record (besides the area roles of her commune).
PERSON_ORGANISATIONS = ("reported_by_organisation", "collaborator_organisation")


def reach(through, user, prefix: str = "") -> Q | None:
    """The people at risk reached through ``through`` (memberships): the access layer's
    ``record_reach`` for every role but the collaborator, who reaches only the people she follows
    and those of the villages she covers today — not everyone her chapter follows."""
    from haven.access.scoping import record_reach
    from haven.accounts.models import Role
    from haven.core import clock

    collaborator = [m for m in through if m.role == Role.SOCIAL_COLLABORATOR]
    others = [m for m in through if m.role != Role.SOCIAL_COLLABORATOR]
    q = record_reach(
        others, commune=prefix + "commune", organisations=tuple(prefix + n for n in PERSON_ORGANISATIONS)
    )
    if collaborator:
        today = clock.localdate(clock.now())
        covered = Coverage.objects.in_force(today).filter(collaborator=user).values("village")
        own = Q(**{prefix + "collaborator_id": user.pk}) | Q(**{prefix + "village__in": covered})
        q = own if q is None else q | own
    return q


class PreventionQuerySet(models.QuerySet):
    """Every read of the prevention register starts from ``visible_to(user)``."""

    person_prefix = ""

    def visible_to(self, user, verb: Verb = Verb.PREVENTION_VIEW):
        from haven.access.scoping import granting

        q = reach(granting(user, verb), user, self.person_prefix)
        return self.none() if q is None else self.filter(q)


class PersonQuerySet(PreventionQuerySet):
    pass


class RelatedQuerySet(PreventionQuerySet):
    person_prefix = "person__"


class StepQuerySet(PreventionQuerySet):
    person_prefix = "case__"


class Village(TimeStamped):
    """A village (thôn, bản) or residential group (tổ dân phố) inside a commune: the unit a collaborator
    covers. The commune keeps its own list; the national register of villages is not in Haven."""

    commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("village or residential group"), max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["commune", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="village_unique_name")]

    def __str__(self) -> str:
        return self.name


class Coverage(DatedFields, TimeStamped):
    """A collaborator covers a village from ``since`` until the day before ``until`` (she stops on
    ``until``; core/dated.py), so ending a coverage today ends it at once."""

    dated_fields = ("since", "until")

    collaborator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="coverage")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["village", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborator", "village"], condition=Q(until__isnull=True), name="coverage_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collaborator} → {self.village}"


class State(models.TextChoices):
    IDENTIFIED = "identified", _("Identified: first contact due")
    CONTACTED = "contacted", _("Contacted: assessment due")
    DECLINED = "declined", _("Declined follow-up (minimum record kept)")
    ASSESSED = "assessed", _("Assessed: support plan due")
    FOLLOW_UP = "follow_up", _("Support plan: regular follow-up")
    POSTNATAL = "postnatal", _("After the birth: postnatal visits")
    ESCALATED = "escalated", _("Escalated to child protection")
    CLOSED_STABLE = "closed_stable", _("Closed: family stable")
    CLOSED = "closed", _("Closed")


OPEN_STATES = {State.IDENTIFIED, State.CONTACTED, State.ASSESSED, State.FOLLOW_UP, State.POSTNATAL}
CLOSED_STATES = {State.DECLINED, State.CLOSED_STABLE, State.CLOSED}


class Source(models.TextChoices):
    COLLABORATOR = "collaborator", _("Social collaborator")
    HEALTH_STATION = "health_station", _("Commune health station")
    ANTENATAL_CLINIC = "antenatal_clinic", _("Hospital antenatal clinic")
    WOMENS_UNION = "womens_union", _("Women's Union")
    HOTLINE = "hotline", _("Hotline 111")
    COMMUNE = "commune", _("Commune")


class Consent(models.TextChoices):
    PENDING = "pending", _("Not asked yet")
    GIVEN = "given", _("Given")
    DECLINED = "declined", _("Declined")


class Outcome(models.TextChoices):
    """How the pregnancy ended (health data: recorded only with consent)."""

    LIVE_BIRTH = "live_birth", _("Live birth")
    STILLBIRTH = "stillbirth", _("Stillbirth")
    MISCARRIAGE = "miscarriage", _("Miscarriage")
    TERMINATION = "termination", _("Termination of pregnancy")


class CloseReason(models.TextChoices):
    """Why a record closed other than as a stable family."""

    STILLBIRTH = "stillbirth", _("Stillbirth")
    MISCARRIAGE = "miscarriage", _("Miscarriage")
    TERMINATION = "termination", _("Termination of pregnancy")
    MOVED_AWAY = "moved_away", _("Moved away (handed to the new commune)")
    NO_LONGER_AT_RISK = "no_longer_at_risk", _("Not pregnant / no longer at risk")
    ABANDONED = "abandoned", _("The baby was abandoned")


# The close reasons that are how the pregnancy ended.
PREGNANCY_ENDS = {CloseReason.STILLBIRTH, CloseReason.MISCARRIAGE, CloseReason.TERMINATION}


class AtRiskPerson(TimeStamped):
    """A person or household flagged at risk of abandoning a child (vietnam-process.md §9c)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IDENTIFIED)
    # The minimum record, kept even when she declines (PDP Law 2025: only what the duty needs).
    family_name = models.CharField(_("family name"), max_length=50)
    middle_name = models.CharField(_("middle name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    household = models.BooleanField(_("a household rather than one person"), default=False)
    commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(_("flagged by"), max_length=20, choices=Source.choices)
    flagged_at = models.DateTimeField(_("flagged at"))
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    collaborator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collaborator"),
    )
    # The collaborator's chapter, so its members (and only they) reach the record.
    collaborator_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The commune People's Committee answers for the follow-up: a missed visit reaches its officer.
    responsible = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # Triage: what sets the first clock (24 hours rather than 3 days).
    under_16 = models.BooleanField(_("she is under 16"), default=False)
    # Violence, the pregnancy, the risk factors and the needs are sensitive personal data (Personal
    # Data Protection Law 91/2025 art. 2): encrypted at rest, so a copied database does not say who is
    # pregnant (core/fields.py).
    suspected_violence = EncryptedBooleanField(_("violence is suspected"), default=False)
    # Sensitive (health and family circumstances): kept only with consent; cleared if she declines.
    pregnant = EncryptedBooleanField(_("pregnant"), default=False)
    expected_delivery = EncryptedDateField(_("expected date of delivery"), null=True, blank=True)
    risk_factors = EncryptedJSONField(_("risk factors"), default=list, blank=True)
    needs = EncryptedJSONField(_("needs assessment"), default=dict, blank=True)
    notes_encrypted = models.TextField(blank=True, editable=False)
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices, default=Consent.PENDING)
    consent_at = models.DateTimeField(null=True, blank=True)
    # The outcome of the pregnancy, and the newborn's papers (birth registration, residence and health
    # insurance within 60 days: Law on Civil Status 2014 art. 15; Decree 104/2022; Decree 63/2024).
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("date"), null=True, blank=True)
    newborn = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    birth_registered_on = models.DateField(_("birth registered on"), null=True, blank=True)
    residence_registered_on = models.DateField(_("residence registered on"), null=True, blank=True)
    insurance_issued_on = models.DateField(_("health-insurance card issued on"), null=True, blank=True)
    kept_with_family = models.BooleanField(_("the child stays with the family"), null=True, blank=True)
    protection_case = models.ForeignKey(
        "protection.ProtectionCase", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    foundling_case = models.ForeignKey(
        "foundlings.FoundlingCase", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_as = models.CharField(_("closed as"), max_length=20, choices=CloseReason.choices, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person at risk")
        indexes = [
            models.Index(fields=["commune", "state"]),
            models.Index(fields=["collaborator", "state"]),
            models.Index(fields=["flagged_at"]),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    @property
    def child(self):
        """The child the follow-up's obligations are about: the newborn once born, none before (the
        deadline engine then reaches them through the responsible commune)."""
        return self.newborn

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def papers_complete(self) -> bool:
        return bool(self.birth_registered_on and self.residence_registered_on and self.insurance_issued_on)


class Step(TimelineStep):
    child_prefix = ""  # unused: steps are read through their person
    case = models.ForeignKey(AtRiskPerson, on_delete=models.PROTECT, related_name="steps")

    objects = StepQuerySet.as_manager()

    class Meta(TimelineStep.Meta):
        pass


class VisitKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact")
    PREGNANCY = "pregnancy", _("Pregnancy follow-up")
    POSTNATAL = "postnatal", _("Postnatal visit")
    OTHER = "other", _("Other contact")


class Mode(models.TextChoices):
    HOME = "home", _("Home visit")
    PHONE = "phone", _("Phone call")
    FACILITY = "facility", _("At the health station or a facility")


class Wellbeing(models.TextChoices):
    GOOD = "good", _("Well, no concern")
    CONCERN = "concern", _("Some concern")
    DANGER = "danger", _("Danger to the mother or the baby")


class Visit(TimeStamped):
    """One contact with the person, in a short form made for a phone."""

    person = models.ForeignKey(AtRiskPerson, on_delete=models.PROTECT, related_name="visits")
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices)
    wellbeing = models.CharField(_("how she is"), max_length=10, choices=Wellbeing.choices)
    # Sensitive: only with consent, encrypted.
    notes_encrypted = models.TextField(blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)

    objects = RelatedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y}"

    @property
    def late_by(self):
        if self.due_at is None or self.at <= self.due_at:
            return None
        return self.at - self.due_at


class Service(models.TextChoices):
    """The support Notice 432 §1 names, and the single-parent allowance of Decree 20 art. 5(4)."""

    COUNSELLING = "counselling", _("Psychological counselling")
    ANTENATAL = "antenatal", _("Antenatal care")
    DELIVERY = "delivery", _("Delivery at a health facility")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SINGLE_PARENT_ALLOWANCE = (
        "single_parent_allowance",
        _("Single-parent social allowance (Decree 20/2021 art. 5(4))"),
    )
    SPONSORSHIP = "sponsorship", _("Sponsorship (godmother)")
    LIVELIHOOD = "livelihood", _("Job or livelihood support")
    SHELTER = "shelter", _("Safe shelter")


class SupportStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    DELIVERED = "delivered", _("Delivered")
    NOT_DELIVERED = "not_delivered", _("Not delivered")


class Support(TimeStamped):
    """A referral to a service and what came of it."""

    person = models.ForeignKey(AtRiskPerson, on_delete=models.PROTECT, related_name="supports")
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    provider = models.CharField(_("provider"), max_length=200)
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=SupportStatus.choices, default=SupportStatus.REFERRED
    )
    referred_at = models.DateTimeField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RelatedQuerySet.as_manager()

    class Meta:
        ordering = ["referred_at", "pk"]

    def __str__(self) -> str:
        return self.get_service_display()
