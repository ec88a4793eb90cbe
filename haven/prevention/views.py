"""Thin views: parse, call one service or selector, render. Each step is one row of STEPS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can
from haven.areas.models import Area
from haven.audit.services import record
from haven.core.errors import Refused, add_to_form, messages_of
from haven.lib.ids import as_id
from haven.prevention import forms, selectors, services
from haven.prevention.catalog import NEED_LEVELS, NEEDS, RISK_FACTORS
from haven.prevention.models import Coverage, SupportStatus


@dataclass(frozen=True)
class StepView:
    title: str
    form: type[django_forms.Form]
    run: Callable
    # The form is built for the person (her commune's villages, her province's providers).
    for_person: bool = False


def _fields(form) -> dict:
    return form.service_fields() if hasattr(form, "service_fields") else dict(form.cleaned_data)


STEPS: dict[str, StepView] = {
    "contact": StepView(
        gettext_lazy("Record the first contact and her consent"),
        forms.ContactForm,
        lambda a, p, d: services.person_contact(actor=a, person=p, **d),
        for_person=True,
    ),
    "decline": StepView(
        gettext_lazy("She declines follow-up"),
        forms.ReasonForm,
        lambda a, p, d: services.person_decline(actor=a, person=p, **d),
    ),
    "assess": StepView(
        gettext_lazy("Assess her needs"),
        forms.AssessForm,
        lambda a, p, d: services.person_assess(actor=a, person=p, **d),
    ),
    "refer": StepView(
        gettext_lazy("Refer her to a service"),
        forms.ReferForm,
        lambda a, p, d: services.support_refer(actor=a, person=p, **d),
        for_person=True,
    ),
    "update": StepView(
        gettext_lazy("Update her village or pregnancy"),
        forms.UpdateForm,
        lambda a, p, d: services.person_update(actor=a, person=p, **d),
        for_person=True,
    ),
    "plan": StepView(
        gettext_lazy("Agree the support plan"),
        forms.PlanForm,
        lambda a, p, d: services.person_plan(actor=a, person=p, **d),
    ),
    "visit": StepView(
        gettext_lazy("Record a visit"),
        forms.VisitForm,
        lambda a, p, d: services.visit_record(actor=a, person=p, **d),
    ),
    "birth": StepView(
        gettext_lazy("Record the birth"),
        forms.BirthForm,
        lambda a, p, d: services.person_birth(actor=a, person=p, **d),
    ),
    "papers": StepView(
        gettext_lazy("Record the newborn's papers"),
        forms.PapersForm,
        lambda a, p, d: services.papers_record(actor=a, person=p, **d),
    ),
    "escalate": StepView(
        gettext_lazy("Escalate to child protection"),
        forms.ReasonForm,
        lambda a, p, d: services.person_escalate(actor=a, person=p, **d),
    ),
    "abandoned": StepView(
        gettext_lazy("The baby was abandoned"),
        forms.AbandonedForm,
        lambda a, p, d: services.person_abandoned(actor=a, person=p, **d),
    ),
    "close_stable": StepView(
        gettext_lazy("Close: the family is stable"),
        forms.NoteForm,
        lambda a, p, d: services.person_close_stable(actor=a, person=p, **d),
    ),
    "close": StepView(
        gettext_lazy("Close for another reason"),
        forms.CloseForm,
        lambda a, p, d: services.person_close(actor=a, person=p, **d),
    ),
}


OTHER_STEPS = {
    "flag": gettext_lazy("Flagged at risk"),
    "support_outcome": gettext_lazy("Outcome of a referral recorded"),
}


def _step_label(action: str) -> str:
    """A timeline entry as words, in the user's language."""
    if action in STEPS:
        return str(STEPS[action].title)
    return str(OTHER_STEPS.get(action, action))


def _add_errors(form, error: ValidationError) -> None:
    add_to_form(form, error)


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
            _add_errors(form, error)
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
                (a, STEPS[a].title) for a in selectors.actions_for(request.user, person) if a in STEPS
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
    view = STEPS[step]
    if request.method == "GET" and step not in selectors.actions_for(request.user, person):
        messages.info(request, _("This step is not open to you now."))
        return redirect("prevention:detail", person.pk)
    form = view.form(
        request.POST if request.method == "POST" else None, **({"person": person} if view.for_person else {})
    )
    if request.method == "POST" and form.is_valid():
        try:
            view.run(request.user, person, _fields(form))
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": view.title})
            return redirect("prevention:detail", person.pk)
    return render(request, "prevention/step.html", {"person": person, "form": form, "title": view.title})


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
    form = forms.OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_outcome(actor=request.user, support=support, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The outcome of the referral is recorded."))
            return redirect("prevention:detail", person.pk)
    title = _("Outcome of the referral: %(service)s") % {"service": support.get_service_display()}
    return render(request, "prevention/step.html", {"person": person, "form": form, "title": title})


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
            _add_errors(assign_form if do == "assign" else village_form, error)
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
