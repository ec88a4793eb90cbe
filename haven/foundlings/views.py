"""Thin views: parse, call one service or selector, render. Each step of the pathway is one row of
STEPS (its form and its service), so every step is offered, validated and audited the same way."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers, relations
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, acting_membership, can, memberships, require
from haven.accounts.selectors import authority_for
from haven.audit.services import record
from haven.core import throttle
from haven.core.documents import pdf_response
from haven.core.errors import Refused, add_to_form
from haven.core.uploads import photo_response
from haven.deadlines.selectors import tasks_for
from haven.foundlings import forms, pdf, selectors, services, workflow
from haven.foundlings.reconciliation import reconciliation
from haven.population.selectors import pin_status
from haven.prevention.selectors import mother_record
from haven.workflow.views import StepPage, step_page, title_of


def _handover(case):
    handover = selectors.pending_handover(case)
    if handover is None:
        raise Refused(_("There is no handover waiting for an answer."), code="out_of_order")
    return handover


def _paper(paper):
    return lambda a, c, d: services.foundling_record_paper(actor=a, case=c, paper=paper, **d)


STEPS: dict[str, StepPage] = {
    "acknowledge": StepPage(None, lambda a, c, d: services.foundling_acknowledge(actor=a, case=c)),
    "screen": StepPage(
        forms.ScreeningForm,
        lambda a, c, d: services.foundling_screen(actor=a, case=c, **d),
        initial=forms.ScreeningForm.prefill,
    ),
    "record": StepPage(
        forms.RecordForm,
        lambda a, c, d: services.foundling_record(actor=a, case=c, **d),
        initial=forms.RecordForm.prefill,
    ),
    "discharge": StepPage(
        forms.DischargeForm, lambda a, c, d: services.foundling_discharge(actor=a, case=c, **d)
    ),
    "decide_temporary_care": StepPage(
        forms.TemporaryCareForm,
        lambda a, c, d: services.foundling_decide_temporary_care(actor=a, case=c, **d),
    ),
    "answer_handover": StepPage(
        forms.AnswerForm,
        lambda a, c, d: services.foundling_handover_answer(actor=a, handover=_handover(c), **d),
        title=gettext_lazy("Accept or refuse the child"),
        fires=("accept_handover", "refuse_handover", "accept_move", "refuse_move"),
    ),
    "withdraw_handover": StepPage(
        forms.WithdrawForm,
        lambda a, c, d: services.foundling_handover_withdraw(actor=a, handover=_handover(c), **d),
        fires=("withdraw_handover", "withdraw_move"),
    ),
    "move_after_discharge": StepPage(
        forms.MoveForm,
        lambda a, c, d: services.foundling_move_after_discharge(actor=a, case=c, **d),
    ),
    "post_notice": StepPage(
        forms.NoticeForm, lambda a, c, d: services.foundling_post_notice(actor=a, case=c, **d)
    ),
    "confirm_notice_time": StepPage(
        forms.ConfirmTimeForm,
        lambda a, c, d: services.foundling_notice_time_confirm(actor=a, case=c, **d),
    ),
    "claim": StepPage(forms.ClaimForm, lambda a, c, d: services.foundling_claim(actor=a, case=c, **d)),
    "decide_claim": StepPage(
        forms.ClaimDecisionForm,
        lambda a, c, d: services.foundling_claim_decide(actor=a, case=c, **d),
        title=gettext_lazy("Decide on the claim"),
        fires=("reunify", "reject_claim"),
    ),
    "register_birth": StepPage(
        forms.BirthForm,
        lambda a, c, d: services.foundling_register_birth(actor=a, case=c, **d),
        initial=forms.BirthForm.prefill,
    ),
    "resend_pin": StepPage(
        forms.BirthForm,
        lambda a, c, d: services.foundling_pin_resend(actor=a, case=c, **d),
        initial=forms.BirthForm.prefill,
    ),
    "record_health_insurance": StepPage(forms.HealthInsuranceForm, _paper("health_insurance")),
    "record_residence": StepPage(forms.ResidenceForm, _paper("residence")),
    "decide_allowance": StepPage(forms.AllowanceForm, _paper("allowance")),
    "plan_care": StepPage(forms.NoteForm, lambda a, c, d: services.foundling_plan_care(actor=a, case=c, **d)),
    "place": StepPage(forms.PlacementForm, lambda a, c, d: services.foundling_place(actor=a, case=c, **d)),
    "review": StepPage(forms.NoteForm, lambda a, c, d: services.foundling_review(actor=a, case=c, **d)),
}
# Workflow actions shown as one page: both answers to a handover, both decisions on a claim.
PAGE_OF = {
    "accept_handover": "answer_handover",
    "refuse_handover": "answer_handover",
    "accept_move": "answer_handover",
    "refuse_move": "answer_handover",
    "withdraw_move": "withdraw_handover",
    "reunify": "decide_claim",
    "reject_claim": "decide_claim",
}


def _allowance_procedure(request, case):
    """The chairman decides the allowance in the allowance procedure, where the amount is computed from
    the rules and never typed (docs/decisions/0019): the case's step hands over to it, and the decision
    is recorded on the case by itself."""
    from haven.entitlements.models import OPEN_STATES
    from haven.entitlements.selectors import allowance_applications

    messages.info(
        request,
        _(
            "The chairman decides the monthly allowance in the allowance procedure, where the amount is "
            "computed from the rules; the decision is then recorded on this case by itself."
        ),
    )
    pending = allowance_applications(request.user).filter(child=case.child, state__in=OPEN_STATES).first()
    if pending is not None:
        return redirect("entitlements:application", pending.pk)
    return redirect("entitlements:child", case.child_id)


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def case_list(request):
    """The cases of the children the user sees, and those they follow through a named relation (their
    own report, a child they are asked to accept), with the steps that are theirs to take."""
    cases = selectors.cases_listed(request.user).order_by("-found_at")
    state = request.GET.get("state", "")
    if state:
        cases = cases.filter(state=state)
    shown = list(cases[:100])
    whole = set(
        selectors.cases_visible(request.user)
        .filter(pk__in=[c.pk for c in shown])
        .values_list("pk", flat=True)
    )
    for case in shown:
        case.whole = case.pk in whole
    tasks = tasks_for(user=request.user, subjects=(selectors.SUBJECT,))
    if shown:
        record(actor=request.user, action="child.list", data={"shown": [str(c.child_id) for c in shown]})
    return render(
        request,
        "foundlings/list.html",
        {"cases": shown, "can_report": _can_report(request.user), "tasks": tasks},
    )


def _can_report(user) -> bool:
    return any(m.role in workflow.REPORTERS for m in memberships(user))


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def report(request):
    if not _can_report(request.user):
        raise NotVisible
    membership = acting_membership(request.user, Verb.CHILD_VIEW)
    form = forms.ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        province=membership.organisation.area.province,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.foundling_report(actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The report was recorded. The commune has been told."))
            return redirect("foundlings:detail", case.pk)
    return render(request, "foundlings/report.html", {"form": form, "public": False})


@markers.public
@require_http_methods(["GET", "POST"])
def public_report(request):
    """No account needed: anyone who finds a child reports it here (or calls 111)."""
    form = forms.PublicReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and not throttle.allow(request, "public_report"):
        form.add_error(
            None,
            _(
                "Too many reports from this connection in the last hour. If a child is in "
                "danger, call 111 now."
            ),
        )
    elif request.method == "POST" and form.is_valid():
        if form.cleaned_data.pop("website"):
            return render(request, "foundlings/report_thanks.html")
        try:
            services.foundling_report(actor=None, **form.service_fields())
        except (ValidationError, Refused) as error:
            if isinstance(error, Refused):
                form.add_error(None, error.message)
            else:
                add_to_form(form, error)
        else:
            return render(request, "foundlings/report_thanks.html")
    return render(request, "foundlings/report.html", {"form": form, "public": True})


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def case_detail(request, case_id):
    """The whole case for those who see the child; for an organisation asked to accept the child, what
    it needs to decide next to its answer; for the organisation that reported it, its report and how
    the case goes on (haven/access/relations.py)."""
    seen = selectors.case_seen(user=request.user, case_id=case_id)
    case = seen.case
    taken = selectors.actions_for(request.user, case)
    actions = [PAGE_OF.get(a, a) for a in taken]
    context = {
        "case": case,
        "seen": seen,
        "actions": [(a, title_of(workflow.FLOW, a, STEPS[a])) for a in dict.fromkeys(actions) if a in STEPS],
        "handover": selectors.pending_handover(case),
    }
    if seen.relation == relations.ASKED_TO_ACCEPT.name:
        context["essentials"] = selectors.essentials(case)
        context["answer_form"] = forms.AnswerForm() if "answer_handover" in actions else None
    if seen.whole:
        context.update(
            {
                "obligations": selectors.obligations_of(case),
                "duplicates": selectors.duplicates_pending(case),
                # Only those who may close a second report are offered to (D13 of the walkthrough).
                "decides_duplicates": "mark_duplicate" in taken,
                "can_export": selectors.can_export(request.user, case),
                # The mother's prevention record, when the baby was followed before birth: only for
                # those who may see that record (the commune, the collaborator), never the facility.
                "mother_record": mother_record(user=request.user, foundling_case=case),
                "pin_status": pin_status(case.child),
                "notice_backdated": selectors.notice_backdated(case),
            }
        )
    return render(request, "foundlings/detail.html", context)


def _handover_status(request, case_id):
    """The page an inbox message about a handover leads to, once there is nothing to answer (or for a
    member who does not answer for the organisation): what became of the handover, never a dead end."""
    if selectors.cases_visible(request.user).filter(pk=case_id).exists():
        return redirect("foundlings:detail", case_id)
    handover = selectors.handover_addressed(user=request.user, case_id=case_id)
    return render(request, "foundlings/handover_status.html", {"handover": handover})


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def case_step(request, case_id, step):
    if step not in STEPS:
        raise Http404
    context: dict = {}
    if step == "answer_handover":
        # The receiving organisation answers before the child is its own, and reads what it needs to
        # decide (haven/access/relations.py, "asked to accept"). Once answered, the same address says so.
        try:
            case = selectors.handover_to_answer(user=request.user, case_id=case_id).case
        except NotVisible:
            return _handover_status(request, case_id)
        # What the receiver needs to decide, above the answer (foundlings/_essentials.html).
        context.update({"essentials": selectors.essentials(case), "case": case})
        context["shown_before_form"] = "foundlings/_essentials.html"
        back = reverse("inbox")
    else:
        case = selectors.case_for_action(user=request.user, case_id=case_id)
        back = reverse("foundlings:detail", args=[case.pk])
    if step == "decide_allowance":
        return _allowance_procedure(request, case)
    context.update({"subject_label": case.child, "subject_link": step != "answer_handover"})

    def done(case) -> str:
        if not selectors.cases_visible(request.user).filter(pk=case.pk).exists():
            # A receiver that refused the child no longer sees the case: the handover's page says
            # what became of it.
            return reverse("foundlings:step", args=[case.pk, "answer_handover"])
        return reverse("foundlings:detail", args=[case.pk])

    return step_page(
        request,
        flow=workflow.FLOW,
        subject=case,
        step=step,
        page=STEPS[step],
        back=back,
        done=done,
        context=context,
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["POST"])
def duplicate_decide(request, case_id, pair_id):
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    pair = selectors.duplicates_pending(case).filter(pk=pair_id).first()
    form = forms.DuplicateForm(request.POST)
    if pair is None or not form.is_valid():
        messages.error(request, _("Choose whether the two reports are the same child."))
    else:
        try:
            services.duplicate_decide(
                actor=request.user, pair=pair, same_child=form.cleaned_data["same_child"]
            )
        except Refused as error:
            messages.error(request, error.message)
    return redirect("foundlings:detail", case.pk)


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def record_pdf(request, case_id):
    """The discovery record as a Vietnamese PDF, two originals, for signature and seal."""
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    if not hasattr(case, "discovery_record"):
        raise Http404
    membership = require(request.user, Verb.CHILD_EXPORT, case.child)
    # Drawn before the export is recorded: a record too long to print is refused, and exports nothing.
    content = pdf.discovery_record(case.discovery_record)
    record(
        actor=request.user,
        action="child.export",
        obj=case.child,
        organisation=membership.organisation,
        data={"document": "discovery_record", "format": "pdf"},
    )
    return pdf_response(content, f"bien-ban-{case.discovery_record.number.replace('/', '-')}.pdf")


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def photo(request, case_id):
    """The photo taken at discovery: for those who may see the child or read the case through a named
    relation (the facility asked to accept the child, the reporter), and every showing is recorded."""
    seen = selectors.case_seen(user=request.user, case_id=case_id, reason="photo")
    case = seen.case
    if not case.photo:
        raise Http404
    record(
        actor=request.user,
        action="child.photo_view",
        obj=case.child,
        organisation=seen.membership.organisation,
        reason=seen.relation,
    )
    return photo_response(case.photo.open("rb"))


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def notice(request, case_id):
    """The public notice to find the parents: printable, with the minimum (no finder, no name)."""
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    membership = require(request.user, Verb.CHILD_EXPORT, case.child)
    record(
        actor=request.user,
        action="child.export",
        obj=case.child,
        organisation=membership.organisation,
        data={"document": "public_notice"},
    )
    return render(
        request,
        "foundlings/notice.html",
        {"case": case, "authority": authority_for(case.found_commune)},
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def timeline(request, case_id):
    case = selectors.case_for_viewing(user=request.user, case_id=case_id, reason="timeline")
    return render(
        request,
        "foundlings/timeline.html",
        {
            "case": case,
            "steps": case.steps.select_related("actor", "organisation"),
            "obligations": selectors.obligations_of(case),
        },
    )


@markers.authenticated
@require_GET
def reconciliation_view(request):
    """Every found child not yet safe, with who is responsible and how late, rolled up by area."""
    if not (can(request.user, Verb.CHILD_VIEW) or can(request.user, Verb.AGGREGATE_VIEW)):
        raise Http404
    province = request.GET.get("province", "")
    province = province if province.isdigit() and len(province) == 2 else ""
    return render(
        request,
        "foundlings/reconciliation.html",
        {
            "report": reconciliation(user=request.user, province=province, page=request.GET.get("page", 1)),
            "province": province,
        },
    )
