"""Periodic reports and reminders as pages: the reporting rates of an area with each commune's report,
one report with its figures (as the reader may see them), its steps and its timeline, the comparison
with a new count, its Vietnamese PDF; "who is late" for a red cell; a reminder and its steps. Thin:
parse, check access, call a selector or a service, render; every view and export is audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can
from haven.audit.services import record
from haven.core import clock, documents
from haven.core.errors import Refused
from haven.core.limits import LONG_TEXT
from haven.deadlines.models import Obligation, Status
from haven.reports import pdf, periods, rates, selectors, services, snapshot
from haven.reports.models import PeriodicReport, ReportState, Urging, UrgingState
from haven.reports.periodic import REPORT_TYPES, report_type
from haven.reports.periods import BadPeriod
from haven.reports.registry import indicator
from haven.reports.urging import kind_of
from haven.reports.workflow import URGING, flow_of
from haven.workflow.views import StepPage, step_page, title_of


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What must be corrected"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReminderForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Message to the commune"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class SetAsideForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why no reminder is needed"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# The pages of a report's steps: step name -> (page, the rows it may fire).
STEPS: dict[str, StepPage] = {
    "review": StepPage(
        NoteForm,
        lambda a, r, d: services.report_review(actor=a, report=r, note=d["note"]),
        fires=("review",),
    ),
    "comment": StepPage(
        NoteForm,
        lambda a, r, d: services.report_comment(actor=a, report=r, note=d["note"]),
        fires=("comment",),
    ),
    "recount": StepPage(None, lambda a, r, d: services.report_recount(actor=a, report=r), fires=("recount",)),
    "submit": StepPage(None, lambda a, r, d: services.report_submit(actor=a, report=r), fires=("submit",)),
    "approve": StepPage(
        ApproveForm,
        lambda a, r, d: services.report_approve(actor=a, report=r, note=d.get("note", "")),
        fires=("approve_province", "approve_ministry"),
        chooses=lambda r, d: services._approve_row(r),
    ),
    "return": StepPage(
        ReturnForm,
        lambda a, r, d: services.report_return(actor=a, report=r, note=d["note"]),
        fires=("return_province", "return_ministry"),
        chooses=lambda r, d: (
            "return_province"
            if r.level == "commune" and r.state == ReportState.SUBMITTED
            else "return_ministry"
        ),
    ),
}
URGING_STEPS: dict[str, StepPage] = {
    "send": StepPage(
        ReminderForm,
        lambda a, u, d: services.urging_send(actor=a, urging=u, message=d["note"]),
        initial=lambda u: {"note": reminder_text(u)},
        fires=("send",),
    ),
    "set_aside": StepPage(
        SetAsideForm,
        lambda a, u, d: services.urging_set_aside(actor=a, urging=u, reason=d["note"]),
        fires=("set_aside",),
    ),
}


def _rows_of(report: PeriodicReport, step: str) -> list[str]:
    page = STEPS[step]
    if page.chooses is not None:
        return [page.chooses(report, None)]
    return list(page.fires)


def open_steps(user, report: PeriodicReport) -> list[str]:
    """The steps ``user`` may take on ``report`` now."""
    from haven.access.scoping import memberships

    flow = flow_of(report)
    roles = {m.role for m in memberships(user)}
    found = []
    for step in STEPS:
        for action in _rows_of(report, step):
            if action not in flow.transitions or action not in flow.actions_for(report.state, roles):
                continue
            try:
                membership = flow.acting(user, report, action)
                if "report.stands_in" in flow.transitions[action].guards:
                    from haven.reports.workflow import STANDING_IN

                    STANDING_IN.require(membership, report)
            except (Refused, Http404):
                continue
            found.append(step)
            break
    return found


def _report(user, report_id) -> PeriodicReport:
    return get_object_or_404(
        PeriodicReport.objects.visible_to(user).select_related("area__parent"), pk=report_id
    )


def _chosen(request) -> tuple:
    kind = report_type(request.GET.get("type", "")) or REPORT_TYPES[0]
    period = periods.current(kind.kind).previous()
    key = request.GET.get("period", "")
    if key:
        try:
            asked = periods.parse(key)
        except BadPeriod as bad:
            messages.error(request, str(bad))
        else:
            period = periods.containing(asked.start, kind.kind)
    return kind, period


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def periodic(request):
    """The reporting rates of an area for a report and a period: by province for the nation, each
    commune's report for a province."""
    scope = selectors.scope_for(request.user, request.GET.get("area"))
    kind, period = _chosen(request)
    table = rates.rates(kind, period, scope)
    seen = set(
        PeriodicReport.objects.visible_to(request.user)
        .filter(report_type=kind.code, period=period.key)
        .values_list("pk", flat=True)
    )
    record(
        actor=request.user,
        action="report.rates_view",
        data={"area": scope.code if scope else "national", "type": kind.code, "period": period.key},
    )
    return render(
        request,
        "reports/periodic.html",
        {
            "scope": scope,
            "kind": kind,
            "period": period,
            "previous": period.previous(),
            "following": period.next() if period.next().end <= periods.current(kind.kind).start else None,
            "types": REPORT_TYPES,
            "table": table,
            "seen": seen,
            "trail": selectors.trail(request.user, scope),
            "today": clock.today(),
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def report_page(request, report_id):
    report = _report(request.user, report_id)
    flow = flow_of(report)
    record(actor=request.user, action="report.periodic_view", obj=report, data={"digest": report.digest})
    steps = [
        (
            step,
            reverse("reports:report_step", args=[report.pk, step]),
            title_of(flow, _rows_of(report, step)[0], STEPS[step]),
        )
        for step in open_steps(request.user, report)
    ]
    clocks = Obligation.objects.filter(subject_type="reports.periodicreport", subject_id=report.pk).order_by(
        "opened_at"
    )
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "kind": report.kind,
            "period": report.period_obj,
            "sections": snapshot.sections(report, request.user),
            "steps": steps,
            "timeline": [
                (s, flow.transitions[s.action].title)
                for s in report.steps.select_related("actor", "organisation")
            ],
            "clocks": clocks,
            "open_status": Status.OPEN,
            "frozen": report.state in (ReportState.PROVINCE_APPROVED, ReportState.APPROVED),
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_http_methods(["GET", "POST"])
def report_step(request, report_id, step: str):
    if step not in STEPS:
        raise NotVisible
    report = _report(request.user, report_id)
    rows = _rows_of(report, step)
    flow = flow_of(report)
    if not all(r in flow.transitions for r in rows):
        raise NotVisible
    return step_page(
        request,
        flow=flow,
        subject=report,
        step=rows[0],
        page=STEPS[step],
        back=reverse("reports:report", args=[report.pk]),
        open_steps=[_rows_of(report, s)[0] for s in open_steps(request.user, report)],
        context={
            "subject_label": label_of(report),
            "subject_link": True,
            "legal_basis": report.kind.legal_basis,
        },
    )


def label_of(report: PeriodicReport) -> str:
    return f"{report.kind.name} — {report.area.name} — {report.period_obj}"


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def report_compare(request, report_id):
    """The report's figures counted again from case data now, beside those it holds."""
    report = _report(request.user, report_id)
    digest, differences = services.report_compare(report)
    record(actor=request.user, action="report.compare_view", obj=report, data={"digest": digest})
    # A cell is listed to a reader who may see every person behind its indicator's counts; of the
    # others the reader is told only that they differ.
    exact = {s.indicator.code for s in snapshot.sections(report, request.user) if s.exact}
    shown = [d for d in differences if d.indicator in exact]
    return render(
        request,
        "reports/compare.html",
        {
            "report": report,
            "label": label_of(report),
            "digest": digest,
            "same": digest == report.digest,
            "differences": shown,
            "withheld": len(differences) - len(shown),
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def report_pdf(request, report_id):
    """The report as a Vietnamese document, with the figures the reader may see; audited."""
    report = _report(request.user, report_id)
    with translation.override("vi"):
        content = pdf.periodic_report(report, snapshot.sections(report, request.user))
    record(
        actor=request.user,
        action="report.periodic_export",
        obj=report,
        data={"format": "pdf", "digest": report.digest},
    )
    return documents.pdf_response(
        content, f"bao-cao-{report.report_type}-{report.area.code}-{report.period}.pdf"
    )


# --- Who is late, and reminders ------------------------------------------------------------------------


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def late(request):
    """Who is late on an indicator in an area: the areas below it that miss the target (a province's
    communes, the nation's provinces), the reminders owed and sent, the overdue steps and reports."""
    ind = indicator(request.GET.get("indicator", ""))
    if ind is None:
        raise NotVisible
    scope = selectors.scope_for(request.user, request.GET.get("area"))
    key = request.GET.get("period", "")
    try:
        period = periods.parse(key) if key else periods.current(kind_of(ind)).previous()
    except BadPeriod as bad:
        messages.error(request, str(bad))
        period = periods.current(kind_of(ind)).previous()
    period = selectors.period_for(ind, period)
    rel = selectors.release(ind, period, scope, user=request.user)
    red = [
        row
        for row in rel.main.rows
        if row.status is not None and row.status.value == "red" and not row.total.hidden
    ]
    if scope is not None and scope.level == "commune":
        red = []
    urgings = Urging.objects.visible_to(request.user).filter(indicator=ind.code).select_related("commune")
    if scope is not None:
        urgings = (
            urgings.filter(commune=scope)
            if scope.level == "commune"
            else urgings.filter(commune__parent=scope)
        )
    overdue = []
    if scope is not None and can(request.user, Verb.DEADLINE_TEAM):
        from django.db.models import Count, Q

        where = Q(child__current_commune=scope) | Q(responsible__area=scope)
        if scope.level == "province":
            where = (
                Q(child__current_commune__parent=scope)
                | Q(responsible__area=scope)
                | Q(responsible__area__parent=scope)
            )
        overdue = list(
            Obligation.objects.visible_to(request.user)
            .filter(where, status=Status.OPEN, due_at__lt=clock.now())
            .values("rule")
            .annotate(n=Count("pk"))
            .order_by("-n")[:20]
        )
        from haven.deadlines.rules import title_of as rule_title

        overdue = [(rule_title(o["rule"]), o["n"]) for o in overdue]
    reports = PeriodicReport.objects.visible_to(request.user).filter(
        state__in=(ReportState.DRAFT, ReportState.REVIEWED, ReportState.RETURNED), due_on__lt=clock.today()
    )
    if scope is not None:
        reports = (
            reports.filter(area=scope) if scope.level == "commune" else reports.filter(area__parent=scope)
        )
    record(
        actor=request.user,
        action="report.late_view",
        data={"indicator": ind.code, "area": scope.code if scope else "national", "period": period.key},
    )
    domain = ""
    if ind.late_url and (ind.late_url != "deadlines:team" or can(request.user, Verb.DEADLINE_TEAM)):
        domain = reverse(ind.late_url)
    return render(
        request,
        "reports/late.html",
        {
            "ind": ind,
            "scope": scope,
            "period": period,
            "rel": rel,
            "red": red,
            "urgings": urgings.order_by("state", "-period")[:50],
            "overdue": overdue,
            "late_reports": reports.select_related("area").order_by("due_on")[:50],
            "domain": domain,
            "trail": selectors.trail(request.user, scope),
        },
    )


def reminder_text(urging: Urging) -> str:
    """The reminder as the province would write it, to be edited before sending."""
    ind = indicator(urging.indicator)
    values = urging.found.get("values", [])
    return _(
        "The Department of Health reminds %(commune)s that the indicator “%(indicator)s” missed its target "
        "(%(target)s) in %(before)s and in %(period)s (values: %(values)s). Please review the late steps, "
        "correct the records and report on the measures taken."
    ) % {
        "commune": urging.commune.name,
        "indicator": ind.name if ind else urging.indicator,
        "target": urging.found.get("target", ""),
        "before": periods.parse(urging.previous),
        "period": periods.parse(urging.period),
        "values": ", ".join("—" if v is None else str(v) for v in values),
    }


def _urging(user, urging_id) -> Urging:
    return get_object_or_404(Urging.objects.visible_to(user).select_related("commune__parent"), pk=urging_id)


def urging_steps(user, urging: Urging) -> list[str]:
    found = []
    for step in URGING_STEPS:
        if urging.state != UrgingState.OPEN:
            continue
        try:
            URGING.acting(user, urging, step)
        except (Refused, Http404):
            continue
        found.append(step)
    return found


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def reminder(request, urging_id):
    urging = _urging(request.user, urging_id)
    record(actor=request.user, action="report.urging_view", obj=urging)
    ind = indicator(urging.indicator)
    return render(
        request,
        "reports/reminder.html",
        {
            "urging": urging,
            "ind": ind,
            "period": periods.parse(urging.period),
            "previous": periods.parse(urging.previous),
            "steps": [
                (s, reverse("reports:reminder_step", args=[urging.pk, s]), URGING.transitions[s].title)
                for s in urging_steps(request.user, urging)
            ],
            "timeline": [
                (s, URGING.transitions[s.action].title)
                for s in urging.steps.select_related("actor", "organisation")
            ],
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_http_methods(["GET", "POST"])
def reminder_step(request, urging_id, step: str):
    if step not in URGING_STEPS:
        raise NotVisible
    urging = _urging(request.user, urging_id)
    ind = indicator(urging.indicator)
    return step_page(
        request,
        flow=URGING,
        subject=urging,
        step=step,
        page=URGING_STEPS[step],
        back=reverse("reports:reminder", args=[urging.pk]),
        open_steps=urging_steps(request.user, urging),
        context={
            "subject_label": f"{urging.commune.name} — {ind.name if ind else urging.indicator}",
            "subject_link": True,
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def reminders(request):
    """The reminders of the user's area: to send, sent, set aside."""
    found = (
        Urging.objects.visible_to(request.user).select_related("commune").order_by("state", "-period")[:200]
    )
    record(actor=request.user, action="report.urging_list", data={"shown": len(found)})
    return render(
        request,
        "reports/reminders.html",
        {"urgings": [(u, indicator(u.indicator), periods.parse(u.period)) for u in found]},
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def quality(request):
    """Data quality: for a commune, each list of children to act on; for a province, each commune's
    counts, the most to act on first. Only children the reader may see; the lists are audited."""
    from haven.reports import quality as checks

    scope = selectors.scope_for(request.user, request.GET.get("area"))
    if scope is None:
        raise NotVisible  # the nation has no list: a province or a commune is chosen
    if scope.level == "commune":
        found = checks.findings(request.user, scope)
        shown = sorted({str(c.pk) for f in found for c in f.children})
        record(actor=request.user, action="child.list", data={"shown": shown[:500], "view": "data quality"})
        context = {"findings": found}
    else:
        context = {"communes": checks.by_commune(request.user, scope)}
        record(actor=request.user, action="report.quality_view", data={"area": scope.code})
    return render(
        request,
        "reports/quality.html",
        {**context, "scope": scope, "checks": checks.CHECKS, "trail": selectors.trail(request.user, scope)},
    )
