"""Family-like care: facilities made of small homes and small groups, their staff and shifts, and one
dated history of placements per child across every form of care (Law on Children art. 62).

A facility placement is temporary (art. 47(4)): it carries a live review clock on the deadline engine
(services.py). Every change of the adult who principally cares for a child is a ``CaregiverChange``,
from which the stability measure is counted (selectors.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.care.ratios import AGE_BAND_CHOICES
from haven.core.dated import DatedFields, DatedQuerySet
from haven.core.models import TimeStamped
from haven.people.models import ChildDataQuerySet
from haven.workflow.models import TimelineStep


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    NON_PUBLIC = "non_public", _("Non-public")


class ManagementLevel(models.TextChoices):
    # Circular 14/2020 art. 3: Form 14 goes to the chairman of the managing level.
    PROVINCE = "province", _("Provincial People's Committee")
    COMMUNE = "commune", _("Commune People's Committee")


class Facility(TimeStamped):
    """A social protection facility (cơ sở trợ giúp xã hội, Decree 103/2017); its organisation is the
    one its staff are members of, so the facility's roles reach the children placed in it."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="care_facility"
    )
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices)
    licence_number = models.CharField(_("licence number"), max_length=60)
    licence_issued_on = models.DateField(_("licence issued on"))
    address = models.CharField(_("address"), max_length=300)
    management_level = models.CharField(
        _("managed by"), max_length=10, choices=ManagementLevel.choices, default=ManagementLevel.PROVINCE
    )

    class Meta:
        verbose_name = _("social protection facility")
        verbose_name_plural = _("social protection facilities")

    def __str__(self) -> str:
        return self.organisation.name


class Home(TimeStamped):
    """A small home (nhà nhỏ) of a facility (Notice 432-TB/VPTW §3)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="homes")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("small home")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["facility", "name"], name="home_name_unique")]

    def __str__(self) -> str:
        return self.name


class SmallGroup(TimeStamped):
    """A small group (nhóm nhỏ) living together with a stable caregiver; ``places`` is its capacity."""

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("name"), max_length=120)
    places = models.PositiveSmallIntegerField(_("places"))
    # One of ratios.BANDS (Circular 09/2024 art. 6), or blank for a group of mixed ages.
    age_band = models.CharField(_("ages"), max_length=10, choices=AGE_BAND_CHOICES, blank=True)

    class Meta:
        verbose_name = _("small group")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["home", "name"], name="group_name_unique"),
            models.CheckConstraint(condition=Q(places__gte=1), name="group_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.home.name} · {self.name}"


class Room(TimeStamped):
    """A bedroom of a small home with its number of places (beds). A room may be used by one group;
    a child sleeps in one room (``Placement.room``). A room never holds more children than its places,
    unless overridden like the other capacity rules (care/capacity.py)."""

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    places = models.PositiveSmallIntegerField(_("places"))
    group = models.ForeignKey(
        SmallGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="rooms"
    )

    class Meta:
        verbose_name = _("room")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["home", "name"], name="room_name_unique"),
            models.CheckConstraint(condition=Q(places__gte=1), name="room_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.home.name} · {self.name}"


class StaffKind(models.TextChoices):
    CAREGIVER = "caregiver", _("Caregiver (direct childcare)")
    # Circular 09/2024/TT-BLĐTBXH art. 6: three grades of case-management staff, each with a caseload.
    SOCIAL_WORKER_PRINCIPAL = "sw_principal", _("Principal social-work officer")
    SOCIAL_WORKER = "sw_officer", _("Social-work officer")
    SOCIAL_WORK_STAFF = "sw_staff", _("Social-work staff")


class Staff(TimeStamped):
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="staff")
    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(_("position"), max_length=12, choices=StaffKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class Shift(models.TextChoices):
    DAY = "day", _("Day (06:00–18:00)")
    NIGHT = "night", _("Night (18:00–06:00)")


class ShiftAssignment(DatedFields, TimeStamped):
    """A caregiver on a group's roster for one shift, from ``started_on`` until the day before
    ``ended_on`` (core/dated.py). One group per caregiver and shift at a time (services.shift_assign
    refuses a second)."""

    dated_fields = ("started_on", "ended_on")

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="shifts")
    group = models.ForeignKey(SmallGroup, on_delete=models.PROTECT, related_name="shifts")
    shift = models.CharField(_("shift"), max_length=8, choices=Shift.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "shift"], condition=Q(ended_on__isnull=True), name="shift_one_open_group"
            ),
        ]


class PrincipalCaregiver(DatedFields, TimeStamped):
    """The group's one principal caregiver at a time (Notice 432 §3: a stable caregiver), from
    ``started_on`` until the day before ``ended_on``: the one who takes over on a day is the principal
    that day."""

    dated_fields = ("started_on", "ended_on")

    group = models.ForeignKey(SmallGroup, on_delete=models.PROTECT, related_name="principals")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="principal_of")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(ended_on__isnull=True), name="principal_one_at_a_time"
            ),
        ]


class CareForm(models.TextChoices):
    """Law on Children art. 62, in the order of preference of vietnam-process.md §3.2."""

    KIN = "kin", _("Kinship care")
    FOSTER = "foster", _("Foster family (non-kin)")
    ADOPTION_PENDING = "adoption_pending", _("Adoption in progress")
    ADOPTED = "adopted", _("Adopted")
    FACILITY_GROUP = "facility_group", _("Facility small group")


FAMILY_FORMS = frozenset({CareForm.KIN, CareForm.FOSTER, CareForm.ADOPTION_PENDING, CareForm.ADOPTED})


class PlacementState(models.TextChoices):
    """Where a placement stands on its table (care/workflow/placements.py): the child is in a
    facility's small group, or with a family, until the placement ends."""

    IN_FACILITY = "in_facility", _("In a facility")
    IN_FAMILY = "in_family", _("In a family")
    ENDED = "ended", _("Ended")


class PlacementQuerySet(ChildDataQuerySet, DatedQuerySet):
    pass


class Placement(DatedFields, TimeStamped):
    """Where and with whom a child lives, from ``started_on`` until the day before ``ended_on`` (the day
    the child left; core/dated.py); the dated rows of one child never overlap, and at most one is open.
    Moving a child ends one row and starts the next, on the same day, with a reason. Every change of
    its ``state`` is a step of the placement table (care/workflow/placements.py)."""

    child_prefix = "child__"
    dated_fields = ("started_on", "ended_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="placements")
    form = models.CharField(_("form of care"), max_length=20, choices=CareForm.choices)
    group = models.ForeignKey(
        SmallGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    # The room the child sleeps in (a facility placement only; optional).
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    # For a family placement: the person who principally cares for the child.
    carer_name = models.CharField(_("carer"), max_length=150, blank=True)
    # The family chosen by the commune chairman (Form 12) when the child was handed over to it.
    family = models.ForeignKey(
        "care.CareFamily", on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    # Circular 09/2024 art. 6: a placement beyond capacity or ratio, allowed by a named person.
    overload = models.BooleanField(_("overload"), default=False)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)
    # Facility care is temporary (art. 47(4)): the latest review says whether the child needs a
    # family (Form 14) and records the family-based plan when there is one.
    needs_family = models.BooleanField(_("needs a family"), default=True)
    family_plan = models.CharField(_("family-based plan"), max_length=300, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=12, choices=PlacementState.choices, default=PlacementState.IN_FACILITY
    )

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        ordering = ["started_on", "created_at"]
        indexes = [
            models.Index(fields=["group", "ended_on"], name="placement_group_idx"),
            models.Index(fields=["child", "started_on"], name="placement_child_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(ended_on__isnull=True), name="placement_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(form="facility_group", group__isnull=False)
                | (~Q(form="facility_group") & Q(group__isnull=True)),
                name="placement_group_iff_facility",
            ),
            # An open placement is in a facility exactly when it has a small group.
            models.CheckConstraint(
                condition=Q(state="ended")
                | Q(state="in_facility", group__isnull=False)
                | Q(state="in_family", group__isnull=True),
                name="placement_state_matches_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.started_on}"

    @property
    def in_facility(self) -> bool:
        return self.form == CareForm.FACILITY_GROUP


class PlacementStep(TimelineStep):
    """The placement's timeline: how it began (admission, a move, a family taking the child), its
    reviews, visits and rooms, and how it ended."""

    child_prefix = "case__child__"

    case = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class CaregiverChange(TimeStamped):
    """A change of the adult who principally cares for a child: a transfer, a new principal caregiver
    of the child's group, or a move between forms of care. The first carer recorded is not a change."""

    child_prefix = "child__"

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="caregiver_changes")
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="changes")
    on = models.DateField(_("on"))
    # Who the carers were: a staff member of a facility, or the family that took the child. A change
    # is a change of person (identity), not of name (docs/decisions/0011). The names are kept as they
    # read on the day, for the history.
    from_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_family = models.ForeignKey(
        "care.CareFamily", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_family = models.ForeignKey(
        "care.CareFamily", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_name = models.CharField(_("from"), max_length=150)
    to_name = models.CharField(_("to"), max_length=150)
    reason = models.CharField(_("reason"), max_length=300)

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["on", "created_at"]
        indexes = [models.Index(fields=["child", "on"], name="caregiver_change_child_idx")]


class Review(TimeStamped):
    """The six-monthly review of a child in a facility (Law on Children art. 68(1))."""

    child_prefix = "placement__child__"

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("findings"))
    needs_family = models.BooleanField(_("needs a family"))
    family_plan = models.CharField(_("family-based plan"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]


class MonitoringVisit(TimeStamped):
    """A monitoring visit of a child in a family (Decree 56/2017 art. 43(2), 46; Circular 14/2020
    art. 13): every 6 months, or on any change of form or caregiver."""

    child_prefix = "placement__child__"

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    living_conditions = models.TextField(_("living conditions"))
    health = models.TextField(_("physical and mental health"))
    schooling = models.TextField(_("schooling"))
    integration = models.TextField(_("integration"))
    proposal = models.TextField(_("proposal (change of form or caregiver)"), blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-created_at"]


class FamilyKind(models.TextChoices):
    KIN = "kin", _("Relatives (kinship care)")
    NON_KIN = "non_kin", _("Non-kin individual or family")


class FamilyStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    VERIFIED = "verified", _("Verified (Form 11)")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    CHOSEN = "chosen", _("Chosen by the chairman (Form 12)")
    HANDED_OVER = "handed_over", _("Child handed over")
    # The family cared for a child and no longer does (the care ended by decision, Form 16, or with
    # childhood): still on the register until the commune removes it.
    ENDED = "ended", _("Care ended")
    REMOVED = "removed", _("Removed from the register")


class CareFamily(TimeStamped):
    """A family willing to care for a child (Decree 56/2017 art. 41, Form 08; a relative notifies under
    Law on Children art. 65(4)), its verification (Form 11) and the chairman's decision (Form 12).
    Every change of its ``state`` is a step of the family table (care/workflow/)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=FamilyKind.choices)
    applicant_name = models.CharField(_("applicant"), max_length=150)
    applicant_born_on = models.DateField(_("applicant's date of birth"))
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.TextField(_("household members"), blank=True)
    economic_conditions = models.TextField(_("economic conditions"), blank=True)
    housing = models.TextField(_("housing"), blank=True)
    health_certificate_on = models.DateField(_("health certificate issued on"), null=True, blank=True)
    household_consent = models.BooleanField(_("all household members agree"))
    no_abuse_record = models.BooleanField(_("no household member sanctioned for abusing a child"))
    relative_of = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relationship = models.CharField(_("relationship to the child"), max_length=60, blank=True)
    state = models.CharField(
        _("status"), max_length=12, choices=FamilyStatus.choices, default=FamilyStatus.REGISTERED
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification_note = models.TextField(_("verification (Form 11)"), blank=True)
    decided_child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_number = models.CharField(_("decision number (Form 12)"), max_length=60, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handed_over_on = models.DateField(null=True, blank=True)
    # The Form 12 decision above was withdrawn before the handover (care/workflow/families.py): it
    # stays on record, marked withdrawn, until the family is chosen again.
    withdrawn_on = models.DateField(_("decision withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(_("reason for withdrawing the decision"), max_length=300, blank=True)
    # The quarterly update of the register (families.register_*): when the commune last confirmed the
    # family is still willing and able, or removed it, and why.
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmed_in = models.ForeignKey(
        "care.RegisterUpdate", on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alternative-care family")
        ordering = ["applicant_name"]

    def __str__(self) -> str:
        return self.applicant_name

    # The child the chairman chose the family for (Form 12), or, until he has, the child whose relative
    # the family is: the child of its clocks (the Form 12 decision, the handover), of its audit events
    # and of the messages its steps send.
    @property
    def child(self):
        return self.decided_child if self.decided_child_id else self.relative_of

    @property
    def child_id(self):
        return self.decided_child_id or self.relative_of_id


class FamilyStep(TimelineStep):
    """The family's timeline: registered, verified, chosen, handed a child, confirmed or removed."""

    child_prefix = "case__decided_child__"

    case = models.ForeignKey(CareFamily, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class IncidentKind(models.TextChoices):
    VIOLENCE = "violence", _("Violence")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    NEGLECT = "neglect", _("Neglect")
    OTHER = "other", _("Other harm")


class Incident(TimeStamped):
    """Violence or abuse of a child inside a facility. It opens a child-protection report (Form 01,
    haven/protection), which tells the provincial Department of Health."""

    child_prefix = "child__"

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="incidents")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("what happened"))
    actions_taken = models.TextField(_("actions taken"), blank=True)
    protection_case = models.ForeignKey(
        "protection.ProtectionCase", on_delete=models.PROTECT, related_name="+", null=True
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]


class Inspection(TimeStamped):
    """An inspection of a facility against the checklist (care/checklist.py)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    results = models.JSONField(_("results"))
    findings = models.TextField(_("findings"), blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-inspected_on", "-created_at"]

    @property
    def not_met(self) -> list[str]:
        return [code for code, result in self.results.items() if result == "not_met"]


class DecisionState(models.TextChoices):
    # A Form 16 decision takes effect on the day it is recorded for (never a later day): the placement
    # it ends and the one it starts are written with it.
    IN_EFFECT = "in_effect", _("In effect")


class CareChangeDecision(TimeStamped):
    """Form 16: the decision ending or changing a child's alternative care (Law on Children art. 69;
    Decree 56/2017 art. 48(2)), by the commune chairman for a family placement or the facility's
    managing authority for facility care. It ends ``ended`` and starts ``started`` on ``effective_on``
    as one transfer of the child's care history."""

    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    ended = models.OneToOneField(Placement, on_delete=models.PROTECT, related_name="ended_by_decision")
    # None when the child leaves alternative care (returns to the parents).
    started = models.OneToOneField(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="started_by_decision"
    )
    ground = models.CharField(_("ground"), max_length=30)
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    effective_on = models.DateField(_("effective on"))
    note = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=12, choices=DecisionState.choices, default=DecisionState.IN_EFFECT
    )

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision changing alternative care (Form 16)")
        ordering = ["-decided_on", "-created_at"]


class DecisionStep(TimelineStep):
    """The timeline of a Form 16 decision."""

    child_prefix = "case__child__"

    case = models.ForeignKey(CareChangeDecision, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class RegisterUpdate(TimeStamped):
    """One quarter's update of a commune's register of families willing to provide alternative care
    (Decree 56/2017 art. 41; vietnam-process.md §3.4 B2: updated quarterly). Its clock
    ``care.register_update`` runs on the deadline engine; it is done when every family on the
    register has been confirmed or removed since the quarter's update opened."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(_("opened on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed = models.PositiveIntegerField(_("families confirmed"), default=0)
    removed = models.PositiveIntegerField(_("families removed"), default=0)

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune"], condition=Q(completed_on__isnull=True), name="register_update_one_open"
            ),
        ]
