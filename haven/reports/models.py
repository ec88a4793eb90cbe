"""What the reports keep: the counted facts of each indicator and period (a summary table refreshed by
the sweep, so a national dashboard sums a few thousand rows instead of scanning every case), and the
child population figures that rates per 100,000 children are counted against."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields, DatedQuerySet
from haven.core.models import TimeStamped
from haven.workflow.models import TimelineStep


class Computation(models.Model):
    """When an indicator was last counted for a period. Counts only: no child's identity."""

    indicator = models.CharField(max_length=20)
    period = models.CharField(max_length=8)
    computed_at = models.DateTimeField()
    # How long the count took, for the performance figures (docs/performance.md).
    seconds = models.FloatField(default=0)
    # New at every count: what the dashboards' cache is keyed by (reports/tables.py).
    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="computation_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} at {self.computed_at:%Y-%m-%d %H:%M}"


class StoredFact(models.Model):
    """One counted fact (reports/compute.py): an area's numerator and denominator for a category of a
    breakdown of an indicator in a period. Replaced whole, per indicator and period, when recounted."""

    indicator = models.CharField(max_length=20)
    period = models.CharField(max_length=8)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(max_length=10, blank=True)
    category = models.CharField(max_length=60, blank=True)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["indicator", "period", "dimension"], name="fact_lookup_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "area", "dimension", "category"], name="fact_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.area_id} {self.dimension}={self.category}"


class ChildPopulation(DatedFields, TimeStamped):
    """The number of children living in an area (the nation when ``area`` is empty), as published by a
    named source, in force from ``valid_from`` until the next figure. Rates per 100,000 children are
    counted against the figure in force on the period's last day; without one, no rate is shown."""

    dated_fields = ("valid_from", "valid_to")

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    children = models.PositiveIntegerField(_("children"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Who published the figure and where: a census, a statistical yearbook, the population register.
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="population_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(children__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area or 'VN'}: {self.children} from {self.valid_from}"


# --- Periodic reports and reminders ------------------------------------------------------------------


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Generated, to review")
    REVIEWED = "reviewed", _("Reviewed, to submit")
    SUBMITTED = "submitted", _("Submitted, to approve")
    RETURNED = "returned", _("Returned for correction")
    PROVINCE_APPROVED = "province_approved", _("Approved by the province, with the Ministry")
    APPROVED = "approved", _("Approved")


# The states in which the report is with the area that makes it (its figures may be recounted).
WITH_MAKER = (ReportState.DRAFT, ReportState.REVIEWED, ReportState.RETURNED)
# Submitted and not returned: what DHIS2 counts as a report received.
RECEIVED = (ReportState.SUBMITTED, ReportState.PROVINCE_APPROVED, ReportState.APPROVED)


class PeriodicReportQuerySet(models.QuerySet):
    def visible_to(self, user, verb=None) -> PeriodicReportQuerySet:
        """A commune's officer and chairman see their commune's reports; a provincial officer those of
        the province and its communes; the Ministry every report. Counts only: no child's identity,
        but exact counts, so only for those who may see the children behind them in the area (the
        central monitoring office reads the reporting rates, not the reports)."""
        from haven.access.policy import POLICY, Scope, Verb
        from haven.access.scoping import granting
        from haven.accounts.models import Role

        q = Q(pk__in=[])
        for m in granting(user, Verb.AGGREGATE_VIEW):
            scope = POLICY[Role(m.role)].scope
            if scope is Scope.NATION:
                return self.all()
            if scope is Scope.AREA:
                area = m.organisation.area
                q |= Q(area=area)
                if area.level == "province":
                    q |= Q(area__parent=area)
        return self.filter(q)


class PeriodicReport(TimeStamped):
    """One report of one area for one period, expected whether or not anyone makes it (DHIS2's
    "expected reports"): Haven generates it when the period closes, with the registry's counts for the
    area frozen in ``figures``; people review, submit and approve it. Approval freezes the figures: the
    digest of what was approved is kept, and counting the period again either gives the same digest or
    shows the difference."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report_type = models.CharField(_("report"), max_length=20)
    period = models.CharField(_("period"), max_length=8)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    level = models.CharField(max_length=10)
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    due_on = models.DateField(_("due on"))
    # {"indicators": [{"code", "period", "unit", "cells": [[dimension, category, numerator, denominator]]}]}
    figures = models.JSONField(default=dict)
    # SHA-256 of the figures written canonically: the same figures always give the same digest.
    digest = models.CharField(max_length=64)
    # When each indicator's counts were taken: {code: ISO time}.
    counted = models.JSONField(default=dict)
    generated_at = models.DateTimeField()
    # The first submission decides whether the report came on time (DHIS2's timeliness).
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    province_approved_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # The digest the approvers approved: the figures cannot change under it.
    approved_digest = models.CharField(max_length=64, blank=True)

    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("periodic report")
        ordering = ["-period", "area__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_type", "period", "area"], name="one_report_per_area_period"
            ),
        ]
        indexes = [models.Index(fields=["report_type", "period", "level"], name="report_rates_idx")]

    def __str__(self) -> str:
        return f"{self.report_type} {self.period} {self.area_id}"

    @property
    def kind(self):
        from haven.reports.periodic import report_type

        return report_type(self.report_type)

    @property
    def period_obj(self):
        from haven.reports.periods import parse

        return parse(self.period)

    @property
    def period_name(self) -> str:
        return str(self.period_obj)

    @property
    def responsible(self):
        """Who answers for making the report: the commune's People's Committee (or the body standing
        in for it), or the province's Department of Health."""
        from haven.accounts.selectors import authority_for

        known = getattr(self, "_authority", None)
        if known is not None:
            return known
        if self.level == "commune":
            self._authority = authority_for(self.area)
        else:
            self._authority = province_authority(self.area)
        return self._authority

    @property
    def on_time(self) -> bool | None:
        if self.first_submitted_at is None:
            return None
        from haven.core import calendar

        return self.first_submitted_at <= calendar.day_end(self.due_on)


def province_authority(province):
    """The province's Department of Health, or the Ministry where Haven has none."""
    from haven.accounts.models import Organisation, OrganisationKind

    found = (
        Organisation.objects.filter(kind=OrganisationKind.PROVINCIAL_HEALTH, area=province, is_active=True)
        .order_by("pk")
        .first()
    )
    return found or ministry()


def ministry():
    from haven.accounts.models import Organisation, OrganisationKind
    from haven.core.errors import Refused

    found = (
        Organisation.objects.filter(kind=OrganisationKind.MINISTRY_OF_HEALTH, is_active=True)
        .order_by("pk")
        .first()
    )
    if found is None:
        raise Refused(_("The Ministry of Health is not set up in Haven."), code="no_authority")
    return found


class ReportStep(TimelineStep):
    child_prefix = ""
    case = models.ForeignKey(PeriodicReport, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass


class UrgingState(models.TextChoices):
    OPEN = "open", _("Reminder to send")
    SENT = "sent", _("Reminder sent")
    SET_ASIDE = "set_aside", _("Set aside")


class UrgingQuerySet(models.QuerySet):
    def visible_to(self, user, verb=None) -> UrgingQuerySet:
        """The province sees the reminders of its communes; a commune those addressed to it; the
        Ministry all."""
        from haven.access.policy import POLICY, Scope, Verb
        from haven.access.scoping import granting
        from haven.accounts.models import Role

        q = Q(pk__in=[])
        for m in granting(user, Verb.AGGREGATE_VIEW):
            scope = POLICY[Role(m.role)].scope
            if scope is Scope.NATION:
                return self.all()
            if scope is Scope.AREA:
                area = m.organisation.area
                q |= Q(commune=area) | Q(commune__parent=area)
        return self.filter(q)


class Urging(TimeStamped):
    """A reminder the province owes a commune that missed an indicator's target two periods in a row
    (Notice 432-TB/VPTW §4.6: "monitor, urge, report"). Haven opens it; the provincial officer sends it,
    and the commune is told in its inbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    indicator = models.CharField(_("indicator"), max_length=20)
    # The second of the two periods missed, and the one before it.
    period = models.CharField(_("period"), max_length=8)
    previous = models.CharField(max_length=8)
    state = models.CharField(_("state"), max_length=10, choices=UrgingState.choices, default=UrgingState.OPEN)
    # The commune's values in the two periods and the target, as Haven found them.
    found = models.JSONField(default=dict)
    message = models.TextField(_("message"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = UrgingQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        ordering = ["-period", "commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "indicator", "period"], name="one_urging_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.commune_id}"

    @property
    def period_name(self) -> str:
        from haven.reports.periods import parse

        return str(parse(self.period))

    @property
    def indicator_name(self) -> str:
        """The indicator missed, by its name: a commune may be reminded of several in one period."""
        from haven.reports.registry import INDICATORS

        found = INDICATORS.get(self.indicator)
        return str(found.name) if found else self.indicator

    @property
    def responsible(self):
        return province_authority(self.commune.parent)


class UrgingStep(TimelineStep):
    child_prefix = ""
    case = models.ForeignKey(Urging, on_delete=models.PROTECT, related_name="steps")

    class Meta(TimelineStep.Meta):
        pass
