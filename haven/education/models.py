"""School for every child (Notice 432-TB/VPTW, part 4.1(ii)): schools, enrolments that tolerate missing
papers, attendance marked by the school, absences that become help, and continuity when a child's
placement moves.

A school is an organisation of Haven (``OrganisationKind.SCHOOL``) with a profile here: its levels,
whether it is public, its commune and its official code. A school reaches only the children enrolled
with it, or asked to enrol, and only their school facts (haven/access/policy.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields, DatedQuerySet
from haven.core.models import TimeStamped
from haven.education.ages import LEVEL_ORDER, AgeBasis, Level
from haven.people.models import ChildDataQuerySet
from haven.workflow.models import TimelineStep


class School(TimeStamped):
    """The school profile of an organisation of kind "school"."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="school",
        verbose_name=_("organisation"),
    )
    # The education sector's identifier of the school (Circular 42/2021/TT-BGDĐT art. 10: formed at
    # first entry, unique, never changed).
    code = models.CharField(_("official school code"), max_length=20, unique=True)
    # A school may teach several levels (an inter-level school of primary and lower secondary).
    first_level = models.CharField(_("lowest level taught"), max_length=20, choices=Level.choices)
    last_level = models.CharField(_("highest level taught"), max_length=20, choices=Level.choices)
    public = models.BooleanField(_("public school"), default=True)
    # A private school's own fee: the state's tuition support is at most this (Resolution
    # 217/2025/QH15 art. 2). A public school charges none from the school year 2025–2026.
    monthly_fee = models.PositiveIntegerField(_("tuition fee (đồng a month)"), null=True, blank=True)

    class Meta:
        verbose_name = _("school")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def commune(self):
        return self.organisation.area

    @property
    def levels(self) -> list[Level]:
        first, last = LEVEL_ORDER.index(self.first_level), LEVEL_ORDER.index(self.last_level)
        return list(LEVEL_ORDER[first : last + 1])

    def teaches(self, level: str) -> bool:
        return level in self.levels


class State(models.TextChoices):
    """An enrolment on its table (education/workflow.py)."""

    REQUESTED = "requested", _("Asked to enrol")
    ENROLLED = "enrolled", _("Enrolled")
    DECLINED = "declined", _("Not admitted")
    ENDED = "ended", _("Left the school")


# The states that hold the child's one enrolment of a school year (the database keeps to one).
CURRENT_STATES = (State.REQUESTED, State.ENROLLED)


class EndReason(models.TextChoices):
    """Why an enrolment ended: the reasons of the education sector's exit codes (Ed-Fi), in the
    domain's words."""

    COMPLETED = "completed", _("Completed the level")
    TRANSFERRED = "transferred", _("Transferred to another school")
    MOVED = "moved", _("Moved with the child's placement")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    WORKING = "working", _("Left school to work")
    WITHDRAWN = "withdrawn", _("Withdrawn by the family")
    DIED = "died", _("Died")
    RECORDED_IN_ERROR = "error", _("Recorded in error")


# An enrolment that ended so: the child stopped going to school (not a completion or a transfer).
DROPPED = (EndReason.DROPPED_OUT, EndReason.WORKING, EndReason.WITHDRAWN)


class EnrolmentQuerySet(ChildDataQuerySet, DatedQuerySet):
    def current(self):
        return self.filter(state__in=CURRENT_STATES)


class PlanQuerySet(ChildDataQuerySet, DatedQuerySet):
    pass


class Enrolment(DatedFields, TimeStamped):
    """A child's place at a school for one school year. Papers are not a condition: a child is enrolled
    before a birth certificate or a PIN exists; the missing paper opens an obligation to obtain it, and
    the enrolment says it has no PIN (the education sector's database keys on it: Circular 42/2021)."""

    child_prefix = "child__"
    dated_fields = ("started_on", "ended_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    school_year = models.PositiveSmallIntegerField(_("school year (the year it starts)"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    grade = models.PositiveSmallIntegerField(_("grade"))
    class_name = models.CharField(_("class"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REQUESTED)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=EndReason.choices, blank=True
    )
    # Who asked the school to enrol the child (a commune or a facility), and why the school did not.
    requested_by = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # An older-than-standard entry is a decision with its basis (Law on Education 2019 art. 28(2)(b);
    # Circular 28/2020 art. 33), so a lawful over-age child is not counted as failing.
    over_age_years = models.SmallIntegerField(_("years over the standard age"), default=0)
    age_basis = models.CharField(
        _("basis for the older age"), max_length=30, choices=AgeBasis.choices, blank=True
    )
    age_decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    age_decision = models.CharField(_("decision (number and date)"), max_length=100, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        ordering = ["-school_year", "-created_at"]
        indexes = [
            models.Index(fields=["school", "school_year", "state"], name="enrolment_school_idx"),
            models.Index(fields=["child", "school_year"], name="enrolment_child_idx"),
        ]
        constraints = [
            # One current enrolment per child and school year (a transfer ends one before the next).
            models.UniqueConstraint(
                fields=["child", "school_year"],
                condition=Q(state__in=["requested", "enrolled"]),
                name="enrolment_one_current_per_year",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=False, ended_on__gte=models.F("started_on")),
                name="enrolment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state="enrolled") | Q(started_on__isnull=False),
                name="enrolment_enrolled_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.grade} — {self.school} ({self.year_label})"

    @property
    def year_label(self) -> str:
        return f"{self.school_year}–{self.school_year + 1}"

    @property
    def lawful_over_age(self) -> bool:
        return self.over_age_years > 0 and bool(self.age_basis)


class EnrolmentStep(TimelineStep):
    case = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class Mark(models.TextChoices):
    """A day's attendance as the school marks it. A day not marked is unknown, never present."""

    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Absent with leave")
    UNEXCUSED = "unexcused", _("Absent without leave")


class Attendance(models.Model):
    """One day of one enrolment, marked by the school."""

    child_prefix = "enrolment__child__"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    day = models.DateField(_("day"))
    mark = models.CharField(_("attendance"), max_length=10, choices=Mark.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["enrolment", "day"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_one_mark_a_day")]
        # The roster's risk reads a month of unexcused absences for a whole province (roster.py): a
        # tenth of the marks, found by day without reading the rest.
        indexes = [
            models.Index(
                fields=["day", "enrolment"], condition=Q(mark="unexcused"), name="attendance_unexcused_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.mark}"


class AbsenceAlert(TimeStamped):
    """A run of consecutive unexcused absences that reached the threshold: the school reported the
    child to the commune (Form 01 of Decree 56/2017, a support-level concern) and the commune owes a
    home visit. One alert per run: the next needs the child back at school first."""

    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="absence_alerts")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="alerts")
    first_day = models.DateField(_("first day absent"))
    last_day = models.DateField(_("last day counted"))
    days = models.PositiveSmallIntegerField(_("consecutive days absent without leave"))
    # The protection case the report opened (none when one was already open for the child).
    case = models.ForeignKey(
        "protection.ProtectionCase", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visited_on = models.DateField(_("home visit on"), null=True, blank=True)
    visit_note = models.CharField(_("what the visit found"), max_length=500, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["-last_day"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "first_day"], name="absence_alert_one_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.first_day}–{self.last_day}"


class SchoolMove(TimeStamped):
    """A child's placement moved them to another commune: an obligation to enrol them there opens at
    once, and the days out of school are counted until a school there (or the same school) takes them."""

    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="school_moves")
    placement = models.OneToOneField("care.Placement", on_delete=models.PROTECT, related_name="school_move")
    from_commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField(_("moved on"))
    # Enrolled in school again (in the new commune, or the same school kept), the day school resumed.
    resumed_on = models.DateField(_("back at school on"), null=True, blank=True)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["-moved_on"]

    def __str__(self) -> str:
        return f"{self.child} {self.moved_on}"


class Mode(models.TextChoices):
    """The form of education of a child with a disability, chosen by the parent or guardian (Law on
    Persons with Disabilities 51/2010/QH12 art. 27–28: inclusive education is the main form)."""

    INCLUSIVE = "inclusive", _("Inclusive (in a regular class)")
    SEMI_INCLUSIVE = "semi_inclusive", _("Semi-inclusive")
    SPECIALISED = "specialised", _("Specialised")


class InclusionPlan(DatedFields, TimeStamped):
    """A child with a disability at school: the mode the guardian chose, the individual education plan
    with its review date on the deadline engine (Circular 03/2018/TT-BGDĐT), and what the child needs."""

    child_prefix = "child__"
    dated_fields = ("valid_from", "valid_to")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="inclusion_plans")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="inclusion_plans")
    mode = models.CharField(_("form of education"), max_length=20, choices=Mode.choices)
    chosen_by = models.CharField(_("chosen by (parent or guardian)"), max_length=150)
    plan_reference = models.CharField(_("individual education plan (reference)"), max_length=100)
    review_on = models.DateField(_("plan to be reviewed by"))
    accommodations = models.CharField(_("accommodations needed"), max_length=500, blank=True)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(valid_to__isnull=True), name="inclusion_one_open_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.get_mode_display()}"
