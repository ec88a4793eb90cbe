"""Thin views: parse, call one service or selector, render. Each step of a case is one row of STEPS
(its form and its service), so every step is offered, validated and audited the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, acting_membership, memberships, reaching, require
from haven.audit.services import record
from haven.core import clock, throttle
from haven.core.errors import Refused, add_to_form, messages_of
from haven.deadlines.selectors import tasks_for
from haven.protection import forms, selectors, services, workflow
from haven.protection.forms_catalog import FORMS, LEVELS
from haven.protection.models import CLOSED_STATES, Assessment, ProtectionCase, ReferralStatus


@dataclass(frozen=True)
class StepView:
    title: str
    # A form class, or the code of a catalogue form (forms_catalog.FORMS) built for the case.
    form: type[django_forms.Form] | str | None
    run: Callable


STEPS: dict[str, StepView] = {
    "accept": StepView(
        gettext_lazy("Take up the report"),
        None,
        lambda a, c, d: services.protection_accept(actor=a, case=c),
    ),
    # One page whatever Form 02 decides: the service reads emergency / unfounded from the form.
    "assess_initial": StepView(
        gettext_lazy("Record the initial assessment (Form 02)"),
        "02",
        lambda a, c, d: services.protection_assess_initial(actor=a, case=c, data=d),
    ),
    "emergency_measures": StepView(
        gettext_lazy("Record the emergency measures"),
        forms.EmergencyForm,
        lambda a, c, d: services.protection_emergency(actor=a, case=c, **d),
    ),
    "end_separation": StepView(
        gettext_lazy("End the temporary separation"),
        forms.EndSeparationForm,
        lambda a, c, d: services.protection_end_separation(actor=a, case=c, **d),
    ),
    "assess_specific": StepView(
        gettext_lazy("Record the specific assessment (Form 03)"),
        "03",
        lambda a, c, d: services.protection_assess_specific(actor=a, case=c, data=d),
    ),
    "draft_plan": StepView(
        gettext_lazy("Draft the support plan (Form 04)"),
        "04",
        lambda a, c, d: services.protection_draft_plan(actor=a, case=c, data=d),
    ),
    "approve_plan": StepView(
        gettext_lazy("Approve the plan (Form 05)"),
        forms.ApprovalForm,
        lambda a, c, d: services.protection_approve_plan(actor=a, case=c, **d),
    ),
    "return_plan": StepView(
        gettext_lazy("Return the plan for changes"),
        forms.ReturnPlanForm,
        lambda a, c, d: services.protection_return_plan(actor=a, case=c, **d),
    ),
    "review": StepView(
        gettext_lazy("Record the review (Form 06)"),
        "06",
        lambda a, c, d: services.protection_review(actor=a, case=c, data=d),
    ),
    "close": StepView(
        gettext_lazy("Close the case"),
        forms.CloseForm,
        lambda a, c, d: services.protection_close(actor=a, case=c, **d),
    ),
    "replan": StepView(
        gettext_lazy("Plan again"),
        forms.ReplanForm,
        lambda a, c, d: services.protection_replan(actor=a, case=c, **d),
    ),
}
LEVEL_BADGE = {"high": "badge-danger", "medium": "badge-warn", "low": "badge-ok"}


def _add_errors(form, error: ValidationError) -> None:
    add_to_form(form, error)


def _can_report(user) -> bool:
    return any(m.role in services.REPORTING_ROLES for m in memberships(user))


def _previous_scores(case: ProtectionCase, code: str) -> dict[str, str]:
    """The scores to start from: this case's last assessment on the form, or else the earlier case's
    (a new report about a child Haven already followed), so progress shows across cases too."""
    scores = services.previous_scores(case, code)
    if not scores and case.previous_id:
        scores = services.previous_scores(case.previous, code)
    return scores


# --- Report (Form 01) ---------------------------------------------------------------------------


def _report(request, form, public: bool):
    if public and request.method == "POST" and not throttle.allow(request, "public_report"):
        form.add_error(
            None,
            _(
                "Too many reports from this connection in the last hour. If a child is in "
                "danger, call 111 now."
            ),
        )
    elif request.method == "POST" and form.is_valid():
        if public and form.cleaned_data.get("website"):
            return render(request, "protection/report_thanks.html")
        try:
            case = services.protection_report(actor=None if public else request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            if public:
                return render(request, "protection/report_thanks.html")
            messages.success(request, _("The report was recorded. The commune has been told."))
            return redirect("protection:detail", case.pk)
    return render(request, "protection/report.html", {"form": form, "public": public})


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def report(request):
    if not _can_report(request.user):
        raise NotVisible
    membership = acting_membership(request.user, Verb.CHILD_VIEW)
    form = forms.ReportForm(
        request.POST if request.method == "POST" else None, province=membership.organisation.area.province
    )
    return _report(request, form, public=False)


@markers.public
@require_http_methods(["GET", "POST"])
def public_report(request):
    """No account needed: anyone who sees a child at risk reports it here (or calls 111)."""
    form = forms.PublicReportForm(request.POST if request.method == "POST" else None)
    return _report(request, form, public=True)


# --- Cases --------------------------------------------------------------------------------------


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def case_list(request):
    cases = selectors.cases_visible(request.user).order_by("-received_at")
    shown = list(cases[:100])
    if shown:
        record(actor=request.user, action="child.list", data={"shown": [str(c.child_id) for c in shown]})
    return render(
        request,
        "protection/list.html",
        {
            "cases": shown,
            "can_report": _can_report(request.user),
            # The steps of these cases that are the user's: the home page's share for this module.
            "tasks": tasks_for(user=request.user, subjects=(ProtectionCase._meta.label_lower,)),
        },
    )


def _shown(kind: str, value) -> str:
    """A catalogue value as the page shows it (dates dd/mm/yyyy, booleans Yes/No)."""
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "date":
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else "—"
    if kind == "level":
        return str(dict(LEVELS).get(value, "—"))
    return value or "—"


def _assessment_rows(assessments: list[Assessment]) -> list[dict]:
    """Each assessment with its levels beside the previous ones (Form 06 follows Form 02's scores,
    as services.previous_scores does), oldest first."""
    last: dict[str, dict] = {}
    rows = []
    for a in assessments:
        spec = FORMS[a.form]
        before = last.get(a.form) or (last.get("02", {}) if a.form == "06" else {})
        levels = [
            {
                "label": f.label,
                "value": _shown("level", a.data.get(f.name)),
                "badge": LEVEL_BADGE.get(a.data.get(f.name), "badge-muted"),
                "before": _shown("level", before[f.name]) if before.get(f.name) else "",
            }
            for f in spec.levels
        ]
        other = [(f.label, _shown(f.kind, a.data.get(f.name))) for f in spec.fields if f.kind != "level"]
        rows.append({"assessment": a, "title": spec.title, "levels": levels, "other": other})
        last[a.form] = a.data
    return rows


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def case_detail(request, case_id):
    case = selectors.case_for_viewing(user=request.user, case_id=case_id)
    # What the page offers is what a membership reaching this child allows (walkthrough D13).
    roles = {m.role for m in reaching(request.user, Verb.CHILD_VIEW, case.child)}
    return render(
        request,
        "protection/detail.html",
        {
            "case": case,
            "age": case.child.age_years(clock.localdate(clock.now())),
            "actions": [(a, STEPS[a].title) for a in selectors.actions_for(request.user, case) if a in STEPS],
            # Those who may take the case up may also ask another organisation for a service.
            "can_refer": case.state not in CLOSED_STATES
            and bool(workflow.TRANSITIONS["accept"].roles & roles),
            "can_print": bool(reaching(request.user, Verb.CHILD_EXPORT, case.child)),
            "can_record_view": bool(reaching(request.user, Verb.CHILD_UPDATE, case.child)),
            "informant": selectors.informant(user=request.user, case=case),
            "assessments": _assessment_rows(list(case.assessments.select_related("recorded_by"))),
            "approvals": case.approvals.select_related("approved_by"),
            "separations": case.separations.select_related("decided_by"),
            "referrals": case.referrals.select_related("to_organisation", "requested_by"),
            "obligations": selectors.obligations_of(case),
            "steps": case.steps.select_related("actor", "organisation"),
            "matches": case.known_child_matches.filter(status="pending").select_related(
                "candidate__current_commune"
            ),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["POST"])
def known_child_decide(request, case_id, match_id):
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    match = case.known_child_matches.filter(pk=match_id).first()
    if match is None or request.POST.get("same_child") not in ("0", "1"):
        messages.error(request, _("Choose whether the report is about this child."))
        return redirect("protection:detail", case.pk)
    try:
        services.known_child_decide(
            actor=request.user, match=match, same_child=request.POST["same_child"] == "1"
        )
    except Refused as error:
        messages.error(request, error.message)
    return redirect("protection:detail", case.pk)


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def case_step(request, case_id, step):
    if step not in STEPS:
        raise Http404
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    view = STEPS[step]
    if request.method == "GET" and step not in selectors.actions_for(request.user, case):
        # Not this person's step, or not now: say so on the case page rather than show a form.
        messages.info(request, _("This step is not open to you now."))
        return redirect("protection:detail", case.pk)
    form_class = (
        forms.catalog_form(view.form, previous=_previous_scores(case, view.form))
        if isinstance(view.form, str)
        else view.form
    )
    form = form_class(request.POST if request.method == "POST" else None) if form_class else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            view.run(request.user, case, dict(form.cleaned_data) if form else {})
        except ValidationError as error:
            if form is None:
                messages.error(request, messages_of(error))
            else:
                _add_errors(form, error)
        except Refused as error:
            if form is None:
                messages.error(request, error.message)
                return redirect("protection:detail", case.pk)
            form.add_error(None, error.message)  # kept on the page, so what was typed is not lost
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": view.title})
            return redirect("protection:detail", case.pk)
    return render(
        request,
        "protection/step.html",
        {
            "case": case,
            "form": form,
            "title": view.title,
            "step": step,
            "legal_basis": FORMS[view.form].legal_basis if isinstance(view.form, str) else "",
            "plan": _plan_under_decision(case) if step in ("approve_plan", "return_plan") else None,
        },
    )


def _plan_under_decision(case: ProtectionCase) -> dict | None:
    """The plan (Form 04) the chairman approves or returns, shown in full on the decision's page: one
    does not approve what one has not read (Law on Children art. 52; walkthrough D14)."""
    plan = (
        case.assessments.filter(form="04")
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
        .first()
    )
    if plan is None:
        return None
    return {
        "assessment": plan,
        "rows": [(f.label, _shown(f.kind, plan.data.get(f.name))) for f in FORMS["04"].fields],
    }


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def assessment_print(request, case_id, assessment_id):
    """One assessment as the printed form, in Vietnamese, for signature and the case file."""
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    assessment = case.assessments.select_related("recorded_by").filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404
    membership = require(request.user, Verb.CHILD_EXPORT, case.child)
    record(
        actor=request.user,
        action="child.export",
        obj=case.child,
        organisation=membership.organisation,
        data={"document": f"protection_form_{assessment.form}", "assessment": assessment.pk},
    )
    spec = FORMS[assessment.form]
    with translation.override("vi"):
        rows = [(str(f.label), str(_shown(f.kind, assessment.data.get(f.name)))) for f in spec.fields]
        return render(
            request,
            "protection/print.html",
            {
                "case": case,
                "assessment": assessment,
                "title": str(spec.title),
                "spec": spec,
                "rows": rows,
                "age": case.child.age_years(assessment.recorded_at.date()),
            },
        )


# --- Referrals ----------------------------------------------------------------------------------


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def refer(request, case_id):
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    form = forms.ReferralForm(
        request.POST if request.method == "POST" else None,
        incident_commune=case.incident_commune,
        exclude=[m.organisation_id for m in memberships(request.user)],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_request(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            messages.error(request, error.message)
            return redirect("protection:detail", case.pk)
        else:
            messages.success(request, _("The referral was sent."))
            return redirect("protection:detail", case.pk)
    return render(
        request,
        "protection/step.html",
        {"case": case, "form": form, "title": _("Refer to another organisation"), "step": "refer"},
    )


@markers.authenticated
@require_GET
def referral_list(request):
    """Referrals addressed to the user's organisations: all a receiver sees of those children."""
    referrals = list(selectors.referrals_received(user=request.user)[:100])
    return render(request, "protection/referrals.html", {"referrals": referrals})


@markers.authenticated
@require_http_methods(["GET", "POST"])
def referral_detail(request, referral_id):
    referral = selectors.referral_for_receiver(user=request.user, referral_id=referral_id)
    form = forms.ReferralAnswerForm(request.POST if request.method == "POST" else None)
    status = request.POST.get("status", "")
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_answer(
                actor=request.user, referral=referral, status=status, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            messages.error(request, error.message)
            return redirect("protection:referral", referral.pk)
        else:
            messages.success(
                request, _("Answer recorded: %(status)s.") % {"status": referral.get_status_display()}
            )
            return redirect("protection:referral", referral.pk)
    child = referral.case.child
    return render(
        request,
        "protection/referral.html",
        {
            "referral": referral,
            "child": child,
            "age": child.age_years(clock.localdate(clock.now())),
            "form": form,
            "Status": ReferralStatus,
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def transfer(request, case_id):
    """Offer the lead of the case to another commune (the child moved)."""
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    form = forms.TransferForm(request.POST if request.method == "POST" else None, exclude=case.responsible_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_request(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            messages.error(request, error.message)
            return redirect("protection:detail", case.pk)
        else:
            messages.success(
                request, _("The case was offered to the other commune. It stays with you until they accept.")
            )
            return redirect("protection:detail", case.pk)
    return render(
        request,
        "protection/step.html",
        {"case": case, "form": form, "title": _("Transfer the case to another commune"), "step": "transfer"},
    )


@markers.authenticated
@require_http_methods(["GET", "POST"])
def transfer_answer(request, transfer_id):
    offer = selectors.transfer_to_answer(user=request.user, transfer_id=transfer_id)
    form = forms.TransferAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_answer(actor=request.user, transfer=offer, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            messages.error(request, error.message)
        else:
            if form.cleaned_data["accept"]:
                messages.success(request, _("Your commune now leads the case."))
                return redirect("protection:detail", offer.case_id)
            messages.info(request, _("The case stays with the sending commune."))
            return redirect("inbox")
    return render(request, "protection/transfer.html", {"transfer": offer, "form": form})
