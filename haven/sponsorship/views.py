"""Sponsorship pages: the coordinator's programmes, offers, matches and steps; a sponsor's own
sponsorships (first name, age band, commune; messages and visits through Haven)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import granting
from haven.areas.models import Area
from haven.audit.services import record
from haven.core.errors import Refused, add_to_form
from haven.sponsorship import forms, selectors, services
from haven.sponsorship.models import Programme, Sponsor, SponsorshipState, Visit, VisitState
from haven.sponsorship.services import reconciliation
from haven.sponsorship.workflow import COORDINATOR, WORKFLOW


def attempt(form, action) -> bool:
    """Run a service on a valid form: its refusal lands on the form, nothing saved."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        add_to_form(form, error)
        return False
    except Refused as error:
        form.add_error(None, error.message)
        return False
    return True


def _areas_of(user, verb: Verb):
    ids = set()
    for m in granting(user, verb):
        area = m.organisation.area
        ids.add(area.pk)
        if area.level == "province" or m.role not in COORDINATOR:
            pass
    return Area.objects.filter(pk__in=ids)


def _communes_for(user, verb: Verb = Verb.SPONSORSHIP_OFFER):
    """Communes a person offers or records in: their own, or every commune of their province."""
    own = [m.organisation.area for m in granting(user, verb)]
    ids = [a.pk for a in own if a.level == "commune"]
    provinces = [a.pk for a in own if a.level == "province"]
    return Area.objects.filter(pk__in=ids) | Area.objects.filter(parent_id__in=provinces, level="commune")


def _programmes_for(user):
    communes = _communes_for(user)
    return Programme.objects.filter(is_active=True).filter(
        area__in=list(communes.values_list("pk", flat=True))
        + list(communes.values_list("parent_id", flat=True))
    )


@markers.requires(Verb.SPONSORSHIP_OFFER)
@require_http_methods(["GET"])
def index(request):
    user = request.user
    coordinator = bool(granting(user, Verb.SPONSORSHIP_COORDINATE))
    sponsorships = list(selectors.sponsorships_for(user).order_by("state", "-created_at")[:200])
    campaigns = list(selectors.campaigns_for(user)) if coordinator else []
    context = {
        "coordinator": coordinator,
        "offers": [s for s in sponsorships if s.state == SponsorshipState.OFFERED],
        "active": [s for s in sponsorships if s.state == SponsorshipState.ACTIVE],
        "other": [
            s for s in sponsorships if s.state not in (SponsorshipState.OFFERED, SponsorshipState.ACTIVE)
        ],
        "campaigns": reconciliation.by_campaign(campaigns),
        "facilities": reconciliation.by_facility(campaigns),
        "issues": reconciliation.issues(campaigns) if campaigns else [],
        "programmes": Programme.objects.filter(
            organiser__in=[m.organisation for m in granting(user, Verb.SPONSORSHIP_COORDINATE)]
        ),
    }
    named = [str(s.child_id) for s in context["active"] if s.child_id]
    if named:  # the list names each sponsored child by first name
        record(actor=user, action="sponsorship.list", data={"children": named})
    return render(request, "sponsorship/index.html", context)


@markers.requires(Verb.SPONSORSHIP_OFFER)
@require_http_methods(["GET", "POST"])
def offer(request):
    user = request.user
    form = forms.OfferForm(
        request.POST or None,
        sponsors=selectors.sponsors_for(user),
        programmes=_programmes_for(user),
        communes=_communes_for(user),
    )
    made = {}
    if request.method == "POST" and attempt(
        form,
        lambda d: made.setdefault(
            "s",
            services.sponsorship_offer(
                actor=user,
                sponsor=d["sponsor"],
                programme=d["programme"],
                commune=d["commune"],
                form=d["form"],
                monthly_amount=d["monthly_amount"] or 0,
                months=d["months"],
                until_adult=d["until_adult"],
                direct_contact=d["direct_contact"],
            ),
        ),
    ):
        messages.success(request, _("The offer is recorded: the coordinator will match a child."))
        return redirect("sponsorship:sponsorship", made["s"].pk)
    return render(request, "sponsorship/offer.html", {"form": form})


@markers.requires(Verb.SPONSORSHIP_COORDINATE)
@require_http_methods(["GET", "POST"])
def sponsors(request):
    user = request.user
    form = forms.SponsorForm(request.POST or None)
    areas = [m.organisation.area for m in granting(user, Verb.SPONSORSHIP_COORDINATE)]
    if request.method == "POST" and attempt(
        form,
        lambda d: services.sponsor_register(
            actor=user,
            kind=d["kind"],
            name=d["name"],
            area=areas[0],
            phone=d["phone"],
            publish_identity=d["publish_identity"],
        ),
    ):
        messages.success(request, _("The sponsor is registered."))
        return redirect("sponsorship:sponsors")
    found = selectors.sponsors_for(user).select_related("vetting").order_by("name")
    return render(request, "sponsorship/sponsors.html", {"form": form, "sponsors": found})


@markers.requires(Verb.SPONSORSHIP_COORDINATE)
@require_http_methods(["GET", "POST"])
def sponsor(request, sponsor_id):
    user = request.user
    found = get_object_or_404(selectors.sponsors_for(user), pk=sponsor_id)
    form = forms.VettingForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "approve":
        try:
            services.vetting_approve(actor=user, sponsor=found)
        except Refused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The vetting is approved."))
        return redirect("sponsorship:sponsor", found.pk)
    if request.method == "POST" and attempt(
        form, lambda d: services.vetting_record(actor=user, sponsor=found, **d)
    ):
        messages.success(request, _("The vetting is recorded: another coordinator approves it."))
        return redirect("sponsorship:sponsor", found.pk)
    vetting = found.vetting if hasattr(found, "vetting") else None
    return render(request, "sponsorship/sponsor.html", {"sponsor": found, "vetting": vetting, "form": form})


def _candidates(user, sponsorship):
    """Each child as the coordinator chooses: first name, sex and age band, never the record."""
    found = services.candidates(actor=user, sponsorship=sponsorship)
    for child in found:
        child.label = " — ".join(
            (child.given_name or _("(not named)"), child.get_sex_display(), selectors.age_band(child))
        )
    return found


def _open(name: str, sponsorship) -> bool:
    """A step's form is shown only where it can be taken: from the sponsorship's state, and a visit
    only once direct contact is approved."""
    if sponsorship.state not in WORKFLOW.transitions[name].sources:
        return False
    return name != "request_visit" or (
        sponsorship.direct_contact and sponsorship.contact_approved_at is not None
    )


# The steps of a sponsorship page: form, service, and who takes it (coordinator, or anyone who reaches it).
STEPS = {
    "match": (forms.MatchForm, True),
    "decline": (forms.DeclineForm, True),
    "approve_contact": (None, True),
    "consent": (forms.ConsentForm, True),
    "exit_plan": (forms.ExitPlanForm, True),
    "end": (forms.EndForm, True),
    "message": (forms.MessageForm, False),
    "request_visit": (forms.VisitRequestForm, False),
}


def _run(step: str, user, sponsorship, data):
    from haven.people.models import Child

    if step == "match":
        child = get_object_or_404(Child, pk=data["child"])
        return services.sponsorship_match(actor=user, sponsorship=sponsorship, child=child)
    if step == "decline":
        return services.sponsorship_decline(actor=user, sponsorship=sponsorship, reason=data["reason"])
    if step == "approve_contact":
        return services.contact_approve(actor=user, sponsorship=sponsorship)
    if step == "consent":
        return services.consent_record(actor=user, sponsorship=sponsorship, **data)
    if step == "exit_plan":
        return services.exit_plan_record(actor=user, sponsorship=sponsorship, plan=data["plan"])
    if step == "end":
        return services.sponsorship_end(actor=user, sponsorship=sponsorship, reason=data["reason"])
    if step == "message":
        return services.message_send(actor=user, sponsorship=sponsorship, text=data["text"])
    return services.visit_request(actor=user, sponsorship=sponsorship, **data)


@markers.requires(Verb.SPONSORSHIP_OFFER)
@require_http_methods(["GET", "POST"])
def sponsorship(request, sponsorship_id, step: str = ""):
    user = request.user
    found = selectors.sponsorship_of(user, sponsorship_id)
    coordinator = selectors.is_coordinator_of(user, found)
    if step and step not in STEPS:
        raise Http404
    bound = {}
    for name, (form_class, coordinators_only) in STEPS.items():
        if form_class is None or (coordinators_only and not coordinator) or not _open(name, found):
            continue
        kwargs = (
            {"candidates": _candidates(user, found)}
            if name == "match" and found.state == SponsorshipState.OFFERED
            else {}
        )
        if name == "match" and not kwargs:
            continue
        data = request.POST if request.method == "POST" and name == step else None
        bound[name] = form_class(data, prefix=name, **kwargs)
    if request.method == "POST":
        if not step or (STEPS[step][1] and not coordinator):
            raise Http404
        form = bound.get(step)
        if form is None and STEPS[step][0] is not None:
            messages.error(request, _("This step cannot be taken now."))
            return redirect("sponsorship:sponsorship", found.pk)
        if form is None:
            try:
                _run(step, user, found, {})
            except Refused as error:
                messages.error(request, error.message)
                return redirect("sponsorship:sponsorship", found.pk)
            messages.success(request, _("Done: %(step)s.") % {"step": WORKFLOW.transitions[step].title})
            return redirect("sponsorship:sponsorship", found.pk)
        if attempt(form, lambda d: _run(step, user, found, d)):
            messages.success(request, _("Done: %(step)s.") % {"step": WORKFLOW.transitions[step].title})
            return redirect("sponsorship:sponsorship", found.pk)
    record(actor=user, action="sponsorship.view", obj=found, child=found.child if coordinator else None)
    context = {
        "s": found,
        "coordinator": coordinator,
        "child": selectors.child_for_sponsor(found),
        "forms": bound,
        "visits": found.visits.all(),
        "messages_": found.messages.all(),
        "steps": [
            (step, WORKFLOW.transitions[step.action].title if step.action in WORKFLOW.transitions else "")
            for step in found.steps.select_related("actor")
        ]
        if coordinator
        else [],
        # The coordinator pays the carer from a campaign's page, the sponsorship chosen there.
        "campaigns": selectors.campaigns_for(user).filter(
            Q(programme__isnull=True) | Q(programme_id=found.programme_id)
        )
        if coordinator and found.state == SponsorshipState.ACTIVE
        else [],
        "payments": found.entries.filter(kind="disbursement").select_related("line").order_by("-occurred_on")
        if coordinator
        else [],
        "visit_form": forms.VisitDecideForm(prefix="visit") if coordinator else None,
    }
    return render(request, "sponsorship/sponsorship.html", context)


@markers.requires(Verb.SPONSORSHIP_COORDINATE)
@require_http_methods(["POST"])
def visit(request, visit_id):
    user = request.user
    found = get_object_or_404(Visit.objects.select_related("sponsorship"), pk=visit_id)
    if not selectors.is_coordinator_of(user, found.sponsorship):
        raise Http404
    if found.state == VisitState.APPROVED:
        try:
            services.visit_done(actor=user, visit=found)
        except Refused as error:
            messages.error(request, error.message)
        return redirect("sponsorship:sponsorship", found.sponsorship_id)
    form = forms.VisitDecideForm(request.POST, prefix="visit")
    if attempt(form, lambda d: services.visit_decide(actor=user, visit=found, **d)):
        messages.success(request, _("Done."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("sponsorship:sponsorship", found.sponsorship_id)


def sponsor_areas(user):
    return Sponsor.objects.none()
