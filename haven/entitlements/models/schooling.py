"""A pupil's support paid by the semester: the learning-cost support (Decree 81/2021/NĐ-CP art. 18 and
20(10), replaced by Decree 238/2025/NĐ-CP) and the tuition support of a pupil at a private school
(Resolution 217/2025/QH15 art. 2).

The chairman decides the support once for an enrolment (an ``Application`` of a school programme);
each semester that has begun is then one ``Instalment``: the months of the semester the child was
enrolled, within the year's cap, times the amount in force on the semester's first day, every input
frozen beside it. The database pays a child once for a programme and a semester, whatever retries
or a second enrolment in the same year.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from haven.core.models import TimeStamped


class Semester(models.IntegerChoices):
    FIRST = 1, _("First semester")
    SECOND = 2, _("Second semester")


class InstalmentQuerySet(models.QuerySet):
    """The commune's files, as its applications are (models.ProcedureQuerySet)."""

    def visible_to(self, user):
        from haven.entitlements.models import ProcedureQuerySet

        return ProcedureQuerySet.visible_to(self, user)


class Instalment(TimeStamped):
    """One semester of one pupil's support, due to be paid by the commune that decided it."""

    child_prefix = "child__"
    organisation_fields: tuple[str, ...] = ()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="school_instalments")
    programme = models.CharField(_("programme"), max_length=30)
    school_year = models.PositiveSmallIntegerField(_("school year (the year it starts)"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    decision = models.ForeignKey(
        "entitlements.Application", on_delete=models.PROTECT, related_name="instalments"
    )
    enrolment = models.ForeignKey("education.Enrolment", on_delete=models.PROTECT, related_name="+")
    # The commune whose chairman decided: it pays.
    commune = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    # The months counted: [from_month, until_month), the child enrolled on a day of each.
    from_month = models.DateField(_("from the month"))
    until_month = models.DateField(_("until the month (excluded)"))
    months = models.PositiveSmallIntegerField(_("months"))
    monthly = models.PositiveIntegerField(_("amount a month (đồng)"))
    amount = models.PositiveIntegerField(_("amount (đồng)"))
    parameter = models.ForeignKey("entitlements.Parameter", on_delete=models.PROTECT, related_name="+")
    # The amount and the schedule were both checked against the official text.
    verified = models.BooleanField(default=False)
    # Capped at the school's own fee (tuition support at a private school).
    capped_by_fee = models.BooleanField(default=False)

    objects = InstalmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("support instalment")
        ordering = ["-school_year", "-semester"]
        indexes = [models.Index(fields=["commune", "school_year", "semester"], name="instalment_commune_idx")]
        constraints = [
            # A semester is paid once for a child and a programme, whatever retries or a second school.
            models.UniqueConstraint(
                fields=["child", "programme", "school_year", "semester"], name="instalment_once_a_semester"
            ),
            models.CheckConstraint(condition=Q(months__gte=1) & Q(months__lte=12), name="instalment_months"),
            models.CheckConstraint(condition=Q(amount=F("monthly") * F("months")), name="instalment_amount"),
            models.CheckConstraint(condition=Q(until_month__gt=F("from_month")), name="instalment_period"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.school_year}/{self.semester} {self.amount}"

    @property
    def last_month(self):
        """The last month counted (``until_month`` is the first one not counted)."""
        import datetime as dt

        return (self.until_month - dt.timedelta(days=1)).replace(day=1)

    @property
    def year_label(self) -> str:
        return f"{self.school_year}–{self.school_year + 1}"
