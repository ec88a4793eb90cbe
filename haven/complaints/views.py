"""Thin views of complaints: parse, check access, call one service or selector, render. The steps of a
complaint are pages of the one step view (haven/workflow/views.py), offered only to whoever may take
them. Every list and every view of a complaint leaves an audit event; so does every time the
complainant's identity is shown."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting, memberships
from haven.accounts.models import Membership, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.complaints import forms, selectors, services, workflow
from haven.complaints.models import OPEN_STATES, Complaint, State
from haven.core import clock, throttle
from haven.core.errors import Refused, add_to_form
from haven.deadlines.selectors import tasks_for
from haven.workflow.views import StepPage, step_page, title_of

FLOW = workflow.FLOW
LISTED = 100
STATUS_FILTERS = ("open", "late", "closed", "all")


def _children_shown(rows) -> list[str]:
    return sorted({str(c.about_child_id) for c in rows if c.about_child_id})


# --- The list ----------------------------------------------------------------------------------------


@markers.requires(Verb.COMPLAINT_HANDLE)
@require_GET
def complaint_list(request):
    """The complaints of the user's commune (a province's of its communes): each with its state, the
    deadline of the step it waits for, who must take it, and whether it is on track, at risk or
    breached. The late first."""
    user = request.user
    shown_filter = request.GET.get("show") if request.GET.get("show") in STATUS_FILTERS else "open"
    rows = selectors.with_deadlines(
        selectors.complaints(user).select_related("category", "commune", "about_child", "protection_case")
    )
    # A figure's "who is late" link names a commune or a province (reports/registry.py, late_url).
    area = None
    if request.GET.get("area"):
        area = Area.objects.current().filter(code=request.GET["area"]).first()
        if area is None:
            raise Http404
        rows = rows.filter(Q(commune=area) | Q(commune__parent=area))
    if shown_filter == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif shown_filter == "late":
        rows = rows.filter(ever_late=True)
    elif shown_filter == "closed":
        rows = rows.exclude(state__in=OPEN_STATES)
    found = list(rows.order_by(*selectors.LATE_FIRST)[:LISTED])
    now = clock.now()
    for c in found:
        c.status = selectors.status_of(c, now)
        c.status_label = selectors.STATUS_LABELS[c.status]
        c.status_badge = selectors.STATUS_BADGES[c.status]
        c.due = selectors.due_of(c)
    record(
        actor=user,
        action="complaint.list",
        data={
            "shown": [str(c.pk) for c in found],
            "children": _children_shown(found),
            "filter": shown_filter,
            **({"area": area.code} if area else {}),
        },
    )
    return render(
        request,
        "complaints/list.html",
        {
            "complaints": found,
            "show": shown_filter,
            "area": area,
            "listed": LISTED,
            "can_receive": bool(_receivers(user)),
            "tasks": tasks_for(user=user, subjects=(selectors.SUBJECT,)),
        },
    )


def _receivers(user: User) -> list[Membership]:
    return [m for m in granting(user, Verb.COMPLAINT_HANDLE) if m.role in workflow.COMMUNE]


def _officers_of(membership: Membership, user: User):
    """The officers of the receiving body a conduct complaint may name (never the receiver)."""
    ids = (
        Membership.objects.active(clock.today())
        .filter(organisation=membership.organisation)
        .exclude(user=user)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")


def _linked(user: User, request) -> dict:
    """What a complaint opened from a child's, an application's or a payment's page is about, among
    what the user sees; anything else named is refused as missing."""
    from haven.entitlements import selectors as entitlements
    from haven.entitlements.models import PaymentLine, PayrollRun
    from haven.people.models import Child

    found = {}
    source = request.POST if request.method == "POST" else request.GET
    try:
        if source.get("application"):
            found["application"] = get_object_or_404(
                entitlements.applications(user), pk=source["application"]
            )
        if source.get("payment"):
            lines = PaymentLine.objects.filter(run__in=PayrollRun.objects.visible_to(user).values("pk"))
            found["payment"] = get_object_or_404(
                lines.select_related("run__commune", "child"), pk=source["payment"]
            )
        if source.get("child"):
            found["about_child"] = get_object_or_404(Child.objects.visible_to(user), pk=source["child"])
    except (ValueError, ValidationError):
        raise NotVisible from None
    return found


@markers.requires(Verb.COMPLAINT_HANDLE)
@require_http_methods(["GET", "POST"])
def receive(request):
    """The officer records a complaint received at the desk, by post or by telephone."""
    user = request.user
    held = _receivers(user)
    if not held:
        raise NotVisible
    linked = _linked(user, request)
    form = forms.ReceiveForm(request.POST or None, officers=_officers_of(held[0], user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            complaint = services.complaint_receive(actor=user, **data, **linked)
        except ValidationError as error:
            add_to_form(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Received under the number %(reference)s. The complainant should be given this number.")
                % {"reference": complaint.reference},
            )
            return redirect("complaints:detail", complaint.pk)
    return render(request, "complaints/receive.html", {"form": form, "linked": linked})


@markers.public
@require_http_methods(["GET", "POST"])
def public_complaint(request):
    """No account needed: anyone sends a complaint or feedback to a commune; anonymous is feedback."""
    form = forms.PublicComplaintForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not throttle.allow(request, "public_complaint"):
        form.add_error(
            None, _("Too many messages from this connection in the last hour. Please try again later.")
        )
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("website", ""):
            return render(request, "complaints/public_thanks.html", {"reference": ""})
        data.pop("province", None)
        try:
            complaint = services.complaint_receive(actor=None, **data)
        except ValidationError as error:
            add_to_form(form, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            return render(
                request,
                "complaints/public_thanks.html",
                {"reference": complaint.reference, "feedback": complaint.track == "feedback"},
            )
    return render(request, "complaints/public.html", {"form": form})


# --- One complaint -------------------------------------------------------------------------------------


def _decide(a, c, d):
    return services.complaint_settle(actor=a, complaint=c, **d)


STEPS: dict[str, StepPage] = {
    "accept": StepPage(
        forms.AcceptForm,
        lambda a, c, d: services.complaint_accept(actor=a, complaint=c, **d),
        initial=lambda c: {"accepted_on": clock.today(), "remote_area": c.remote_area},
    ),
    "refuse": StepPage(
        forms.RefuseForm,
        lambda a, c, d: services.complaint_refuse(actor=a, complaint=c, **d),
        initial=lambda c: {"decided_on": clock.today()},
    ),
    "extend": StepPage(
        forms.ExtendForm, lambda a, c, d: services.complaint_extend(actor=a, complaint=c, **d)
    ),
    "settle": StepPage(forms.SettleForm, _decide, initial=lambda c: {"decided_on": clock.today()}),
    "appeal": StepPage(
        forms.AppealForm,
        lambda a, c, d: services.complaint_appeal(actor=a, complaint=c, **d),
        initial=lambda c: {"appealed_on": clock.today()},
    ),
    "appeal_accept": StepPage(
        forms.AppealAcceptForm,
        lambda a, c, d: services.complaint_appeal_accept(actor=a, complaint=c, **d),
        initial=lambda c: {"accepted_on": clock.today()},
    ),
    "appeal_refuse": StepPage(
        forms.RefuseForm,
        lambda a, c, d: services.complaint_appeal_refuse(actor=a, complaint=c, **d),
        initial=lambda c: {"decided_on": clock.today()},
    ),
    "appeal_settle": StepPage(
        forms.SettleForm,
        lambda a, c, d: services.complaint_appeal_settle(actor=a, complaint=c, **d),
        initial=lambda c: {"decided_on": clock.today()},
    ),
    "withdraw": StepPage(
        forms.WithdrawForm, lambda a, c, d: services.complaint_withdraw(actor=a, complaint=c, **d)
    ),
    "answer": StepPage(
        forms.AnswerForm,
        lambda a, c, d: services.feedback_answer(actor=a, complaint=c, **d),
        initial=lambda c: {"answered_on": clock.today()},
    ),
    "open_protection": StepPage(
        forms.OpenProtectionForm,
        lambda a, c, d: services.complaint_open_protection(actor=a, complaint=c, **d),
        form_kwargs=lambda c: {"child": c.about_child},
        said=lambda c: _("A child-protection case was opened; the commune's 12-hour clock runs."),
    ),
    "link_protection": StepPage(
        forms.LinkProtectionForm,
        lambda a, c, d: services.complaint_link_protection(actor=a, complaint=c, **d),
    ),
}
SIDE_STEPS = ("open_protection", "link_protection", "extend", "withdraw")
BASIS = {
    "accept": gettext_lazy("Law on Complaints 2011 art. 27: accepted within 10 days of receipt, in writing."),
    "refuse": gettext_lazy(
        "Law on Complaints 2011 art. 11, 27: a complaint not accepted is answered in writing, with the "
        "reasons."
    ),
    "extend": gettext_lazy("Law on Complaints 2011 art. 28, 37: a complicated case may take longer."),
    "settle": gettext_lazy(
        "Law on Complaints 2011 art. 18, 31: the commune chairman settles it by a written decision."
    ),
    "appeal": gettext_lazy(
        "Law on Complaints 2011 art. 33: within 30 days (45 in a remote area) of the decision, or of the "
        "deadline that passed without one."
    ),
    "appeal_accept": gettext_lazy("Law on Complaints 2011 art. 36: accepted within 10 days of receipt."),
    "appeal_refuse": gettext_lazy(
        "Law on Complaints 2011 art. 36: a complaint not accepted is answered in writing."
    ),
    "appeal_settle": gettext_lazy("Law on Complaints 2011 art. 37, 40: the second-time decision."),
    "withdraw": gettext_lazy("Law on Complaints 2011 art. 10: a complainant may withdraw at any time."),
    "answer": gettext_lazy("Feedback is answered within 10 working days (recommended)."),
    "open_protection": gettext_lazy(
        "Decree 56/2017 art. 25–26: the report (Form 01) goes to the commune, which checks the "
        "child's safety "
        "within 12 hours. The complainant's identity is not passed on."
    ),
    "link_protection": gettext_lazy("The complaint and the case will link to each other."),
}


def _complaint(user: User, complaint_id) -> Complaint:
    return get_object_or_404(
        selectors.complaints(user).select_related(
            "category",
            "commune__parent",
            "responsible",
            "appeal_responsible",
            "about_child",
            "application",
            "protection_case",
        ),
        pk=complaint_id,
    )


def open_steps(user: User, complaint: Complaint) -> list[str]:
    """The steps this user may take now: the table's rows from the state that the engine would let
    them fire (a second-time complaint only when the law opens it)."""
    found = []
    for action in workflow.STANDING_IN.open_steps(FLOW, complaint.state, memberships(user), complaint):
        if action not in STEPS:
            continue
        if action == "appeal" and (
            complaint.track != "complaint" or workflow.appeal_window(complaint, clock.now()) is None
        ):
            continue
        if action in ("open_protection", "link_protection") and complaint.protection_case_id:
            continue
        if action == "extend" and (
            complaint.appeal_complicated if complaint.second_level else complaint.complicated
        ):
            continue
        try:
            membership = FLOW.acting(user, complaint, action)
        except (Refused, Http404):
            continue
        guards = FLOW.transitions[action].guards
        if "complaint.level" in guards and not workflow.level_allows(membership, complaint):
            continue
        if "complaint.province_settles" in guards and membership.role in workflow.PROVINCE:
            body = complaint.appeal_responsible or workflow.province_authority(complaint.commune)
            if membership.organisation_id != body.pk:
                continue
        found.append(action)
    return found


@markers.requires(Verb.COMPLAINT_HANDLE)
@require_GET
def detail(request, complaint_id):
    user = request.user
    complaint = _complaint(user, complaint_id)
    annotated = selectors.with_deadlines(Complaint.objects.filter(pk=complaint.pk)).first()
    status = selectors.status_of(annotated)
    identity = selectors.may_see_complainant(user, complaint)
    record(
        actor=user,
        action="complaint.view",
        obj=complaint,
        child=complaint.about_child,
        data={"complainant_shown": identity},
    )
    steps = [
        (s, reverse("complaints:step", args=[complaint.pk, s]), title_of(FLOW, s, STEPS[s]))
        for s in open_steps(user, complaint)
    ]
    window = workflow.appeal_window(complaint, clock.now()) if complaint.track == "complaint" else None
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "identity": identity,
            "status": status,
            "status_label": selectors.STATUS_LABELS[status],
            "status_badge": selectors.STATUS_BADGES[status],
            "due": selectors.due_of(annotated),
            "steps": [s for s in steps if s[0] not in SIDE_STEPS],
            "side_steps": [s for s in steps if s[0] in SIDE_STEPS],
            "appeal_until": window[0] if window else None,
            "obligations": selectors.clocks_of(complaint),
            "timeline": [
                (s, FLOW.transitions[s.action].title if s.action in FLOW.transitions else s.action)
                for s in complaint.steps.select_related("actor", "organisation")
            ],
            "states": State,
            "now": clock.now(),
        },
    )


def _cases_to_link(user: User, complaint: Complaint):
    from haven.protection.models import CLOSED_STATES, ProtectionCase

    cases = ProtectionCase.objects.visible_to(user).exclude(state__in=CLOSED_STATES).select_related("child")
    if complaint.about_child_id:
        cases = cases.filter(child_id=complaint.about_child_id)
    else:
        cases = cases.filter(incident_commune=complaint.commune)
    return cases.order_by("-received_at")


@markers.requires(Verb.COMPLAINT_HANDLE)
@require_http_methods(["GET", "POST"])
def step(request, complaint_id, step: str):
    if step not in STEPS:
        raise NotVisible
    complaint = _complaint(request.user, complaint_id)
    page = STEPS[step]
    if step == "link_protection":
        cases = _cases_to_link(request.user, complaint)
        page = StepPage(page.form, page.run, form_kwargs=lambda c: {"cases": cases})
    back = reverse("complaints:detail", args=[complaint.pk])
    return step_page(
        request,
        flow=FLOW,
        subject=complaint,
        step=step,
        page=page,
        back=back,
        gone=reverse("complaints:list"),
        open_steps=open_steps(request.user, complaint),
        context={
            "subject_label": f"{complaint.reference} — {complaint.category}",
            "subject_link": True,
            "legal_basis": BASIS[step],
        },
    )
