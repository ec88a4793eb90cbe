"""Preventing abandonment: the indicators of the people at risk and their follow-up (Law on Children
art. 48–49; Notice 432-TB/VPTW part 1), registered with the reports when the app starts.

People at risk are not children in Haven and their health data are sensitive: exact counts go to those
who may see the prevention register of the whole area (``subject``), everyone else gets small cells
hidden.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.deadlines.models import Obligation, Status
from haven.prevention import schedule, workflow
from haven.prevention.models import OPEN_STATES, AtRiskPerson, Outcome
from haven.reports.compute import Window, count
from haven.reports.registry import Indicator, Unit, register

SUBJECT = AtRiskPerson._meta.label_lower


def _followed(window: Window):
    """The people followed on the period's last moment: flagged by then, and still open then (open now,
    or closed after it)."""
    return AtRiskPerson.objects.filter(flagged_at__lt=window.end).filter(
        Q(state__in=OPEN_STATES) | Q(closed_at__gte=window.end)
    )


def with_collaborator(window: Window):
    # Who follows her now: Haven keeps the current collaborator, not the history of assignments.
    return count(
        _followed(window),
        area="commune",
        window=window,
        child=None,
        numerator=Q(collaborator__isnull=False),
    )


def visits_on_time(window: Window):
    commune = AtRiskPerson.objects.filter(pk=OuterRef("subject_id")).values("commune")
    came_due = Obligation.objects.filter(
        subject_type=SUBJECT,
        rule__in=workflow.VISIT_CLOCKS,
        due_at__gte=window.start,
        due_at__lt=window.end,
    ).exclude(status=Status.CANCELLED)
    return count(
        came_due,
        area=Subquery(commune[:1]),
        window=window,
        child=None,
        numerator=Q(status=Status.MET, closed_at__lte=F("due_at")),
    )


def _births(window: Window):
    return AtRiskPerson.objects.filter(
        outcome=Outcome.LIVE_BIRTH, outcome_on__gte=window.period.start, outcome_on__lte=window.on
    )


def kept_with_family(window: Window):
    return count(
        _births(window), area="commune", window=window, child=None, numerator=Q(kept_with_family=True)
    )


def papers_on_time(window: Window):
    within = F("outcome_on") + schedule.PAPERS_WITHIN
    return count(
        _births(window),
        area="commune",
        window=window,
        child=None,
        numerator=Q(
            birth_registered_on__lte=within,
            residence_registered_on__lte=within,
            insurance_issued_on__lte=within,
        ),
    )


PREVENTION = _("Law on Children 2016, art. 48–49; Notice 432-TB/VPTW, part 1")
INDICATORS = (
    Indicator(
        code="HV.RISK.FOLLOWED",
        name=_("People at risk followed by a social collaborator"),
        numerator=_("People at risk of abandoning a child who have a social collaborator"),
        denominator=_("People at risk followed at the end of the period"),
        unit=Unit.PERCENT,
        legal_basis=PREVENTION,
        valid_from=dt.date(2025, 11, 26),
        compute=with_collaborator,
        stock=True,
        subject=Verb.PREVENTION_VIEW,
        late_url="prevention:home",
        order=50,
    ),
    Indicator(
        code="HV.RISK.VISITS",
        name=_("Contacts with people at risk made on time"),
        numerator=_("First contacts, regular contacts and postnatal visits made by their due date"),
        denominator=_("Those that fell due in the period"),
        unit=Unit.PERCENT,
        legal_basis=PREVENTION,
        valid_from=dt.date(2025, 11, 26),
        compute=visits_on_time,
        subject=Verb.PREVENTION_VIEW,
        late_url="deadlines:team",
        order=51,
    ),
    Indicator(
        code="HV.RISK.KEPT",
        name=_("Babies born to people followed who stay with their family"),
        numerator=_("Live births during the period where the child stays with the family"),
        denominator=_("Live births during the period to the people followed"),
        unit=Unit.PERCENT,
        legal_basis=PREVENTION,
        valid_from=dt.date(2025, 11, 26),
        compute=kept_with_family,
        subject=Verb.PREVENTION_VIEW,
        order=52,
    ),
    Indicator(
        code="HV.RISK.PAPERS",
        name=_("Newborns with their papers within 60 days"),
        numerator=_(
            "Births registered, residence registered and health-insurance card issued within 60 days"
        ),
        denominator=_("Live births during the period to the people followed"),
        unit=Unit.PERCENT,
        legal_basis=_("Law on Civil Status 2014, art. 15; Decree 63/2024/NĐ-CP"),
        valid_from=dt.date(2025, 11, 26),
        compute=papers_on_time,
        subject=Verb.PREVENTION_VIEW,
        order=53,
    ),
)


def register_all() -> None:
    register("prevention", INDICATORS)
