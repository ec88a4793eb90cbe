"""Entitlements of children in special circumstances (Notice 432-TB/VPTW §4.2): the rules as dated
data, the procedure that starts, adjusts and stops an allowance, and the periods it decides.

The monthly social allowance is the standard social-assistance level × a coefficient (Decree
20/2021/NĐ-CP art. 4, 6, as amended by Decree 76/2024/NĐ-CP). Both are dated rows with their citation
(core/dated.py), never constants: the level rose from 360,000 to 500,000 VND on 1 July 2024. A row Haven
could not check against the official text is kept with ``verified=False``, and every page that shows
it says so.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from haven.core.dated import Dated, DatedFields, DatedQuerySet
from haven.core.models import TimeStamped
from haven.workflow.models import TimelineStep


class Programme(models.TextChoices):
    MONTHLY_ALLOWANCE = "monthly_allowance", _("Monthly social allowance")
    # A pupil's support, derived from the enrolment and the child's groups (models/schooling.py).
    LEARNING_COSTS = "learning_costs", _("Learning-cost support")
    TUITION_SUPPORT = "tuition_support", _("Tuition support at a private school")


# The programmes of a pupil: one proposal per enrolment, paid by the semester (schooling.py).
SCHOOL_PROGRAMMES = (Programme.LEARNING_COSTS, Programme.TUITION_SUPPORT)


class Ground(models.TextChoices):
    """Why a child is entitled. For the monthly allowance: the cases of Decree 20/2021 art. 5(1),
    children under 16 without a source of nurture (only (a) and (b) were read in the text; the other
    cases are one choice). For a pupil's support: the group of the learning-cost support (Decree
    81/2021 art. 18, carried into Decree 238/2025), or a place at a private school (tuition support,
    Resolution 217/2025/QH15)."""

    ABANDONED = "abandoned", _("Abandoned and not yet adopted (Decree 20/2021 art. 5(1)(a))")
    ORPHAN = "orphan", _("Orphaned of both parents (Decree 20/2021 art. 5(1)(b))")
    OTHER = (
        "other",
        _(
            "Another case of Decree 20/2021 art. 5(1): a parent dead or missing and the other missing, in "
            "a social assistance facility or in detention"
        ),
    )
    PUPIL_ORPHAN = "pupil_orphan", _("A pupil orphaned of both parents")
    PUPIL_DISABILITY = "pupil_disability", _("A pupil with a disability")
    PUPIL_POOR = "pupil_poor", _("A pupil of a poor or near-poor household")
    PRIVATE_SCHOOL = "private_school", _("A pupil of a private school")


# The grounds of the monthly allowance (the forms and the benefit rules offer only these).
ALLOWANCE_GROUNDS = (Ground.ABANDONED, Ground.ORPHAN, Ground.OTHER)


class CareSituation(models.TextChoices):
    COMMUNITY = "community", _("Living in the community (with relatives, a carer or a family)")
    FACILITY = "facility", _("Cared for in a social assistance facility")


class ParameterKey(models.TextChoices):
    STANDARD_LEVEL = "standard_level", _("Standard social-assistance level")
    # A pupil's learning-cost support, a month (national: Decree 81/2021 art. 20(10)).
    LEARNING_COSTS = "learning_costs", _("Learning-cost support a month")
    # Tuition support at a private school, a month: the province's People's Council sets it by level
    # (Resolution 217/2025/QH15 art. 2); a province's row only, never a national one.
    TUITION_PRESCHOOL = "tuition_preschool", _("Tuition support a month: preschool")
    TUITION_PRIMARY = "tuition_primary", _("Tuition support a month: primary")
    TUITION_LOWER_SECONDARY = "tuition_lower_secondary", _("Tuition support a month: lower secondary")
    TUITION_UPPER_SECONDARY = "tuition_upper_secondary", _("Tuition support a month: upper secondary")


# The tuition-support rate of each school level (education.ages.Level values).
TUITION_KEY_OF_LEVEL = {
    "preschool": ParameterKey.TUITION_PRESCHOOL,
    "primary": ParameterKey.TUITION_PRIMARY,
    "lower_secondary": ParameterKey.TUITION_LOWER_SECONDARY,
    "upper_secondary": ParameterKey.TUITION_UPPER_SECONDARY,
}
PROVINCIAL_KEYS = frozenset(TUITION_KEY_OF_LEVEL.values())


class Cited(models.Model):
    """A row taken from the law: where it comes from, in Vietnamese and in English, and whether Haven
    checked it against the official text."""

    citation = models.CharField(
        _("legal basis (Vietnamese)"),
        max_length=300,
        help_text=_("As the law names it: “Nghị định 20/2021/NĐ-CP, Điều 6 khoản 1 điểm a”."),
    )
    citation_en = models.CharField(_("legal basis (English)"), max_length=300, blank=True)
    verified = models.BooleanField(
        _("checked against the official text"),
        default=False,
        help_text=_("Tick only once the value has been read in the official text of the law."),
    )
    verification_note = models.CharField(
        _("where it was checked"),
        max_length=300,
        blank=True,
        help_text=_("The text read (gazette, official portal) or why the value is not yet confirmed."),
    )

    class Meta:
        abstract = True

    @property
    def legal_basis(self) -> str:
        """The citation in the reader's language (the Vietnamese one when no English is given)."""
        if (get_language() or "vi").startswith("en") and self.citation_en:
            return self.citation_en
        return self.citation


class Parameter(Dated, Cited, TimeStamped):
    """A dated amount of the law (VND a month): national, or a province's higher level (Decree 20/2021
    art. 4(3) as amended: the provincial People's Council may set a higher level)."""

    key = models.CharField(_("parameter"), max_length=40, choices=ParameterKey.choices)
    province = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: the national level. A province may only set a higher level."),
    )
    value = models.PositiveIntegerField(_("amount (VND a month)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal amount")
        ordering = ["key", "province", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="parameter_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="parameter_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} {self.value} ({self.valid_from})"


class BenefitRule(Dated, Cited, TimeStamped):
    """One row of the coefficient table (Decree 20/2021 art. 6): for a programme, a ground, a care
    situation and an age band [age_from, age_to) in full years, the coefficient applied to the standard
    level. ``requires_studying``: the row applies only to a young person still studying (art. 5(2):
    from 16 to 22 while in general education, vocational training or a first university degree)."""

    programme = models.CharField(_("programme"), max_length=30, choices=Programme.choices)
    ground = models.CharField(_("ground of entitlement"), max_length=20, choices=Ground.choices)
    care_situation = models.CharField(_("care situation"), max_length=20, choices=CareSituation.choices)
    age_from = models.PositiveSmallIntegerField(_("from age (years)"))
    age_to = models.PositiveSmallIntegerField(
        _("under age (years)"), null=True, blank=True, help_text=_("Empty: no upper age.")
    )
    requires_studying = models.BooleanField(_("only while studying"), default=False)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=2)
    base = models.CharField(
        _("applied to"), max_length=40, choices=ParameterKey.choices, default=ParameterKey.STANDARD_LEVEL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("benefit rule")
        ordering = ["programme", "ground", "care_situation", "age_from", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="benefit_rule_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(age_to__isnull=True) | Q(age_to__gt=models.F("age_from")),
                name="benefit_rule_age_band",
            ),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="benefit_rule_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_ground_display()} {self.age_from}–{self.age_to or ''}: {self.coefficient}"

    @property
    def age_band(self) -> str:
        if self.age_to is None:
            return gettext("%(from)s years and over") % {"from": self.age_from}
        if self.age_from == 0:
            return gettext("under %(to)s years") % {"to": self.age_to}
        return gettext("%(from)s to under %(to)s years") % {"from": self.age_from, "to": self.age_to}


# --- The procedure and the periods it decides -----------------------------------------------------


class Kind(models.TextChoices):
    START = "start", _("Start the allowance")
    ADJUST = "adjust", _("Adjust the allowance")
    STOP = "stop", _("Stop the allowance")
    CONTINUE = "continue", _("Continue the allowance after a move")


class State(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by Haven")
    RECEIVED = "received", _("Application received")
    VERIFIED = "verified", _("Checked against the population register")
    DECIDED = "decided", _("Decided")
    REFUSED = "refused", _("Refused in writing")
    DISMISSED = "dismissed", _("Proposal set aside")


OPEN_STATES = (State.PROPOSED, State.RECEIVED, State.VERIFIED)


class AppliedBy(models.TextChoices):
    CARER = "carer", _("The child's carer")
    FACILITY = "facility", _("The facility caring for the child")
    HAVEN = "haven", _("Haven's proposal, taken up by the commune")
    COMMUNE = "commune", _("The commune")


class ProcedureQuerySet(models.QuerySet):
    """Applications and periods are the commune's files: its officers and chairman read those of their
    commune (a province those of its communes), even after the child has moved away; whoever sees the
    child (the facility caring for it, the new commune) reads them too."""

    def visible_to(self, user):
        from haven.access.policy import Verb
        from haven.access.scoping import child_filter, record_filter

        clauses = [
            q
            for q in (
                record_filter(
                    user, Verb.CHILD_VIEW, commune="commune", organisations=self.model.organisation_fields
                ),
                child_filter(user, Verb.CHILD_VIEW, "child__"),
            )
            if q is not None
        ]
        if not clauses:
            return self.none()
        combined = clauses[0]
        for clause in clauses[1:]:
            combined |= clause
        return self.filter(combined, child__merged_into__isnull=True)


class Application(TimeStamped):
    """A request to start, adjust, stop or continue a child's allowance, and the commune chairman's
    answer (Decree 20/2021 art. 7–8 as amended; from 1 July 2025 Decree 147/2025 art. 5: the commune
    chairman verifies, checks the child against the national population database and decides within
    10 working days, or refuses in writing with the reasons). Every change of ``state`` is a step of
    the table in workflow.py."""

    child_prefix = "child__"
    organisation_fields = ("applicant_organisation",)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="allowance_applications")
    programme = models.CharField(
        _("programme"), max_length=30, choices=Programme.choices, default=Programme.MONTHLY_ALLOWANCE
    )
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    # The commune whose chairman decides: where the child lives (the paying commune for a change).
    commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    applied_by = models.CharField(_("applied by"), max_length=10, choices=AppliedBy.choices)
    applicant_name = models.CharField(_("applicant's name"), max_length=150, blank=True)
    applicant_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    ground = models.CharField(_("ground of entitlement"), max_length=20, choices=Ground.choices)
    care_situation = models.CharField(_("care situation"), max_length=20, choices=CareSituation.choices)
    studying = models.BooleanField(_("still studying"), default=False)
    # A change takes effect from the first day of this month; a start, from the month of the decision.
    effective_month = models.DateField(_("from the month"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # What a proposal answers (a birth registered, a birthday, an adoption): Haven proposes once for it.
    trigger = models.CharField(max_length=80, blank=True, editable=False)
    # The period a change adjusts or stops, or that a continuation follows after a move.
    entitlement = models.ForeignKey(
        "entitlements.Entitlement", on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    moved_to = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved to the commune"),
    )
    # A pupil's support is for one enrolment (one school year at one school): paid for its months.
    enrolment = models.ForeignKey(
        "education.Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supports",
        verbose_name=_("enrolment"),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pin_checked_at = models.DateTimeField(_("checked against the population register"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_reasons = models.TextField(_("reasons for the refusal"), blank=True)
    dismissal_reason = models.TextField(_("why the proposal was set aside"), blank=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("allowance application")
        indexes = [models.Index(fields=["commune", "state"]), models.Index(fields=["child", "programme"])]
        constraints = [
            # One procedure at a time for a child and a programme: two could decide contrary things.
            models.UniqueConstraint(
                fields=["child", "programme"],
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="one_open_application",
            ),
            models.UniqueConstraint(
                fields=["child", "trigger"], condition=~Q(trigger=""), name="proposed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.child}"

    @property
    def for_school(self) -> bool:
        return self.programme in SCHOOL_PROGRAMMES

    @property
    def title(self) -> str:
        """What is asked, in the reader's words: the allowance's request, or the pupil's support."""
        return self.get_programme_display() if self.for_school else self.get_kind_display()

    @property
    def responsible(self):
        from haven.accounts.selectors import authority_for

        return authority_for(self.commune)


class Step(TimelineStep):
    case = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class EntitlementQuerySet(ProcedureQuerySet, DatedQuerySet):
    pass


class Entitlement(DatedFields, TimeStamped):
    """A decided period of a child's allowance: from the first day of ``from_month`` until the first
    day of ``until_month`` (excluded; empty while it runs), paid by ``commune`` on the facts the
    chairman decided. A change ends one period and starts the next on the same month; a child's periods
    for a programme never share a month, so no month is paid twice."""

    child_prefix = "child__"
    organisation_fields: tuple[str, ...] = ()
    dated_fields = ("from_month", "until_month")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="allowances")
    programme = models.CharField(_("programme"), max_length=30, choices=Programme.choices)
    commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    ground = models.CharField(_("ground of entitlement"), max_length=20, choices=Ground.choices)
    care_situation = models.CharField(_("care situation"), max_length=20, choices=CareSituation.choices)
    studying = models.BooleanField(_("still studying"), default=False)
    from_month = models.DateField(_("from the month"))
    until_month = models.DateField(_("until the month (excluded)"), null=True, blank=True)
    decision = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("allowance period")
        ordering = ["from_month"]
        indexes = [models.Index(fields=["commune", "until_month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "programme"],
                condition=Q(until_month__isnull=True),
                name="one_running_period",
            ),
            models.CheckConstraint(
                condition=Q(until_month__isnull=True) | Q(until_month__gt=models.F("from_month")),
                name="period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.from_month:%m/%Y}–"


# --- The monthly payroll ------------------------------------------------------------------------


class PayrollState(models.TextChoices):
    # Opened by Haven at the start of the month before: the commune's list is due before the 25th.
    DUE = "due", _("To prepare")
    PREPARED = "prepared", _("Prepared")
    APPROVED = "approved", _("Approved and closed")
    SENT = "sent", _("Sent to the payment provider")


class LineKind(models.TextChoices):
    # The payroll's own month (not the reader's): "a regular monthly payment" in the reader's words.
    REGULAR = "regular", pgettext_lazy("payroll line", "This month")
    ARREAR = "arrear", _("Arrears of an earlier month")
    RECOVERY = "recovery", _("Recovery of a month paid but not due")
    # A payment the provider could not make (or that came back uncollected), paid again.
    REISSUE = "reissue", _("Paid again after a failed payment")


class PayrollQuerySet(models.QuerySet):
    """A commune's payrolls: its officers and chairman, and its province's department."""

    def visible_to(self, user, verb=None):
        from haven.access.policy import Verb
        from haven.access.scoping import record_filter

        q = record_filter(user, verb or Verb.CHILD_VIEW, commune="commune", organisations=())
        return self.none() if q is None else self.filter(q)


class PayrollRun(TimeStamped):
    """One commune's payroll for one month: the list sent to the payment provider before the 25th
    (Decree 20/2021 art. 34). Once approved it is closed and never changes: a later correction is a
    line of a later month's payroll (arrears, recovery), referring to the month it corrects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    month = models.DateField(_("month"))
    state = models.CharField(
        _("state"), max_length=10, choices=PayrollState.choices, default=PayrollState.PREPARED
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(_("sent to the provider on"), null=True, blank=True)
    provider = models.CharField(_("payment provider"), max_length=150, blank=True)

    objects = PayrollQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly payroll")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="one_payroll_per_commune_month")
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.month:%m/%Y}"

    @property
    def responsible(self):
        from haven.accounts.selectors import authority_for

        return authority_for(self.commune)


class PayrollStep(TimelineStep):
    child_prefix = ""
    case = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class PaymentLine(models.Model):
    """One payment of one child for one month, with every input it was computed from frozen beside it
    (the rule, the coefficient, the level, the child's age, the decision), so that a later change of
    the register or the rules never changes a closed month. The key (child, programme, month, kind)
    makes a payroll safe to prepare again: a month is never paid twice."""

    child_prefix = "child__"

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="lines")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    programme = models.CharField(max_length=30, choices=Programme.choices)
    # The month paid for (an arrear or a recovery: an earlier month than the run's).
    month = models.DateField(_("month paid for"))
    kind = models.CharField(_("kind of payment"), max_length=10, choices=LineKind.choices)
    amount = models.IntegerField(_("amount (đồng)"))
    period = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(BenefitRule, on_delete=models.PROTECT, null=True, related_name="+")
    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, null=True, related_name="+")
    coefficient = models.DecimalField(max_digits=4, decimal_places=2, null=True)
    level = models.PositiveIntegerField(null=True)
    age = models.PositiveSmallIntegerField(null=True)
    verified = models.BooleanField(default=False)
    # A recovery refers to the payment it takes back; a reissue to the payment that failed.
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Who receives it and how (bank, post office, cash at home): the method in force when the list was
    # prepared, kept as it was once the payroll is approved.
    payee = models.ForeignKey(
        "entitlements.PaymentMethod", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["child__family_name", "child__given_name", "month"]
        constraints = [
            models.UniqueConstraint(fields=["child", "programme", "month", "kind"], name="paid_once"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.month:%m/%Y} {self.kind} {self.amount}"


from haven.entitlements.models.health import CardBasis, HealthInsuranceCard  # noqa: E402
from haven.entitlements.models.payments import (  # noqa: E402
    Confirmation,
    Method,
    Outcome,
    PaymentMethod,
    ProviderReturn,
)
from haven.entitlements.models.schooling import Instalment  # noqa: E402

__all__ = [
    "ALLOWANCE_GROUNDS",
    "OPEN_STATES",
    "PROVINCIAL_KEYS",
    "SCHOOL_PROGRAMMES",
    "TUITION_KEY_OF_LEVEL",
    "Application",
    "AppliedBy",
    "BenefitRule",
    "CardBasis",
    "CareSituation",
    "Cited",
    "Confirmation",
    "Entitlement",
    "Ground",
    "HealthInsuranceCard",
    "Instalment",
    "Kind",
    "LineKind",
    "Method",
    "Outcome",
    "Parameter",
    "ParameterKey",
    "PaymentLine",
    "PaymentMethod",
    "PayrollRun",
    "PayrollState",
    "PayrollStep",
    "Programme",
    "ProviderReturn",
    "State",
    "Step",
]
