"""Thin views: parse, call one service or selector, render. Each step of a case is one row of STEPS
(its form and its service), so every step is offered, validated and audited the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, memberships, reaching, require
from haven.audit.services import record
from haven.core import clock, throttle
from haven.core.errors import Refused, add_to_form
from haven.deadlines.selectors import tasks_for
from haven.people.forms import OpinionForm
from haven.protection import forms, selectors, services, workflow
from haven.protection.forms_catalog import FORMS, LEVELS
from haven.protection.models import Assessment, ProtectionCase, ReferralStatus, State
from haven.protection.origins import origins_of
from haven.protection.receivers import referral_receivers, transfer_receivers
from haven.workflow.views import StepPage, step_page, title_of

FLOW = workflow.FLOW


def _catalog(code: str):
    """A catalogue form (forms_catalog.FORMS) as a step page's form: its levels start from the
    previous scores, which the page's ``form_kwargs`` reads for the case."""

    def build(data=None, *, initial=None, previous=None):
        return forms.catalog_form(code, previous=previous or {})(data, initial=initial)

    return build


def _assessing(code: str, run) -> StepPage:
    return StepPage(
        _catalog(code),
        lambda a, c, d: run(actor=a, case=c, data=d),
        form_kwargs=lambda c: {"previous": _previous_scores(c, code)},
    )


STEPS: dict[str, StepPage] = {
    "accept": StepPage(None, lambda a, c, d: services.protection_accept(actor=a, case=c)),
    # One page whatever Form 02 concludes; only "unfounded", which closes the report, asks to confirm.
    "assess_initial": StepPage(
        _catalog("02"),
        lambda a, c, d: services.protection_assess_initial(actor=a, case=c, data=d),
        title=gettext_lazy("Record the initial assessment (Form 02)"),
        form_kwargs=lambda c: {"previous": _previous_scores(c, "02")},
        fires=workflow.FORM_02,
        chooses=lambda c, d: None if d is None else services.initial_assessment_action(d),
    ),
    "emergency_measures": StepPage(
        forms.EmergencyForm,
        lambda a, c, d: services.protection_emergency(actor=a, case=c, **d),
        fires=workflow.EMERGENCY_STEPS,
    ),
    "end_separation": StepPage(
        forms.EndSeparationForm, lambda a, c, d: services.protection_end_separation(actor=a, case=c, **d)
    ),
    "extend_separation": StepPage(
        forms.ExtendSeparationForm,
        lambda a, c, d: services.protection_extend_separation(actor=a, case=c, **d),
    ),
    "assess_specific": _assessing("03", services.protection_assess_specific),
    "draft_plan": _assessing("04", services.protection_draft_plan),
    "approve_plan": StepPage(
        forms.ApprovalForm, lambda a, c, d: services.protection_approve_plan(actor=a, case=c, **d)
    ),
    "return_plan": StepPage(
        forms.ReturnPlanForm, lambda a, c, d: services.protection_return_plan(actor=a, case=c, **d)
    ),
    "review": _assessing("06", services.protection_review),
    "close": StepPage(forms.CloseForm, lambda a, c, d: services.protection_close(actor=a, case=c, **d)),
    "replan": StepPage(forms.ReplanForm, lambda a, c, d: services.protection_replan(actor=a, case=c, **d)),
    # A case closed in error, back to the state it was closed from (one row for each closed state).
    "reopen": StepPage(
        forms.ReopenForm,
        lambda a, c, d: services.protection_reopen(actor=a, case=c, **d),
        title=gettext_lazy("Reopen the case"),
        fires=workflow.REOPEN,
        chooses=lambda c, d: "reopen_unfounded" if c.state == State.UNFOUNDED else "reopen_closed",
    ),
    "hear_child": StepPage(OpinionForm, lambda a, c, d: services.protection_hear_child(actor=a, case=c, **d)),
    "refer": StepPage(forms.ReferralForm, lambda a, c, d: services.referral_request(actor=a, case=c, **d)),
    "withdraw_referral": StepPage(
        forms.WithdrawReferralForm,
        lambda a, c, d: services.referral_withdraw(actor=a, case=c, **d),
        form_kwargs=lambda c: {"referrals": selectors.running_referrals(c)},
    ),
    "transfer": StepPage(
        forms.TransferForm,
        lambda a, c, d: services.transfer_request(actor=a, case=c, **d),
        form_kwargs=lambda c: {"receivers": transfer_receivers(case=c)},
        fires=("transfer_request",),
    ),
    "withdraw_transfer": StepPage(
        forms.WithdrawTransferForm,
        lambda a, c, d: services.transfer_withdraw(actor=a, case=c, transfer=_offered(c), **d),
        fires=("transfer_withdraw",),
    ),
}
# Steps beside the pathway (asking another body, handing the case on, hearing the child): offered at
# the head of the case page rather than among its next steps.
SIDE_STEPS = ("hear_child", "refer", "withdraw_referral", "transfer", "withdraw_transfer")


def _offered(case: ProtectionCase):
    """The offer to another commune still waiting for its answer; none: it was answered meanwhile."""
    offer = selectors.pending_transfer(case)
    if offer is None:
        raise Refused(_("No transfer of this case waits for an answer."), code="out_of_order")
    return offer


LEVEL_BADGE = {"high": "badge-danger", "medium": "badge-warn", "low": "badge-ok"}
# What the step's page shows of the case before its form: the plan the chairman approves or returns,
# the review the chairman closes on, the closure a supervisor reopens.
SHOWS = {
    "approve_plan": "plan",
    "return_plan": "plan",
    "close": "review",
    "replan": "review",
    "reopen": "closure",
}


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
            add_to_form(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            if public:
                return render(request, "protection/report_thanks.html")
            messages.success(request, _("The report was recorded. The commune has been told."))
            return redirect("protection:detail", case.pk)
    return render(request, "protection/report.html", {"form": form, "public": public})


@markers.authenticated
@require_http_methods(["GET", "POST"])
def report(request):
    # A reporter needs no sight of any child: a school reports a pupil it sees only as a pupil.
    if not _can_report(request.user):
        raise NotVisible
    membership = next(m for m in memberships(request.user) if m.role in services.REPORTING_ROLES)
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
    offered = [
        (a, title_of(FLOW, a, STEPS[a])) for a in selectors.actions_for(request.user, case) if a in STEPS
    ]
    return render(
        request,
        "protection/detail.html",
        {
            "case": case,
            "age": case.child.age_years(clock.localdate(clock.now())),
            "actions": [(a, title) for a, title in offered if a not in SIDE_STEPS],
            "side_actions": [(a, title) for a, title in offered if a in SIDE_STEPS],
            "can_print": bool(reaching(request.user, Verb.CHILD_EXPORT, case.child)),
            "can_record_view": bool(reaching(request.user, Verb.CHILD_UPDATE, case.child)),
            "informant": selectors.informant(user=request.user, case=case),
            # What led to the case (a complaint that revealed harm), where the reader may see it.
            "origins": origins_of(user=request.user, case=case),
            "assessments": _assessment_rows(list(case.assessments.select_related("recorded_by"))),
            "approvals": case.approvals.select_related("approved_by"),
            "separations": case.separations.select_related("decided_by"),
            "referrals": case.referrals.select_related("to_organisation", "requested_by"),
            "transfers": case.transfers.select_related("to_organisation", "requested_by").order_by(
                "-requested_at", "-pk"
            ),
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


def _before_form(case: ProtectionCase, step: str) -> dict:
    """What the step's page shows of the case above its form (SHOWS)."""
    shows = SHOWS.get(step)
    if shows == "plan":
        plan = services.current_plan(case)
        return {"plan": _assessment_rows([plan])[0] if plan else None}
    if shows == "review":
        review = case.assessments.filter(form="06").order_by("-recorded_at", "-pk").first()
        return {"review": _assessment_rows([review])[0] if review else None}
    if shows == "closure":
        # How it was closed, and the assessment the closure rests on (Form 02 for an unfounded
        # report, the review for a closed case): what the supervisor judges to have been an error.
        closing = case.steps.filter(action__in=workflow.CLOSED_BY.values()).select_related("actor")
        closure = closing.order_by("-at", "-pk").first()
        form = "02" if closure is not None and closure.action == "assess_unfounded" else "06"
        rests_on = case.assessments.filter(form=form).order_by("-recorded_at", "-pk").first()
        return {"closure": closure, "review": _assessment_rows([rests_on])[0] if rests_on else None}
    return {}


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def case_step(request, case_id, step):
    if step not in STEPS:
        raise Http404
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    page = STEPS[step]
    if step == "refer":
        receivers = referral_receivers(user=request.user, case=case)
        page = replace(page, form_kwargs=lambda c: {"receivers": receivers})
    code = {"assess_initial": "02", "assess_specific": "03", "draft_plan": "04", "review": "06"}.get(step)
    hint = ""
    if step == "transfer":
        hint = _("The case stays with your commune until the other commune accepts it.")
    if step == "withdraw_transfer":
        offer = selectors.pending_transfer(case)
        if offer is not None:
            hint = _("Offered to %(organisation)s on %(day)s; not answered yet.") % {
                "organisation": offer.to_organisation,
                "day": clock.localdate(offer.requested_at).strftime("%d/%m/%Y"),
            }
    if step in ("approve_plan", "emergency_measures"):
        hint = _(
            "A child aged 7 or over must have their view recorded before the plan is approved or a "
            "separation decided (Law on Children art. 47(5), 60(3))."
        )
    return step_page(
        request,
        flow=FLOW,
        subject=case,
        step=step,
        page=page,
        back=reverse("protection:detail", args=[case.pk]),
        gone=reverse("protection:list"),
        open_steps=selectors.actions_for(request.user, case),
        template="protection/step.html",
        context={
            "subject_label": case.child,
            "subject_link": True,
            "legal_basis": FORMS[code].legal_basis if code else "",
            "hint": hint,
            **_before_form(case, step),
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
            add_to_form(form, error)
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


@markers.authenticated
@require_GET
def offer(request, case_id):
    """Where the deadline of an offer's answer leads (on a task list, in the message when it is late):
    the commune the case was offered to, to the offer it answers (it does not read the case); anyone
    else who reads the case, to the case."""
    offered = selectors.offer_of(user=request.user, case_id=case_id)
    if offered is not None:
        return redirect("protection:transfer_answer", offered.pk)
    return redirect("protection:detail", selectors.case_for_action(user=request.user, case_id=case_id).pk)


@markers.authenticated
@require_http_methods(["GET", "POST"])
def transfer_answer(request, transfer_id):
    offer = selectors.transfer_to_answer(user=request.user, transfer_id=transfer_id)
    form = forms.TransferAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_answer(actor=request.user, transfer=offer, **form.cleaned_data)
        except ValidationError as error:
            add_to_form(form, error)
        except Refused as error:
            messages.error(request, error.message)
        else:
            if form.cleaned_data["accept"]:
                messages.success(request, _("Your commune now leads the case."))
                return redirect("protection:detail", offer.case_id)
            messages.info(request, _("The case stays with the sending commune."))
            return redirect("inbox")
    return render(request, "protection/transfer.html", {"transfer": offer, "form": form})
