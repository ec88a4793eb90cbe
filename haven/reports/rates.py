"""Reporting rates as DHIS2 counts them: for a report type and a period, the reports expected (every
commune and province in force), those received (submitted and not returned), those received on time
(first submitted by the type's day), and those approved — per province and for the nation, or, within a
province, each commune's report. Counts of reports, not of children: no disclosure control applies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from haven.areas.models import Area
from haven.reports.models import RECEIVED, PeriodicReport, ReportState
from haven.reports.periodic import Level, ReportType
from haven.reports.periods import Period


@dataclass
class Rate:
    area: Area | None
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    approved_province: int = 0
    approved: int = 0
    # The area's own report (a province's), where the row is a province.
    own: PeriodicReport | None = None

    @property
    def rate(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


@dataclass
class Rates:
    kind: ReportType
    period: Period
    scope: Area | None
    rows: list[Rate] = field(default_factory=list)
    total: Rate = field(default_factory=lambda: Rate(None))
    # Within a province: each commune's report (None where not generated yet), by commune.
    reports: list[tuple[Area, PeriodicReport | None]] = field(default_factory=list)


def _counts(reports) -> dict:
    received = Q(state__in=RECEIVED)
    return reports.aggregate(
        submitted=Count("pk", filter=received),
        on_time=Count(
            "pk",
            filter=received & Q(first_submitted_at__date__lte=F("due_on")),
        ),
        approved_province=Count(
            "pk", filter=Q(state__in=(ReportState.PROVINCE_APPROVED, ReportState.APPROVED))
        ),
        approved=Count("pk", filter=Q(state=ReportState.APPROVED)),
    )


def rates(kind: ReportType, period: Period, scope: Area | None) -> Rates:
    """The commune reports' rates by province (the nation) or the province's communes' reports."""
    out = Rates(kind, period, scope)
    reports = PeriodicReport.objects.filter(report_type=kind.code, period=period.key)
    communes = Area.objects.current(period.last_day).filter(level=Level.COMMUNE)
    if scope is None:
        provinces = list(Area.objects.current(period.last_day).provinces().order_by("name"))
        expected = dict(communes.values("parent_id").annotate(n=Count("pk")).values_list("parent_id", "n"))
        by_province = {
            r["area__parent_id"]: r
            for r in reports.filter(level=Level.COMMUNE)
            .values("area__parent_id")
            .annotate(
                submitted=Count("pk", filter=Q(state__in=RECEIVED)),
                on_time=Count(
                    "pk",
                    filter=Q(state__in=RECEIVED, first_submitted_at__date__lte=F("due_on")),
                ),
                approved_province=Count(
                    "pk", filter=Q(state__in=(ReportState.PROVINCE_APPROVED, ReportState.APPROVED))
                ),
                approved=Count("pk", filter=Q(state=ReportState.APPROVED)),
            )
        }
        own = {r.area_id: r for r in reports.filter(level=Level.PROVINCE)}
        for province in provinces:
            found = by_province.get(province.pk, {})
            row = Rate(
                province,
                expected=expected.get(province.pk, 0),
                submitted=found.get("submitted", 0),
                on_time=found.get("on_time", 0),
                approved_province=found.get("approved_province", 0),
                approved=found.get("approved", 0),
                own=own.get(province.pk),
            )
            out.rows.append(row)
        for name in ("expected", "submitted", "on_time", "approved_province", "approved"):
            setattr(out.total, name, sum(getattr(r, name) for r in out.rows))
        return out
    mine = communes.filter(parent=scope).order_by("name") if scope.level == Level.PROVINCE else [scope]
    found = {r.area_id: r for r in reports.filter(area__in=mine)}
    out.reports = [(c, found.get(c.pk)) for c in mine]
    counts = _counts(reports.filter(area__in=mine))
    out.total = Rate(scope, expected=len(out.reports), **counts)
    if scope.level == Level.PROVINCE:
        out.total.own = reports.filter(area=scope).first()
    return out
