"""Thin views: parse, call one service or selector, render. Each step of the pathway is one row of
STEPS (its form and its service), so every step is offered, validated and audited the same way."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers, relations
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, acting_membership, can, memberships, require
from haven.audit.services import record
from haven.core import throttle
from haven.core.errors import Refused
from haven.deadlines.selectors import tasks_for
from haven.foundlings import forms, pdf, selectors, services
from haven.foundlings.reconciliation import reconciliation
from haven.population.selectors import pin_status
from haven.prevention.selectors import mother_record


@dataclass(frozen=True)
class StepView:
    title: str
    form: type | None
    run: Callable
    initial: Callable | None = None  # the form's starting values, from the case


def _handover(case):
    handover = selectors.pending_handover(case)
    if handover is None:
        raise Refused(_("There is no handover waiting for an answer."), code="out_of_order")
    return handover


def _paper(paper):
    return lambda a, c, d: services.foundling_record_paper(actor=a, case=c, paper=paper, **d)


STEPS: dict[str, StepView] = {
    "acknowledge": StepView(
        gettext_lazy("Acknowledge the report"),
        None,
        lambda a, c, d: services.foundling_acknowledge(actor=a, case=c),
    ),
    "screen": StepView(
        gettext_lazy("Record the health screening"),
        forms.ScreeningForm,
        lambda a, c, d: services.foundling_screen(actor=a, case=c, **d),
    ),
    "record": StepView(
        gettext_lazy("Draw up the discovery record"),
        forms.RecordForm,
        lambda a, c, d: services.foundling_record(actor=a, case=c, **d),
    ),
    "discharge": StepView(
        gettext_lazy("Record the medical discharge"),
        forms.DischargeForm,
        lambda a, c, d: services.foundling_discharge(actor=a, case=c, **d),
    ),
    "decide_temporary_care": StepView(
        gettext_lazy("Decide temporary care"),
        forms.TemporaryCareForm,
        lambda a, c, d: services.foundling_decide_temporary_care(actor=a, case=c, **d),
    ),
    "answer_handover": StepView(
        gettext_lazy("Accept or refuse the child"),
        forms.AnswerForm,
        lambda a, c, d: services.foundling_handover_answer(actor=a, handover=_handover(c), **d),
    ),
    "post_notice": StepView(
        gettext_lazy("Post the public notice"),
        forms.NoticeForm,
        lambda a, c, d: services.foundling_post_notice(actor=a, case=c, **d),
    ),
    "claim": StepView(
        gettext_lazy("Record a claim"),
        forms.ClaimForm,
        lambda a, c, d: services.foundling_claim(actor=a, case=c, **d),
    ),
    "decide_claim": StepView(
        gettext_lazy("Decide on the claim"),
        forms.ClaimDecisionForm,
        lambda a, c, d: services.foundling_claim_decide(actor=a, case=c, **d),
    ),
    "register_birth": StepView(
        gettext_lazy("Register the birth"),
        forms.BirthForm,
        lambda a, c, d: services.foundling_register_birth(actor=a, case=c, **d),
    ),
    "resend_pin": StepView(
        gettext_lazy("Correct the birth and send it to the register again"),
        forms.BirthForm,
        lambda a, c, d: services.foundling_pin_resend(actor=a, case=c, **d),
        lambda c: {
            "family_name": c.child.family_name,
            "middle_name": c.child.middle_name,
            "given_name": c.child.given_name,
            "sex": c.child.sex,
            "date_of_birth": None if c.child.date_of_birth_estimated else c.child.date_of_birth,
        },
    ),
    "record_health_insurance": StepView(
        gettext_lazy("Record the health-insurance card"),
        forms.HealthInsuranceForm,
        _paper("health_insurance"),
    ),
    "record_residence": StepView(
        gettext_lazy("Record the residence registration"), forms.ResidenceForm, _paper("residence")
    ),
    "decide_allowance": StepView(
        gettext_lazy("Record the allowance decision"), forms.AllowanceForm, _paper("allowance")
    ),
    "plan_care": StepView(
        gettext_lazy("Record the care plan"),
        forms.NoteForm,
        lambda a, c, d: services.foundling_plan_care(actor=a, case=c, **d),
    ),
    "place": StepView(
        gettext_lazy("Decide the placement"),
        forms.PlacementForm,
        lambda a, c, d: services.foundling_place(actor=a, case=c, **d),
    ),
    "review": StepView(
        gettext_lazy("Record the six-monthly review"),
        forms.NoteForm,
        lambda a, c, d: services.foundling_review(actor=a, case=c, **d),
    ),
}
# Workflow actions shown as one page: both answers to a handover, both decisions on a claim.
PAGE_OF = {
    "accept_handover": "answer_handover",
    "refuse_handover": "answer_handover",
    "reunify": "decide_claim",
    "reject_claim": "decide_claim",
}


def _add_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if form is not None and field in form.fields else None, errors)


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
    return any(m.role in services.REPORTING_ROLES for m in memberships(user))


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def report(request):
    if not _can_report(request.user):
        raise NotVisible
    membership = acting_membership(request.user, Verb.CHILD_VIEW)
    form = forms.ReportForm(
        request.POST or None, request.FILES or None, province=membership.organisation.area.province
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.foundling_report(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The report was recorded. The commune has been told."))
            return redirect("foundlings:detail", case.pk)
    return render(request, "foundlings/report.html", {"form": form, "public": False})


@markers.public
@require_http_methods(["GET", "POST"])
def public_report(request):
    """No account needed: anyone who finds a child reports it here (or calls 111)."""
    form = forms.PublicReportForm(request.POST or None, request.FILES or None)
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
                _add_errors(form, error)
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
        "actions": [(a, STEPS[a].title) for a in dict.fromkeys(actions) if a in STEPS],
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
    essentials = None
    if step == "answer_handover":
        # The receiving organisation answers before the child is its own, and reads what it needs to
        # decide (haven/access/relations.py, "asked to accept"). Once answered, the same address says so.
        try:
            case = selectors.handover_to_answer(user=request.user, case_id=case_id).case
        except NotVisible:
            return _handover_status(request, case_id)
        essentials = selectors.essentials(case)
    else:
        case = selectors.case_for_action(user=request.user, case_id=case_id)
    view = STEPS[step]
    initial = view.initial(case) if view.initial else None
    form = view.form(request.POST or None, initial=initial) if view.form else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            view.run(request.user, case, dict(form.cleaned_data) if form else {})
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
            else:
                _add_errors(form, error)
        except Refused as error:
            messages.error(request, error.message)
            return redirect("foundlings:detail", case.pk)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": view.title})
            if not selectors.cases_visible(request.user).filter(pk=case.pk).exists():
                # A receiver that refused the child no longer sees the case: the handover's page says
                # what became of it.
                return redirect("foundlings:step", case.pk, "answer_handover")
            return redirect("foundlings:detail", case.pk)
    return render(
        request,
        "foundlings/step.html",
        {"case": case, "form": form, "title": view.title, "step": step, "essentials": essentials},
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
    record(
        actor=request.user,
        action="child.export",
        obj=case.child,
        organisation=membership.organisation,
        data={"document": "discovery_record", "format": "pdf"},
    )
    response = HttpResponse(pdf.discovery_record(case.discovery_record), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-ban-{case.discovery_record.number.replace("/", "-")}.pdf"'
    )
    return response


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
    content_type = mimetypes.guess_type(case.photo.name)[0] or "application/octet-stream"
    response = FileResponse(case.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


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
        {"case": case, "authority": services.authority_for(case.found_commune)},
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
        {"report": reconciliation(user=request.user, province=province), "province": province},
    )
