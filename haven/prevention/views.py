"""Thin views: parse, call one service or selector, render. Each step of the follow-up is one row of
STEPS (its form and its service) on the one step page (haven/workflow/views.py), so every step is
offered, validated, confirmed and reported the same way."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can
from haven.areas.models import Area
from haven.audit.services import record
from haven.core.errors import Refused, add_to_form, messages_of
from haven.lib.ids import as_id
from haven.prevention import forms, selectors, services, workflow
from haven.prevention.catalog import NEED_LEVELS, NEEDS, RISK_FACTORS
from haven.prevention.models import Coverage, SupportStatus
from haven.workflow.views import StepPage, step_page, title_of


def _assess(actor, person, data: dict):
    """The assessment form gives one field per need; the service takes them as one mapping."""
    needs = {code: data.pop(f"need_{code}") for code, _label in NEEDS}
    return services.person_assess(actor=actor, person=person, needs=needs, **data)


def _for_person(person) -> dict:
    """The form is built for her: her commune's villages, her province's providers."""
    return {"person": person}


STEPS: dict[str, StepPage] = {
    # The first contact shows what the flag recorded, and keeps it (walkthrough D8).
    "contact": StepPage(
        forms.ContactForm,
        lambda a, p, d: services.person_contact(actor=a, person=p, **d),
        form_kwargs=_for_person,
    ),
    "decline": StepPage(forms.ReasonForm, lambda a, p, d: services.person_decline(actor=a, person=p, **d)),
    "assess": StepPage(forms.AssessForm, _assess),
    "refer": StepPage(
        forms.ReferForm,
        lambda a, p, d: services.support_refer(actor=a, person=p, **d),
        form_kwargs=_for_person,
    ),
    "update": StepPage(
        forms.UpdateForm,
        lambda a, p, d: services.person_update(actor=a, person=p, **d),
        form_kwargs=_for_person,
    ),
    "plan": StepPage(forms.PlanForm, lambda a, p, d: services.person_plan(actor=a, person=p, **d)),
    "visit": StepPage(forms.VisitForm, lambda a, p, d: services.visit_record(actor=a, person=p, **d)),
    "birth": StepPage(forms.BirthForm, lambda a, p, d: services.person_birth(actor=a, person=p, **d)),
    "papers": StepPage(forms.PapersForm, lambda a, p, d: services.papers_record(actor=a, person=p, **d)),
    "escalate": StepPage(forms.ReasonForm, lambda a, p, d: services.person_escalate(actor=a, person=p, **d)),
    "abandoned": StepPage(
        forms.AbandonedForm, lambda a, p, d: services.person_abandoned(actor=a, person=p, **d)
    ),
    "close_stable": StepPage(
        forms.NoteForm, lambda a, p, d: services.person_close_stable(actor=a, person=p, **d)
    ),
    "close": StepPage(forms.CloseForm, lambda a, p, d: services.person_close(actor=a, person=p, **d)),
}


def _step_label(action: str) -> str:
    """A timeline entry as words, in the user's language: the title of its row."""
    rule = workflow.FLOW.transitions.get(action)
    return str(rule.title) if rule is not None else action


@markers.requires(Verb.PREVENTION_VIEW)
@require_GET
def home(request):
    """A collaborator's round for today, or the commune's list of people at risk."""
    round_ = selectors.round_for(request.user)
    shown = [p for rows in (round_.overdue, round_.today, round_.week, round_.later) for p, _o in rows]
    if shown:
        record(actor=request.user, action="prevention.list", data={"shown": [str(p.pk) for p in shown]})
    return render(
        request,
        "prevention/home.html",
        {
            "round": round_,
            "empty": not shown,
            "can_flag": can(request.user, Verb.PREVENTION_RECORD),
            "communes": selectors.managed_communes(request.user),
            "provincial": bool(selectors.provinces_seen(request.user)),
            "can_figures": can(request.user, Verb.AGGREGATE_VIEW),
        },
    )


@markers.requires(Verb.PREVENTION_RECORD)
@require_http_methods(["GET", "POST"])
def flag(request):
    form = forms.FlagForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_flag(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_to_form(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Recorded. The first contact is due by the date shown."))
            if can(request.user, Verb.PREVENTION_VIEW):
                return redirect("prevention:detail", person.pk)
            return redirect("prevention:flag")
    return render(request, "prevention/flag.html", {"form": form})


@markers.requires(Verb.PREVENTION_VIEW)
@require_GET
def detail(request, person_id):
    person = selectors.person_for_viewing(user=request.user, person_id=person_id)
    labels = dict(RISK_FACTORS)
    levels = dict(NEED_LEVELS)
    return render(
        request,
        "prevention/detail.html",
        {
            "person": person,
            "actions": [
                (a, title_of(workflow.FLOW, a, STEPS[a]))
                for a in selectors.actions_for(request.user, person)
                if a in STEPS
            ],
            "risks": [labels[c] for c in person.risk_factors if c in labels],
            "needs": [
                (label, levels.get(person.needs.get(code), "—")) for code, label in NEEDS if person.needs
            ],
            "notes": services.notes_of(person),
            "visits": [(v, services.notes_of(v)) for v in person.visits.select_related("recorded_by")],
            "supports": person.supports.select_related("referred_by"),
            "obligations": selectors.obligations_of(person),
            "steps": [
                (s, _step_label(s.action)) for s in person.steps.select_related("actor", "organisation")
            ],
            "can_manage": selectors.can_manage(request.user, person.commune),
            "covering": selectors.collaborators_covering(person),
        },
    )


@markers.requires(Verb.PREVENTION_VIEW)
@require_http_methods(["GET", "POST"])
def step(request, person_id, step):
    if step not in STEPS:
        raise Http404
    person = selectors.person_for_action(user=request.user, person_id=person_id)
    return step_page(
        request,
        flow=workflow.FLOW,
        subject=person,
        step=step,
        page=STEPS[step],
        back=reverse("prevention:detail", args=[person.pk]),
        open_steps=selectors.actions_for(request.user, person),
        context={"subject_link": True},
    )


@markers.requires(Verb.PREVENTION_MANAGE)
@require_http_methods(["POST"])
def assign(request, person_id):
    """The commune gives her to a collaborator who covers her village."""
    person = selectors.person_for_action(user=request.user, person_id=person_id)
    collaborator = next(
        (
            u
            for u in selectors.collaborators_covering(person)
            if str(u.pk) == request.POST.get("collaborator")
        ),
        None,
    )
    if collaborator is None:
        messages.error(request, _("Choose a collaborator who covers her village."))
        return redirect("prevention:detail", person.pk)
    try:
        services.person_assign(actor=request.user, person=person, collaborator=collaborator)
    except ValidationError as error:
        messages.error(request, messages_of(error))
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("prevention:detail", person.pk)


@markers.requires(Verb.PREVENTION_VIEW)
@require_http_methods(["GET", "POST"])
def support_outcome(request, person_id, support_id):
    person = selectors.person_for_action(user=request.user, person_id=person_id)
    support = person.supports.filter(pk=support_id, status=SupportStatus.REFERRED).first()
    if support is None:
        raise Http404
    page = StepPage(
        forms.OutcomeForm,
        lambda a, p, d: services.support_outcome(actor=a, support=support, **d),
        title=_("Outcome of the referral: %(service)s") % {"service": support.get_service_display()},
    )
    return step_page(
        request,
        flow=workflow.FLOW,
        subject=person,
        step="support_outcome",
        page=page,
        back=reverse("prevention:detail", args=[person.pk]),
        open_steps=selectors.actions_for(request.user, person),
        context={"subject_link": True},
    )


def _commune_for(request) -> Area | None:
    """The commune asked for (if the user may see its coverage), the user's own commune, or None for a
    provincial user, who first sees the table of communes."""
    chosen = request.GET.get("commune") or request.POST.get("commune")
    if chosen:
        found = Area.objects.communes().filter(pk=as_id(chosen)).first() if as_id(chosen) else None
        if found is None or not selectors.may_see_coverage(request.user, found):
            raise NotVisible
        return found
    communes = selectors.managed_communes(request.user)
    if communes:
        return communes[0]
    if selectors.provinces_seen(request.user):
        return None
    raise NotVisible


@markers.requires(Verb.PREVENTION_VIEW)
@require_http_methods(["GET", "POST"])
def coverage(request):
    """Which collaborator covers each village, the villages nobody covers and the collaborators with
    too many people; the commune officer assigns villages here."""
    commune = _commune_for(request)
    if commune is None:
        province = selectors.provinces_seen(request.user)[0]
        rows = selectors.coverage_of_province(province)
        return render(
            request,
            "prevention/coverage_province.html",
            {"province": province, "rows": rows, "limit": services.schedule.CASELOAD_LIMIT},
        )
    manage = selectors.can_manage(request.user, commune)
    if request.method == "POST" and not manage:
        raise NotVisible
    cover = selectors.coverage_of(commune)
    village_form = forms.VillageForm(request.POST if request.POST.get("do") == "village" else None)
    assign_form = forms.CoverageForm(
        request.POST if request.POST.get("do") == "assign" else None,
        commune=commune,
        collaborators=[c.user for c in cover.collaborators],
    )
    do = request.POST.get("do")
    # An incomplete form is shown again with its own field errors; only a complete one reaches a service.
    if request.method == "POST" and do not in ("village", "assign", "end"):
        messages.error(request, _("Check the form."))
    elif (
        request.method == "POST"
        and (do != "village" or village_form.is_valid())
        and (do != "assign" or assign_form.is_valid())
    ):
        try:
            if do == "village":
                services.village_add(actor=request.user, commune=commune, **village_form.cleaned_data)
            elif do == "assign":
                services.coverage_assign(actor=request.user, **assign_form.cleaned_data)
            else:
                coverage_id = as_id(request.POST.get("coverage"))
                ended = (
                    Coverage.objects.filter(pk=coverage_id, village__commune=commune).first()
                    if coverage_id
                    else None
                )
                if ended is None:
                    raise Http404
                services.coverage_end(actor=request.user, coverage=ended)
        except ValidationError as error:
            add_to_form(assign_form if do == "assign" else village_form, error)
        except Refused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?commune={commune.pk}")
    return render(
        request,
        "prevention/coverage.html",
        {
            "cover": cover,
            "manage": manage,
            "village_form": village_form,
            "assign_form": assign_form,
            "communes": selectors.managed_communes(request.user),
            "limit": services.schedule.CASELOAD_LIMIT,
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def figures(request):
    area = None
    if request.GET.get("area", ""):
        area = (
            Area.objects.filter(pk=as_id(request.GET["area"])).first() if as_id(request.GET["area"]) else None
        )
        if area is None:
            raise NotVisible
    return render(request, "prevention/figures.html", {"f": selectors.figures_for(request.user, area)})
