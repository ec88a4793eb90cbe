"""/api/v1/reports: the periodic reports (their types with legal basis and due days, the reporting
rates, each report with its figures as the reader may see them, the comparison with a new count) and
their steps — review, comment, recount, submit, return, approve — and the reminders owed to communes,
through the same services and rules as the pages. A report submitted twice is 409
"out_of_order"; an approval by the wrong level is 409 "wrong_level"; both change nothing."""

from __future__ import annotations

import datetime as dt
import uuid

from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import Field, Query, Router, Schema

from haven.access.policy import Verb
from haven.access.scoping import require
from haven.api.errors import Error
from haven.api.steps import Steps, step_responses
from haven.audit.services import record
from haven.core import documents
from haven.core.errors import invalid
from haven.core.limits import LONG_TEXT
from haven.reports import pdf, periods, rates, selectors, services, snapshot
from haven.reports.models import PeriodicReport, ReportState, Urging, UrgingState
from haven.reports.periodic import REPORT_TYPES, report_type
from haven.reports.periods import BadPeriod
from haven.reports.workflow import flow_of

router = Router(tags=["periodic reports"])


class ReportTypeOut(Schema):
    code: str
    period: str = Field(..., description="month, quarter, half or year")
    name: str
    indicators: list[str]
    commune_days: int = Field(..., description="a commune's report is due this many days after the period")
    province_days: int
    legal_basis: str
    verified: bool = Field(..., description="false when the cadence and basis were read only in summaries")
    due_verified: bool = Field(..., description="false when the due days are Haven's defaults")
    caveat: str
    valid_from: dt.date
    valid_to: dt.date | None


class ReportCellOut(Schema):
    dimension: str
    category: str
    numerator: int | None = Field(..., description="null when hidden by the disclosure policy")
    denominator: int | None
    value: float | None
    hidden: bool


class ReportSectionOut(Schema):
    indicator: str
    name: str
    period: str
    value: float | None
    exact: bool
    counted_at: dt.datetime | None
    cells: list[ReportCellOut]


class ReportStepOut(Schema):
    action: str
    title: str
    at: dt.datetime
    actor: str | None
    note: str


class ReportOut(Schema):
    id: uuid.UUID
    type: str
    period: str
    area_code: str
    area_name: str
    level: str
    state: str
    due_on: dt.date
    first_submitted_at: dt.datetime | None
    on_time: bool | None
    approved_at: dt.datetime | None
    digest: str = Field(..., description="SHA-256 of the figures written canonically")
    approved_digest: str
    sections: list[ReportSectionOut]
    timeline: list[ReportStepOut]


class ReportSummaryOut(Schema):
    id: uuid.UUID
    type: str
    period: str
    area_code: str
    state: str
    due_on: dt.date
    on_time: bool | None


class ReportingRateOut(Schema):
    area_code: str | None
    area_name: str
    expected: int
    received: int
    on_time: int
    approved_province: int
    approved: int


class ReportingRatesOut(Schema):
    type: str
    period: str
    rows: list[ReportingRateOut]
    total: ReportingRateOut


class ReportCompareOut(Schema):
    digest: str
    same: bool
    differences: list[dict]


class ReportNoteIn(Schema):
    note: str = Field(..., max_length=LONG_TEXT)


class ReportApproveIn(Schema):
    note: str = Field("", max_length=LONG_TEXT)


class UrgingOut(Schema):
    id: uuid.UUID
    commune_code: str
    indicator: str
    period: str
    previous: str
    state: str
    found: dict
    message: str
    sent_at: dt.datetime | None


def _values(section) -> list[dict]:
    out = [_cell("", "", section.total)]
    for title, cells in section.tables:
        out += [_cell(str(title), str(label), v) for label, v in cells]
    return out


def _cell(dimension, category, v) -> dict:
    return {
        "dimension": dimension,
        "category": category,
        "numerator": None if v.hidden else v.numerator,
        "denominator": None if v.hidden else v.denominator,
        "value": v.figure,
        "hidden": v.hidden,
    }


def _load(user, report_id) -> PeriodicReport:
    return get_object_or_404(
        PeriodicReport.objects.visible_to(user).select_related("area__parent"), pk=report_id
    )


def _detail(user, report_id) -> dict:
    report = _load(user, report_id)
    flow = flow_of(report)
    record(actor=user, action="report.periodic_view", obj=report, data={"digest": report.digest})
    return {
        "id": report.pk,
        "type": report.report_type,
        "period": report.period,
        "area_code": report.area.code,
        "area_name": report.area.name,
        "level": report.level,
        "state": report.state,
        "due_on": report.due_on,
        "first_submitted_at": report.first_submitted_at,
        "on_time": report.on_time,
        "approved_at": report.approved_at,
        "digest": report.digest,
        "approved_digest": report.approved_digest,
        "sections": [
            {
                "indicator": s.indicator.code,
                "name": str(s.indicator.name),
                "period": s.period.key,
                "value": s.total.figure,
                "exact": s.exact,
                "counted_at": s.counted_at,
                "cells": _values(s),
            }
            for s in snapshot.sections(report, user)
        ],
        "timeline": [
            {
                "action": s.action,
                "title": str(flow.transitions[s.action].title),
                "at": s.at,
                "actor": str(s.actor) if s.actor else None,
                "note": s.note,
            }
            for s in report.steps.select_related("actor")
        ],
    }


_reports = Steps(load=_load, detail=_detail, subject_as="report")
STEP = step_responses(ReportOut)


@router.get("/types", response={200: list[ReportTypeOut], 404: Error})
def types(request):
    """The periodic reports required, as data: period, indicators, due days, legal basis and what could
    not be checked."""
    require(request.user, Verb.AGGREGATE_VIEW)
    return [
        {
            "code": t.code,
            "period": t.kind.value,
            "name": str(t.name),
            "indicators": list(t.indicators),
            "commune_days": t.commune_days,
            "province_days": t.province_days,
            "legal_basis": str(t.legal_basis),
            "verified": t.verified,
            "due_verified": t.due_verified,
            "caveat": str(t.caveat),
            "valid_from": t.valid_from,
            "valid_to": t.valid_to,
        }
        for t in REPORT_TYPES
    ]


def _chosen(type_code: str, period: str):
    kind = report_type(type_code)
    if kind is None:
        raise invalid("type", translation.gettext("No periodic report has this code."), "unknown")
    try:
        chosen = periods.parse(period) if period else periods.current(kind.kind).previous()
    except BadPeriod as bad:
        raise invalid("period", str(bad), "bad_period") from None
    return kind, periods.containing(chosen.start, kind.kind)


@router.get("/rates", response={200: ReportingRatesOut, 404: Error, 422: Error})
def reporting_rates(
    request,
    type: str = Query("monthly", max_length=20, description="monthly, quarterly, half or yearly"),
    period: str = Query("", max_length=10, description="the last period ended when empty"),
    area_code: str = Query("", pattern=r"^(\d{2}|\d{5})?$", description="a province; the nation when empty"),
):
    """Expected, received, on time and approved reports, by province for the nation, or for one
    province's communes (DHIS2's reporting rates)."""
    require(request.user, Verb.AGGREGATE_VIEW)
    kind, chosen = _chosen(type, period)
    scope = selectors.scope_for(request.user, area_code or None)
    table = rates.rates(kind, chosen, scope)
    record(
        actor=request.user,
        action="report.rates_view",
        data={"area": scope.code if scope else "national", "type": kind.code, "period": chosen.key},
    )

    def out(r, name=None):
        return {
            "area_code": r.area.code if r.area else None,
            "area_name": name or (r.area.name if r.area else "Viet Nam"),
            "expected": r.expected,
            "received": r.submitted,
            "on_time": r.on_time,
            "approved_province": r.approved_province,
            "approved": r.approved,
        }

    return {
        "type": kind.code,
        "period": chosen.key,
        "rows": [out(r) for r in table.rows],
        "total": out(table.total),
    }


@router.get("", response={200: list[ReportSummaryOut], 422: Error})
def list_reports(
    request,
    type: str = Query("monthly", max_length=20),
    period: str = Query("", max_length=10),
    state: ReportState | None = None,
):
    """The reports the caller may read for a type and period (at most 500), their area first."""
    kind, chosen = _chosen(type, period)
    found = PeriodicReport.objects.visible_to(request.user).filter(report_type=kind.code, period=chosen.key)
    if state is not None:
        found = found.filter(state=state)
    found = list(found.select_related("area").order_by("level", "area__code")[:500])
    record(
        actor=request.user, action="report.periodic_list", data={"shown": len(found), "period": chosen.key}
    )
    return [
        {
            "id": r.pk,
            "type": r.report_type,
            "period": r.period,
            "area_code": r.area.code,
            "state": r.state,
            "due_on": r.due_on,
            "on_time": r.on_time,
        }
        for r in found
    ]


@router.get("/{report_id}", response={200: ReportOut, 404: Error})
def get_report(request, report_id: uuid.UUID):
    return _detail(request.user, report_id)


@router.get("/{report_id}/compare", response={200: ReportCompareOut, 404: Error})
def compare(request, report_id: uuid.UUID):
    """The report's figures counted again from case data now: the digest, and each cell that differs
    (listed only where the reader may see every person behind its indicator's counts)."""
    report = _load(request.user, report_id)
    digest, differences = services.report_compare(report)
    exact = {s.indicator.code for s in snapshot.sections(report, request.user) if s.exact}
    record(actor=request.user, action="report.compare_view", obj=report, data={"digest": digest})
    return {
        "digest": digest,
        "same": digest == report.digest,
        "differences": [
            {
                "indicator": d.indicator,
                "dimension": d.dimension,
                "category": d.category,
                "kept": d.kept,
                "now": d.now,
            }
            for d in differences
            if d.indicator in exact
        ],
    }


@router.get("/{report_id}/pdf", response={200: str, 404: Error})
def report_pdf(request, report_id: uuid.UUID):
    """The report as a Vietnamese PDF: an audited export."""
    report = _load(request.user, report_id)
    with translation.override("vi"):
        content = pdf.periodic_report(report, snapshot.sections(report, request.user))
    record(actor=request.user, action="report.periodic_export", obj=report, data={"format": "pdf"})
    return documents.pdf_response(
        content, f"bao-cao-{report.report_type}-{report.area.code}-{report.period}.pdf"
    )


@router.post("/{report_id}/review", response=STEP)
def review(request, payload: ReportNoteIn, report_id: uuid.UUID):
    return _reports.take(request, report_id, services.report_review, note=payload.note)


@router.post("/{report_id}/comment", response=STEP)
def comment(request, payload: ReportNoteIn, report_id: uuid.UUID):
    return _reports.take(request, report_id, services.report_comment, note=payload.note)


@router.post("/{report_id}/recount", response=STEP)
def recount(request, report_id: uuid.UUID):
    return _reports.take(request, report_id, services.report_recount)


@router.post("/{report_id}/submit", response=STEP)
def submit(request, report_id: uuid.UUID):
    """Submitted twice: 409 "out_of_order", nothing changed."""
    return _reports.take(request, report_id, services.report_submit)


@router.post("/{report_id}/approve", response=STEP)
def approve(request, payload: ReportApproveIn, report_id: uuid.UUID):
    """The province approves a commune's report, then the Ministry; the Ministry a province's. At the
    wrong level: 409 "wrong_level" with the reason."""
    return _reports.take(request, report_id, services.report_approve, note=payload.note)


@router.post("/{report_id}/return", response=STEP)
def return_report(request, payload: ReportNoteIn, report_id: uuid.UUID):
    return _reports.take(request, report_id, services.report_return, note=payload.note)


# --- Reminders ----------------------------------------------------------------------------------------


def _urging(user, urging_id) -> Urging:
    return get_object_or_404(Urging.objects.visible_to(user).select_related("commune"), pk=urging_id)


def _urging_out(user, urging_id) -> dict:
    u = _urging(user, urging_id)
    return {
        "id": u.pk,
        "commune_code": u.commune.code,
        "indicator": u.indicator,
        "period": u.period,
        "previous": u.previous,
        "state": u.state,
        "found": u.found,
        "message": u.message,
        "sent_at": u.sent_at,
    }


_urgings = Steps(load=_urging, detail=_urging_out, subject_as="urging")


@router.get("/reminders/", response={200: list[UrgingOut]})
def list_reminders(request, state: UrgingState | None = None):
    """The reminders owed to (or sent to) the caller's communes, at most 200."""
    found = Urging.objects.visible_to(request.user).select_related("commune").order_by("state", "-period")
    if state is not None:
        found = found.filter(state=state)
    found = list(found[:200])
    record(actor=request.user, action="report.urging_list", data={"shown": len(found)})
    return [_urging_out(request.user, u.pk) for u in found]


@router.post("/reminders/{urging_id}/send", response=step_responses(UrgingOut))
def send_reminder(request, payload: ReportNoteIn, urging_id: uuid.UUID):
    """The provincial officer sends the reminder; the commune is told in its inbox."""
    return _urgings.take(request, urging_id, services.urging_send, message=payload.note)


@router.post("/reminders/{urging_id}/set-aside", response=step_responses(UrgingOut))
def set_aside_reminder(request, payload: ReportNoteIn, urging_id: uuid.UUID):
    return _urgings.take(request, urging_id, services.urging_set_aside, reason=payload.note)
