"""Dashboards for the commune, the province and the nation: every indicator of an area, each one's
chart beside its table, the scorecard of the areas below, and the exports. Thin: parse, check access,
call a selector, render; reading figures is audited (counts only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can
from haven.audit.services import record
from haven.reports import charts, exports, periods, selectors
from haven.reports.disclosure import threshold
from haven.reports.periods import BadPeriod, Kind, Period
from haven.reports.registry import UNIT_TITLES, Unit, indicator
from haven.reports.tables import Release


def _period(request, default: Kind = Kind.MONTH) -> Period:
    """The period asked for, or the current month; a period that names nothing is said so, and the
    current one is shown instead."""
    key = request.GET.get("period", "")
    if key:
        try:
            return periods.parse(key)
        except BadPeriod as bad:
            messages.error(request, str(bad))
    kind = request.GET.get("kind", "")
    return periods.current(Kind(kind) if kind in Kind.__members__.values() else default)


def _context(request, scope, period: Period) -> dict:
    kinds = [(k, k.label, periods.current(k).key) for k in Kind]
    return {
        "scope": scope,
        "period": period,
        "previous": period.previous(),
        "following": period.next() if period.end <= periods.current(period.kind).start else None,
        "kinds": kinds,
        "trail": selectors.trail(request.user, scope),
        "disclosure_threshold": threshold(),
        "can_team": can(request.user, Verb.DEADLINE_TEAM),
    }


def _audit(request, action: str, scope, period: Period, **data) -> None:
    record(
        actor=request.user,
        action=action,
        data={"area": scope.code if scope else "national", "period": period.key, **data},
    )


def chart_of(rel: Release, dimension: str = "") -> str:
    """The chart of one table of a release: its rows (areas, or the categories of a breakdown)."""
    table = rel.tables[dimension]
    unit = rel.indicator.unit
    scale = 100 if unit is Unit.PERCENT else None
    target = float(rel.target.value) if rel.target is not None and dimension == "" else None
    if dimension == "":
        previous = {}
        if rel.previous is not None:
            previous = {r.area.pk: r.total.figure for r in rel.previous.main.rows}
        bars = [
            charts.Bar(r.label, r.total.figure, r.total.shown, previous.get(r.area.pk), r.status)
            for r in table.rows
        ]
        if len(bars) <= 1:
            bars = [
                charts.Bar(
                    table.total.label,
                    rel.total.figure,
                    rel.total.shown,
                    rel.previous.total.figure if rel.previous else None,
                    rel.status,
                )
            ]
    else:
        bars = [
            charts.Bar(label, table.total.cells[code].figure, table.total.cells[code].shown)
            for code, label in table.categories
        ]
    title = f"{rel.indicator.name} — {table.title or table.total.label}"
    return charts.bar_chart(bars, title=title, scale_max=scale, target=target)


def _this_and_before(rel: Release) -> str:
    """A dashboard card's chart: this period's bar and the previous period's."""
    bars = [charts.Bar(str(rel.period), rel.total.figure, rel.total.shown, status=rel.status)]
    if rel.previous is not None:
        bars.append(charts.Bar(str(rel.previous.period), rel.previous.total.figure, rel.previous.total.shown))
    return charts.bar_chart(
        bars,
        title=str(rel.indicator.name),
        scale_max=100 if rel.indicator.unit is Unit.PERCENT else None,
        target=float(rel.target.value) if rel.target is not None else None,
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def dashboard(request):
    """Every indicator of an area for a period, with the period before and the target."""
    scope = selectors.scope_for(request.user, request.GET.get("area"))
    period = _period(request)
    view = selectors.overview(request.user, scope, period)
    _audit(request, "report.dashboard_view", scope, period)
    lines = [{"rel": rel, "chart": _this_and_before(rel)} for rel in view.releases]
    context = _context(request, scope, period) | {"lines": lines}
    return render(request, "reports/dashboard.html", context)


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def indicator_page(request, code: str):
    """One indicator: its passport, its chart and table by area, each breakdown, the exports."""
    ind = indicator(code)
    if ind is None:
        raise NotVisible
    scope = selectors.scope_for(request.user, request.GET.get("area"))
    period = selectors.period_for(ind, _period(request, ind.periods[0]))
    rel = selectors.release(ind, period, scope, user=request.user)
    _audit(request, "report.indicator_view", scope, period, indicator=ind.code)
    tables = [
        {"table": table, "chart": chart_of(rel, dimension), "by": dimension}
        for dimension, table in rel.tables.items()
    ]
    late = ""
    if ind.late_url and (ind.late_url != "deadlines:team" or can(request.user, Verb.DEADLINE_TEAM)):
        late = reverse(ind.late_url)
    context = _context(request, scope, period) | {
        "rel": rel,
        "ind": ind,
        "tables": tables,
        "unit_title": UNIT_TITLES[ind.unit],
        "late": late,
        "kinds": [(k, k.label, periods.current(k).key) for k in ind.periods],
    }
    return render(request, "reports/indicator.html", context)


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def scorecard(request):
    """The areas one level down, ranked, each cell coloured against its target."""
    scope = selectors.scope_for(request.user, request.GET.get("area"))
    period = _period(request)
    card = selectors.scorecard(request.user, scope, period)
    _audit(request, "report.scorecard_view", scope, period)
    return render(request, "reports/scorecard.html", _context(request, scope, period) | {"card": card})


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def export(request, code: str, fmt: str):
    """One table of an indicator as CSV or XLSX, under the same disclosure as the page; audited."""
    ind = indicator(code)
    if ind is None or fmt not in ("csv", "xlsx"):
        raise NotVisible
    scope = selectors.scope_for(request.user, request.GET.get("area"))
    period = selectors.period_for(ind, _period(request, ind.periods[0]))
    rel = selectors.release(ind, period, scope, user=request.user, previous=False)
    by = request.GET.get("by", "")
    if by not in rel.tables:
        raise NotVisible
    content, mime, name = exports.export(rel, by, fmt)
    _audit(request, "report.export", scope, period, indicator=ind.code, by=by, format=fmt)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
