"""Thin views of the allowance procedure: parse, check access, call one service or selector, render.
The steps of an application are pages of the one step view (haven/workflow/views.py), offered only
to whoever may take them; starting, adjusting, stopping and moving an allowance are forms on the
child's allowance page."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, memberships
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.selectors import tasks_for
from haven.entitlements import forms, proposals, schooling, selectors, services, workflow
from haven.entitlements.amounts import RuleBook, month_of, next_month
from haven.entitlements.models import (
    OPEN_STATES,
    Application,
    Entitlement,
    HealthInsuranceCard,
    Kind,
    PaymentMethod,
    PayrollRun,
    State,
)
from haven.entitlements.views_common import saved
from haven.people.models import Child
from haven.workflow.views import StepPage, step_page, title_of

FLOW = workflow.FLOW
SUBJECTS = (
    Application._meta.label_lower,
    PayrollRun._meta.label_lower,
    HealthInsuranceCard._meta.label_lower,
)
LISTED = 100


def _titled(steps) -> list[tuple]:
    return [
        (s, FLOW.transitions[s.action].title if s.action in FLOW.transitions else s.action) for s in steps
    ]


# --- Lists ---------------------------------------------------------------------------------------


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def index(request):
    """The commune's allowances: Haven's proposals, applications in progress with their deadline, the
    children paid this month and what, and the children entitled who have neither."""
    user, today = request.user, clock.today()
    book = RuleBook.load()
    found = selectors.applications(user).select_related("enrolment__school__organisation")
    running = list(
        selectors.periods(user)
        .filter(until_month=None)
        .order_by("child__family_name", "child__given_name")[:LISTED]
    )
    eligible = list(selectors.eligible_without(user)[:LISTED])
    proposed = list(found.filter(state=State.PROPOSED).order_by("created_at")[:LISTED])
    in_progress = list(
        found.filter(state__in=(State.RECEIVED, State.VERIFIED)).order_by("received_on")[:LISTED]
    )
    dues = {
        o.subject_id: o
        for o in Obligation.objects.filter(
            subject_id__in=[a.pk for a in proposed + in_progress], status=Status.OPEN
        )
    }
    for application in proposed + in_progress:
        application.due = dues.get(application.pk)
        application.why = proposals.why(application)
    shown = {str(c.pk) for c in eligible} | {str(p.child_id) for p in running}
    shown |= {str(a.child_id) for a in proposed + in_progress}
    record(actor=user, action="child.list", data={"shown": sorted(shown)[:500], "page": "allowances"})
    return render(
        request,
        "entitlements/index.html",
        {
            "proposed": proposed,
            "in_progress": in_progress,
            "paying": selectors.this_month(book, running, today),
            "eligible": eligible,
            "decided": found.filter(state__in=(State.DECIDED, State.REFUSED)).order_by(
                "-decided_on", "-updated_at"
            )[:10],
            "month": month_of(today),
            "tasks": tasks_for(user=user, subjects=SUBJECTS),
            "listed": LISTED,
            "without_card": selectors.without_valid_card(user, today).count(),
        },
    )


# --- One application -----------------------------------------------------------------------------


STEP_TITLES = {"verify": gettext_lazy("Check against the population register")}
# A pupil's support is decided as the allowance is; the step says what it decides.
SCHOOL_STEP_TITLES = {"decide": gettext_lazy("Decide the pupil's support")}
STEPS: dict[str, StepPage] = {
    "take_up": StepPage(
        forms.TakeUpForm,
        lambda a, app, d: services.application_take_up(actor=a, application=app, **d),
        form_kwargs=lambda app: {"school": app.for_school},
        initial=lambda app: {
            "ground": app.ground,
            "care_situation": app.care_situation,
            "studying": app.studying,
            "received_on": clock.today(),
        },
        said=lambda app: _(
            "Taken up: the application is received and the chairman decides within 10 working days."
        ),
    ),
    "dismiss": StepPage(
        forms.DismissForm, lambda a, app, d: services.application_dismiss(actor=a, application=app, **d)
    ),
    "verify": StepPage(
        None,
        lambda a, app, d: services.application_verify(actor=a, application=app),
        said=lambda app: _("The population register holds the same details: the chairman decides next."),
    ),
    "decide": StepPage(
        forms.DecideForm, lambda a, app, d: services.application_decide(actor=a, application=app, **d)
    ),
    "refuse": StepPage(
        forms.RefuseForm, lambda a, app, d: services.application_refuse(actor=a, application=app, **d)
    ),
}
BASIS = {
    "take_up": gettext_lazy(
        "Decree 20/2021 art. 7–8 as amended: the application goes to the commune chairman, who decides "
        "within 10 working days."
    ),
    "dismiss": gettext_lazy("A proposal set aside is kept, with its reason, in the child's file."),
    "verify": gettext_lazy(
        "Decree 147/2025 art. 5: the child's details are checked against the national population database "
        "before the decision."
    ),
    "decide": gettext_lazy(
        "Decree 147/2025 art. 5: the commune chairman decides; the allowance is paid from the month the "
        "decision is signed."
    ),
    "refuse": gettext_lazy("A refusal is a written reply that states its reasons."),
}


SCHOOL_BASIS = {
    "take_up": gettext_lazy(
        "The commune chairman decides a pupil's support within 10 working days of its receipt, as the "
        "allowance (Haven's reading: who decides after the 2025 reform is not verified)."
    ),
    "decide": gettext_lazy(
        "Resolution 217/2025/QH15; Decree 81/2021/NĐ-CP art. 20(10), replaced by Decree 238/2025/NĐ-CP: "
        "the support is paid by the semester for the months the child is enrolled."
    ),
}


def _step_title(application: Application, step: str) -> str:
    if application.for_school and step in SCHOOL_STEP_TITLES:
        return str(SCHOOL_STEP_TITLES[step])
    return str(STEP_TITLES.get(step) or title_of(FLOW, step, STEPS[step]))


def _application(user, application_id) -> Application:
    return get_object_or_404(
        selectors.applications(user).select_related(
            "commune__parent", "moved_to", "entitlement", "decided_by"
        ),
        pk=application_id,
    )


def open_steps(user, application: Application) -> list[str]:
    """The steps of the page this user may take now: the table's rows from the state, where the user
    acts for the application's commune (the engine's own check), less a decision that waits for the
    register check."""
    found = []
    for action in workflow.STANDING_IN.open_steps(FLOW, application.state, memberships(user), application):
        if action not in STEPS:
            continue
        # A pupil's support is not checked against the register: a pupil is enrolled without papers.
        if action == "verify" and application.for_school:
            continue
        if (
            action == "decide"
            and workflow.needs_register_check(application)
            and application.state != State.VERIFIED
        ):
            continue
        try:
            FLOW.acting(user, application, action)
        except (Refused, Http404):
            continue
        found.append(action)
    return found


def _preview(application: Application):
    """What the rules give for the month the application would start or change, with their inputs (a
    pupil's support: by the semester, ``_school``)."""
    if application.for_school:
        return None
    month = application.effective_month or month_of(clock.today())
    return RuleBook.load().amount(services.facts_of(application), month)


def _school(application: Application) -> dict | None:
    """A pupil's support: what is due for the enrolment, what each semester pays (once decided, the
    instalments counted), with their bases."""
    if not application.for_school or application.enrolment_id is None:
        return None
    today = clock.today()
    book = RuleBook.load()
    enrolment = application.enrolment
    paid = {(i.school_year, i.semester): i for i in application.instalments.select_related("parameter")}
    counted, before = [], 0
    for term in schooling.terms(enrolment.school_year):
        found = schooling.count_term(application, term, book, paid_months=before)
        before += len(found.months)
        counted.append((term, found, paid.get((term.year, term.semester))))
    return {
        "due": schooling.due(enrolment, schooling.circumstances_of(application.child, today), today, book),
        "terms": counted,
        "enrolment": enrolment,
    }


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def application(request, application_id):
    found = _application(request.user, application_id)
    record(actor=request.user, action="child.view", obj=found, data={"page": "allowance_application"})
    due = Obligation.objects.filter(subject_id=found.pk, status=Status.OPEN).order_by("due_at").first()
    return render(
        request,
        "entitlements/application.html",
        {
            "application": found,
            "why": proposals.why(found),
            "due": due,
            "preview": _preview(found) if found.state in OPEN_STATES else None,
            "school": _school(found),
            "steps": [
                (
                    step,
                    reverse("entitlements:step", args=[found.pk, step]),
                    _step_title(found, step),
                )
                for step in open_steps(request.user, found)
            ],
            "timeline": _titled(found.steps.select_related("actor", "organisation")),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def step(request, application_id, step: str):
    if step not in STEPS:
        raise NotVisible
    found = _application(request.user, application_id)
    back = reverse("entitlements:application", args=[found.pk])
    return step_page(
        request,
        flow=FLOW,
        subject=found,
        step=step,
        page=replace(STEPS[step], title=_step_title(found, step)),
        back=back,
        open_steps=open_steps(request.user, found),
        template="entitlements/step.html",
        context={
            "subject_label": f"{found.title}: {found.child}",
            "subject_link": True,
            "legal_basis": SCHOOL_BASIS.get(step, BASIS[step]) if found.for_school else BASIS[step],
            "application": found,
            "preview": _preview(found),
            "school": _school(found),
            "why": proposals.why(found),
        },
    )


# --- One child's allowance -------------------------------------------------------------------------


def _child(user, child_id) -> Child:
    """A child the user sees, or one whose allowance file the user's commune holds (after a move)."""
    child = Child.objects.visible_to(user).filter(pk=child_id).first()
    if child is None and selectors.periods(user).filter(child_id=child_id).exists():
        child = Child.objects.filter(pk=child_id, merged_into__isnull=True).first()
    if child is None:
        raise NotVisible
    return child


def _may(user, child: Child, commune, roles) -> bool:
    """Whether ``user`` prepares a procedure of ``commune`` for ``child`` in one of ``roles``."""
    return workflow.acting_for(user, child, commune, roles) is not None


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def child(request, child_id):
    """A child's allowance: its periods, every month with what was paid and why, the next change the
    rules bring, and what the user may do next."""
    found = _child(request.user, child_id)
    today = clock.today()
    book = RuleBook.load()
    periods = list(selectors.periods(request.user).filter(child=found).order_by("-from_month"))
    current = next((p for p in periods if p.until_month is None), None)
    pending = (
        selectors.allowance_applications(request.user).filter(child=found, state__in=OPEN_STATES).first()
    )
    months = selectors.months_of(found, periods, book, until=month_of(today))
    record(actor=request.user, action="child.view", obj=found, data={"page": "allowance"})
    return render(
        request,
        "entitlements/child.html",
        {
            "child": found,
            "periods": periods,
            "current": current,
            "pending": pending,
            "months": months[:24],
            # The citations of the rules and levels the months were computed from, each once.
            "bases": list(
                dict.fromkeys(
                    basis
                    for m in months[:24]
                    if m.amount.rule is not None
                    for basis in (
                        m.amount.rule.legal_basis,
                        m.amount.base.legal_basis if m.amount.base else "",
                    )
                    if basis
                )
            ),
            "next": selectors.next_change(found, current, book, today),
            "this_month": book.amount(services.facts_of(current, found), month_of(today))
            if current
            else None,
            "may_apply": current is None
            and pending is None
            and _may(request.user, found, found.current_commune, workflow.APPLICANTS),
            "may_change": current is not None
            and pending is None
            and _may(request.user, found, current.commune, workflow.PREPARERS),
            "history": selectors.allowance_applications(request.user)
            .filter(child=found)
            .order_by("-created_at"),
            "support": selectors.pupil_support(request.user, found, _enrolment_now(found, today), today),
            "payee": PaymentMethod.objects.in_force(today).filter(child=found).first(),
            "card": selectors.card_now(found, today),
            "may_pay": _may(
                request.user, found, current.commune if current else found.current_commune, workflow.PREPARERS
            ),
            "may_card": _may(request.user, found, found.current_commune, workflow.APPLICANTS),
        },
    )


def _enrolment_now(child: Child, today):
    """The child's enrolment of this school year (enrolled, or left during it), if any."""
    from haven.education.ages import school_year_of
    from haven.education.models import Enrolment

    return (
        Enrolment.objects.filter(child=child, school_year=school_year_of(today), started_on__isnull=False)
        .select_related("school__organisation", "child__current_commune")
        .order_by("-started_on", "-created_at")
        .first()
    )


def _form_page(request, found: Child, form, act, *, title: str, hint: str = ""):
    if request.method == "POST" and saved(form, act):
        messages.success(request, _("Recorded: the commune chairman decides within 10 working days."))
        return redirect("entitlements:child", found.pk)
    return render(
        request,
        "entitlements/form.html",
        {
            "child": found,
            "form": form,
            "title": title,
            "hint": hint,
            "back": reverse("entitlements:child", args=[found.pk]),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def apply(request, child_id):
    found = _child(request.user, child_id)
    if not _may(request.user, found, found.current_commune, workflow.APPLICANTS):
        raise NotVisible
    facility = not _may(request.user, found, found.current_commune, workflow.PREPARERS)
    initial = {}
    ground = selectors.ground_of(found)
    if ground:
        initial = {"ground": ground, "care_situation": "community"}
    form = forms.ApplyForm(
        request.POST if request.method == "POST" else None, facility=facility, initial=initial
    )

    def act(d):
        services.application_apply(actor=request.user, child=found, **d)

    return _form_page(
        request,
        found,
        form,
        act,
        title=_("Record an application for the monthly allowance"),
        hint=_(
            "The carer applies to the commune chairman in person, by post or online; the facility caring for "
            "the child may apply here. The chairman decides within 10 working days of the day it is received."
        ),
    )


def _running(request, found: Child) -> Entitlement:
    current = selectors.periods(request.user).filter(child=found, until_month=None).first()
    if current is None or not _may(request.user, found, current.commune, workflow.PREPARERS):
        raise NotVisible
    return current


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def change(request, child_id, kind: str):
    if kind not in (Kind.ADJUST, Kind.STOP):
        raise NotVisible
    found = _child(request.user, child_id)
    current = _running(request, found)
    adjust = kind == Kind.ADJUST
    initial = {"effective_month": next_month(month_of(clock.today()))}
    if adjust:
        initial.update(
            ground=current.ground, care_situation=current.care_situation, studying=current.studying
        )
    form = forms.ChangeForm(
        request.POST if request.method == "POST" else None, adjust=adjust, initial=initial
    )

    def act(d):
        services.entitlement_change(actor=request.user, entitlement=current, kind=kind, **d)

    return _form_page(
        request,
        found,
        form,
        act,
        title=_("Prepare an adjustment") if adjust else _("Prepare a stop"),
        hint=_(
            "Decree 20/2021 as amended: the chairman adjusts or stops the allowance from the month after the "
            "change. The amount already follows the child's age and the legal level by itself."
        ),
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def move(request, child_id):
    found = _child(request.user, child_id)
    current = _running(request, found)
    form = forms.MoveForm(request.POST if request.method == "POST" else None)

    def act(d):
        services.entitlement_move(actor=request.user, entitlement=current, **d)

    return _form_page(
        request,
        found,
        form,
        act,
        title=_("Record a move to another commune"),
        hint=_(
            "This commune's chairman stops the allowance from the month after the move; once decided, Haven "
            "proposes the continuation to the new commune from that same month: no month without an "
            "allowance and no month paid twice. Record the child's new commune on the child's record too."
        ),
    )
