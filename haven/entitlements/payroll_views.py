"""The monthly payroll as pages: a commune's payrolls, one payroll with every line and its inputs, its
steps (add the decisions taken since, approve and close) on the one step view, and the provider's
list as CSV (Decree 20/2021 art. 34)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, memberships, require
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.entitlements import forms, services, workflow
from haven.entitlements.models import PayrollRun
from haven.entitlements.reconciliation import reconcile
from haven.entitlements.services import provider
from haven.entitlements.services.payroll import list_due, month_to_prepare
from haven.entitlements.views_common import saved
from haven.workflow.views import StepPage, step_page, title_of

FLOW = workflow.PAYROLL
LISTED = 300


def _prepare(actor, run: PayrollRun, _data: dict) -> None:
    run.added = services.payroll_prepare(actor=actor, commune=run.commune, month=run.month).added


def _added(run: PayrollRun) -> str:
    """What preparing the payroll (again) did, so that a retry is seen to change nothing."""
    if not run.added:
        return _("Nothing to add: every month decided is already on this payroll, and none is paid twice.")
    return ngettext(
        "%(count)s line added to the payroll.", "%(count)s lines added to the payroll.", run.added
    ) % {"count": run.added}


STEPS: dict[str, StepPage] = {
    "prepare": StepPage(None, _prepare, fires=("payroll_prepare",), said=_added),
    "update": StepPage(None, _prepare, fires=("payroll_update",), said=_added),
    "approve": StepPage(
        None, lambda a, run, d: services.payroll_approve(actor=a, run=run), fires=("payroll_approve",)
    ),
    "send": StepPage(
        forms.SendForm,
        lambda a, run, d: services.payroll_send(actor=a, run=run, **d),
        initial=lambda run: {"sent_on": clock.today(), "provider": run.provider},
        fires=("payroll_send",),
    ),
}
ROW = {
    "prepare": "payroll_prepare",
    "update": "payroll_update",
    "approve": "payroll_approve",
    "send": "payroll_send",
}
BASIS = gettext_lazy(
    "Decree 20/2021 art. 34: before the 25th of each month the commune sends the payment list of the next "
    "month to the provider."
)


def _preparing_communes(user) -> list:
    """The communes whose payroll ``user`` prepares: an officer's own (or one the body stands in for)."""
    return [m.organisation.area for m in memberships(user) if m.role in workflow.OFFICER]


def _run(user, run_id) -> PayrollRun:
    return get_object_or_404(PayrollRun.objects.visible_to(user).select_related("commune__parent"), pk=run_id)


def open_steps(user, run: PayrollRun, among=None) -> list[str]:
    found = []
    rows = {**ROW, "return": "payroll_return"}
    for step, action in rows.items():
        if (among is None and step == "return") or (among is not None and step not in among):
            continue
        if action not in workflow.STANDING_IN.open_steps(FLOW, run.state, memberships(user), run):
            continue
        try:
            FLOW.acting(user, run, action)
        except (Refused, Http404):
            continue
        found.append(step)
    return found


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def payrolls(request):
    communes = _preparing_communes(request.user)
    form = None
    if communes:
        form = forms.PayrollForm(
            request.POST if request.method == "POST" else None,
            communes=communes,
            initial={"month": month_to_prepare(communes[0], clock.today()), "commune": communes[0]},
        )
        made = {}

        def act(d):
            made["run"] = services.payroll_prepare(actor=request.user, **d)

        if request.method == "POST" and saved(form, act):
            messages.success(request, _("The payroll is prepared.") + " " + _added(made["run"]))
            return redirect("entitlements:payroll", made["run"].pk)
    elif request.method == "POST":
        raise NotVisible
    runs = (
        PayrollRun.objects.visible_to(request.user)
        .select_related("commune")
        .annotate(count=Count("lines"), total=Sum("lines__amount"))
    )
    return render(
        request,
        "entitlements/payrolls.html",
        {"runs": runs.order_by("-month", "commune__name")[:60], "form": form},
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def payroll(request, run_id):
    run = _run(request.user, run_id)
    lines = list(
        run.lines.select_related("child", "decision", "corrects__run", "payee", "confirmation").order_by(
            "child__family_name", "month"
        )
    )
    record(
        actor=request.user,
        action="child.list",
        data={"payroll": str(run.pk), "shown": [str(line.child_id) for line in lines][:500]},
    )
    totals = {}
    for line in lines:
        totals[line.get_kind_display()] = totals.get(line.get_kind_display(), 0) + line.amount
    checked = reconcile(run)
    return render(
        request,
        "entitlements/payroll.html",
        {
            "run": run,
            "lines": lines,
            "totals": totals,
            "total": sum(line.amount for line in lines),
            "unverified": any(not line.verified for line in lines),
            "steps": [
                (
                    step,
                    reverse("entitlements:payroll_step", args=[run.pk, step]),
                    title_of(FLOW, ROW[step], STEPS[step]),
                )
                for step in open_steps(request.user, run)
            ],
            "timeline": [
                (s, FLOW.transitions[s.action].title)
                for s in run.steps.select_related("actor", "organisation")
            ],
            "basis": BASIS,
            "due": Obligation.objects.filter(
                subject_id=run.pk, rule="entitlement.provider_list", status=Status.OPEN
            ).first(),
            "list_due": list_due(run.month),
            "reconciliation": checked,
            "issues": checked.issues[:LISTED],
            "may_import": "return" in open_steps(request.user, run, (*ROW, "return")),
            "returns": run.returns.select_related("imported_by")[:10],
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def payroll_return(request, run_id):
    """Import the provider's return file: every row checked, nothing saved until the whole file is
    right; the rows that are not are listed with their numbers."""
    run = _run(request.user, run_id)
    if "return" not in open_steps(request.user, run, ("return",)):
        raise NotVisible
    form = forms.ReturnForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(provider.MAX_BYTES + 1)
        made: dict = {}

        def act(_d):
            made["import"] = services.provider_return_import(
                actor=request.user, run=run, file_name=upload.name, content=content
            )

        if saved(form, act):
            done = made["import"]
            messages.success(
                request,
                _("The return file is imported: %(count)s line(s) confirmed.") % {"count": done.recorded},
            )
            return redirect("entitlements:payroll", run.pk)
    return render(
        request,
        "entitlements/return.html",
        {"run": run, "form": form, "back": reverse("entitlements:payroll", args=[run.pk]), "basis": BASIS},
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def payroll_step(request, run_id, action: str):
    if action not in STEPS:
        raise NotVisible
    run = _run(request.user, run_id)
    return step_page(
        request,
        flow=FLOW,
        subject=run,
        step=action,
        page=STEPS[action],
        back=reverse("entitlements:payroll", args=[run.pk]),
        open_steps=open_steps(request.user, run),
        context={
            "subject_label": run.commune.name + " · " + run.month.strftime("%m/%Y"),
            "subject_link": True,
            "legal_basis": BASIS,
        },
    )


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def provider_list(request, run_id, fmt: str):
    """The payment list for the provider, as CSV or XLSX."""
    if fmt not in FORMATS:
        raise NotVisible
    return provider_response(request.user, _run(request.user, run_id), fmt)


def provider_response(user, run: PayrollRun, fmt: str = "csv") -> HttpResponse:
    """The provider's list of ``run`` for ``user`` (a page and an API operation): one row per payment,
    who receives it and how, the decision behind it, and four columns the provider fills in. An
    export of children's data (bank accounts included): audited."""
    membership = require(user, Verb.CHILD_EXPORT)
    lines = provider.list_lines(run)
    rows = provider.list_rows(run, lines)
    name = f"danh-sach-chi-tra-{run.commune.code}-{run.month:%Y-%m}.{fmt}"
    content = provider.as_csv(rows) if fmt == "csv" else provider.as_xlsx(rows, f"{run.month:%m-%Y}")
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record(
        actor=user,
        action="child.export",
        obj=run,
        organisation=membership.organisation,
        data={
            "payroll": str(run.pk),
            "format": fmt,
            "lines": len(lines),
            "children": sorted({str(line.child_id) for line in lines})[:500],
        },
    )
    return response
