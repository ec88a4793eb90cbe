"""Thin views of family-like care: parse, check access, call one service or selector, render. The
steps of a family, a placement and a Form 16 decision are pages of the one step view
(haven/workflow/views.py), offered only to whoever may take them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

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
from haven.access.scoping import NotVisible, can, memberships, reaching, require
from haven.accounts.models import Role
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import decisions, forms, selectors, services, termination, workflow
from haven.care import families as families_mod
from haven.care.authority import held_facilities
from haven.care.models import (
    CareChangeDecision,
    CareForm,
    Facility,
    FamilyStatus,
    Placement,
    PlacementStep,
    PrincipalCaregiver,
    RegisterUpdate,
    Room,
    ShiftAssignment,
    SmallGroup,
    Staff,
    StaffKind,
)
from haven.core.errors import Refused, add_to_form
from haven.deadlines.models import Obligation
from haven.deadlines.selectors import tasks_for
from haven.people.models import Child
from haven.workflow.engine import Workflow
from haven.workflow.views import StepPage, step_page, title_of


def _saved(form, action: Callable) -> bool:
    """Run a service on a valid form (a write that is not a workflow step); its refusal lands on the
    form, every message next to its field, and nothing is saved."""
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


def open_actions(flow: Workflow, user, subject, among) -> list[str]:
    """The steps of ``flow`` among ``among`` this user may take on ``subject`` now: the table's rows
    from its state for the user's roles, where the user acts for the subject (the engine's own check)."""
    roles = {m.role for m in memberships(user)}
    found = []
    for action in flow.actions_for(subject.state, roles):
        if action not in among:
            continue
        try:
            flow.acting(user, subject, action)
        except (Refused, Http404):
            continue
        found.append(action)
    return found


def _facility(request, facility_id: int) -> Facility:
    facility = selectors.facilities_visible(request.user).filter(pk=facility_id).first()
    if facility is None:
        raise NotVisible
    return facility


def _manages(user, facility: Facility, verb: Verb = Verb.CARE_MANAGE) -> bool:
    try:
        services.facility_membership(user, facility, verb)
    except NotVisible:
        return False
    return True


# The subjects of care's deadlines: a module's share of the user's tasks (deadlines/duties.py).
CARE_SUBJECTS = ("care.placement", "care.carefamily", "care.registerupdate")


def _tasks(user):
    return tasks_for(user=user, subjects=CARE_SUBJECTS)


# --- Lists and boards ---------------------------------------------------------------------------


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def index(request):
    facilities = list(selectors.facilities_visible(request.user).order_by("organisation__name"))
    if len(facilities) == 1 and not can(request.user, Verb.AGGREGATE_VIEW):
        return redirect("care:board", facilities[0].pk)
    return render(
        request,
        "care/index.html",
        {
            "facilities": facilities,
            "can_figures": can(request.user, Verb.AGGREGATE_VIEW),
            "tasks": _tasks(request.user),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def board(request, facility_id: int):
    facility = _facility(request, facility_id)
    data = selectors.board(facility)
    # The facility's neighbours (the commune, the province) see its figures; names only of the
    # children they may see.
    ids = [c.pk for g in data.groups for c in g.children]
    visible = set(Child.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    for g in data.groups:
        for c in g.children:
            c.shown = c.pk in visible
    data.due_reviews = [o for o in data.due_reviews if o.child_id in visible]
    data.unstable = [(c, n) for c, n in data.unstable if c.pk in visible]
    shown = [str(pk) for pk in visible]
    if shown:
        record(actor=request.user, action="child.list", data={"shown": shown, "facility": facility.pk})
    return render(
        request,
        "care/board.html",
        {
            "board": data,
            "manages": _manages(request.user, facility),
            # Form 14 is an export of the children's data, for the facility's own head (view form14).
            "can_form14": _manages(request.user, facility, Verb.CHILD_EXPORT),
            "tasks": _tasks(request.user),
            "can_inspect": can(request.user, Verb.CARE_INSPECT),
            "inspection": facility.inspections.first(),
        },
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def province(request):
    provinces = selectors.provinces_visible(request.user)
    if not provinces:
        raise NotVisible
    chosen = next((p for p in provinces if p.code == request.GET.get("province")), provinces[0])
    return render(
        request,
        "care/province.html",
        {
            "figures": selectors.province_figures(chosen),
            "trend": selectors.family_share_trend(chosen),
            "provinces": provinces if len(provinces) > 1 else [],
            "national": selectors.national_rows(provinces) if len(provinces) > 1 else [],
            "priority_basis": selectors.PRIORITY_BASIS,
            "chosen": chosen,
            # The boards the user may open: a facility's figures are the province's, its board is for
            # those who reach it (walkthrough D12).
            "openable": set(selectors.facilities_visible(request.user).values_list("pk", flat=True)),
        },
    )


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def form14(request, facility_id: int):
    facility = _facility(request, facility_id)
    services.facility_membership(request.user, facility, Verb.CHILD_EXPORT)
    rows = selectors.form14_rows(facility)
    record(
        actor=request.user,
        action="child.export",
        organisation=facility.organisation,
        data={"form": "14", "children": [str(p.child_id) for p in rows]},
    )
    authority = Area.objects.filter(pk=facility.organisation.area_id).first()
    return render(request, "care/form14.html", {"facility": facility, "rows": rows, "authority": authority})


# --- Structure ----------------------------------------------------------------------------------


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def manage(request, facility_id: int):
    """Homes, groups, staff, rosters and principal caregivers, one small form each."""
    facility = _facility(request, facility_id)
    services.facility_membership(request.user, facility)
    groups = SmallGroup.objects.filter(home__facility=facility).select_related("home")
    caregivers = Staff.objects.filter(facility=facility, kind=StaffKind.CAREGIVER, is_active=True)
    which = request.POST.get("which") if request.method == "POST" else None

    def bound(name, cls, **kwargs):
        return cls(request.POST if which == name else None, prefix=name, **kwargs)

    built = {
        "facility": bound("facility", forms.FacilityForm, initial=_facility_initial(facility)),
        "home": bound("home", forms.HomeForm),
        "group": bound("group", forms.GroupForm),
        "staff": bound("staff", forms.StaffForm),
        "shift": bound("shift", forms.ShiftForm),
        "principal": bound("principal", forms.PrincipalForm),
        "shift_end": bound("shift_end", forms.ShiftEndForm),
        "staff_leave": bound("staff_leave", forms.StaffLeaveForm),
        "places": bound("places", forms.PlacesForm),
        "ages": bound("ages", forms.AgeBandForm),
        "principal_end": bound("principal_end", forms.PrincipalEndForm),
        "room": bound("room", forms.RoomForm),
        "room_set": bound("room_set", forms.RoomSetForm),
    }
    built["room"].fields["home"].queryset = facility.homes.all()
    built["room"].fields["group"].queryset = groups
    built["room_set"].fields["room"].queryset = Room.objects.filter(home__facility=facility).select_related(
        "home"
    )
    built["room_set"].fields["group"].queryset = groups
    built["shift_end"].fields["assignment"].queryset = ShiftAssignment.objects.filter(
        group__home__facility=facility, ended_on__isnull=True
    ).select_related("staff", "group__home")
    built["staff_leave"].fields["staff"].queryset = Staff.objects.filter(facility=facility, is_active=True)
    built["places"].fields["group"].queryset = groups
    built["ages"].fields["group"].queryset = groups
    built["principal_end"].fields["principal"].queryset = PrincipalCaregiver.objects.filter(
        group__home__facility=facility, ended_on__isnull=True
    ).select_related("staff", "group__home")
    built["group"].fields["home"].queryset = facility.homes.all()
    for key in ("shift", "principal"):
        built[key].fields["group"].queryset = groups
        built[key].fields["staff"].queryset = caregivers
    actions = {
        "facility": lambda d: services.facility_register(
            actor=request.user, organisation=facility.organisation, **d
        ),
        "home": lambda d: services.home_add(actor=request.user, facility=facility, **d),
        "group": lambda d: services.group_add(actor=request.user, **d),
        "staff": lambda d: services.staff_add(actor=request.user, facility=facility, **d),
        "shift": lambda d: services.shift_assign(actor=request.user, **d),
        "principal": lambda d: services.principal_set(actor=request.user, **d),
        "shift_end": lambda d: services.shift_end(actor=request.user, **d),
        "staff_leave": lambda d: services.staff_deactivate(actor=request.user, **d),
        "places": lambda d: services.group_places_set(actor=request.user, **d),
        "ages": lambda d: services.group_age_band_set(actor=request.user, **d),
        "principal_end": lambda d: services.principal_end(actor=request.user, **d),
        "room": lambda d: services.room_add(actor=request.user, **d),
        "room_set": lambda d: services.room_set(actor=request.user, **d),
    }
    if which in actions and _saved(built[which], actions[which]):
        messages.success(request, _("Saved."))
        return redirect("care:manage", facility.pk)
    return render(request, "care/manage.html", {"facility": facility, "forms": built, "which": which})


def _facility_initial(facility: Facility) -> dict:
    return {
        "ownership": facility.ownership,
        "licence_number": facility.licence_number,
        "licence_issued_on": facility.licence_issued_on,
        "address": facility.address,
        "management_level": facility.management_level,
    }


# --- Placements ---------------------------------------------------------------------------------


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def place(request, group_id: int):
    group = get_object_or_404(SmallGroup.objects.select_related("home__facility"), pk=group_id)
    facility = _facility(request, group.home.facility_id)
    services.facility_membership(request.user, facility)
    children = Child.objects.visible_to(request.user).exclude(
        pk__in=Placement.objects.filter(ended_on__isnull=True).values("child_id")
    )
    form = forms.PlaceForm(
        request.POST if request.method == "POST" else None,
        children=children,
        can_override=_can_override(request.user, facility),
        rooms=Room.objects.filter(Q(group=group) | Q(group__isnull=True), home=group.home),
    )
    status = selectors.group_statuses(SmallGroup.objects.filter(pk=group.pk))[0]

    def act(d):
        services.placement_start(
            actor=request.user,
            child=d["child"],
            form=CareForm.FACILITY_GROUP,
            group=group,
            room=d.get("room"),
            started_on=d["started_on"],
            reason=d["reason"],
            override_reason=d.get("override_reason", ""),
        )

    if request.method == "POST" and _saved(form, act):
        messages.success(request, _("The child is placed in group %(group)s.") % {"group": group})
        return redirect("care:board", facility.pk)
    return render(request, "care/place.html", {"form": form, "group": group, "status": status})


def _can_override(user, facility: Facility) -> bool:
    try:
        services.facility_membership(user, facility, Verb.CARE_OVERRIDE)
    except NotVisible:
        return False
    return True


# --- A child's care path and the placement's steps -----------------------------------------------


PLACEMENT_STEPS: dict[str, StepPage] = {
    "transfer": StepPage(
        forms.TransferForm,
        lambda a, p, d: services.placement_transfer(actor=a, placement=p, **d),
        fires=("placement_transfer",),
    ),
    "end": StepPage(
        forms.EndForm,
        lambda a, p, d: services.placement_end(actor=a, placement=p, **d),
        fires=("placement_end",),
    ),
    "review": StepPage(
        forms.ReviewForm,
        lambda a, p, d: services.placement_review(actor=a, placement=p, **d),
        initial=lambda p: {"needs_family": p.needs_family, "family_plan": p.family_plan},
        fires=("placement_review",),
    ),
    "visit": StepPage(
        forms.VisitForm,
        lambda a, p, d: services.monitoring_visit(actor=a, placement=p, **d),
        fires=("monitoring_visit",),
    ),
    "room": StepPage(
        forms.RoomAssignForm,
        lambda a, p, d: services.room_assign(actor=a, placement=p, **d),
        initial=lambda p: {"room": p.room_id},
        fires=("room_assign",),
    ),
}
# The page of each row of the placement table a person takes from the child's care path.
PLACEMENT_PAGE_OF = {
    "placement_transfer": "transfer",
    "placement_end": "end",
    "placement_review": "review",
    "monitoring_visit": "visit",
    "room_assign": "room",
}


def _placement_pages(user, placement: Placement) -> list[str]:
    return [
        PLACEMENT_PAGE_OF[a] for a in open_actions(workflow.PLACEMENTS, user, placement, PLACEMENT_PAGE_OF)
    ]


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def child(request, child_id):
    found = get_object_or_404(Child.objects.visible_to(request.user), pk=child_id)
    path = selectors.care_path(request.user, found)
    record(actor=request.user, action="child.view", obj=found, data={"page": "care_path"})
    suggested = (
        families_mod.suggestions(request.user, found) if path.current is None or path.current.group_id else []
    )
    if suggested:
        families_mod.audit_read(request.user, "care.family_suggestions", [s.family for s in suggested], found)
    current = path.current
    can_report = (
        current is not None
        and current.group_id is not None
        and services.incident_reporter(request.user, current.group.home.facility) is not None
    )
    pages = _placement_pages(request.user, current) if current is not None else []
    return render(
        request,
        "care/child.html",
        {
            "path": path,
            "steps": [
                (
                    reverse(f"care:{page}", args=[current.pk]),
                    title_of(workflow.PLACEMENTS, page, PLACEMENT_STEPS[page]),
                )
                for page in ("transfer", "review", "visit", "end", "room")
                if page in pages
            ],
            # What the page offers is what the services allow (walkthrough D12): a child without a
            # placement is placed by those whose care role reaches the child.
            "can_start": current is None and bool(reaching(request.user, Verb.CARE_MANAGE, found)),
            "can_report": can_report,
            "can_decide": current is not None and decisions.may_decide(request.user, current),
            "decisions": CareChangeDecision.objects.visible_to(request.user)
            .filter(child=found)
            .order_by("-effective_on"),
            "suggested": suggested,
            "timeline": _titled(
                workflow.PLACEMENTS,
                PlacementStep.objects.filter(case__child=found).select_related("actor", "organisation"),
            ),
        },
    )


def _placement_page(request, placement_id, step: str, *, template: str = "workflow/step.html", **kwargs):
    """A step of a child's placement, for whoever may take it (the others are told on the care path)."""
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("child", "group__home__facility"),
        pk=placement_id,
    )
    page = PLACEMENT_STEPS[step]
    if kwargs:
        page = replace(page, **kwargs)
    back = reverse("care:child", args=[placement.child_id])

    def done(placement: Placement) -> str:
        if not Child.objects.visible_to(request.user).filter(pk=placement.child_id).exists():
            return reverse("care:index")  # the child left the facility, and with it the user's reach
        return back

    context = {"subject_label": placement.child, "subject_link": True, "placement": placement}
    if step == "room" and placement.group_id:
        context["rooms"] = selectors.room_statuses(_rooms_of(placement))
    return step_page(
        request,
        flow=workflow.PLACEMENTS,
        subject=placement,
        step=step,
        page=page,
        back=back,
        done=done,
        open_steps=_placement_pages(request.user, placement),
        template=template,
        context=context,
    )


def _groups_managed(user):
    return SmallGroup.objects.filter(
        home__facility__in=selectors.facilities_visible(user, Verb.CARE_MANAGE)
    ).select_related("home")


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def transfer(request, placement_id):
    user = request.user
    return _placement_page(
        request,
        placement_id,
        "transfer",
        form_kwargs=lambda p: {
            # A child is moved into a group of a facility the user works in, or manages.
            "groups": SmallGroup.objects.filter(home__facility__in=held_facilities(user)).select_related(
                "home"
            ),
            "can_override": can(user, Verb.CARE_OVERRIDE),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def review(request, placement_id):
    return _placement_page(request, placement_id, "review")


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def end(request, placement_id):
    return _placement_page(request, placement_id, "end")


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def visit(request, placement_id):
    """A monitoring visit of a child in a family (Decree 56/2017 art. 43(2), 46)."""
    return _placement_page(request, placement_id, "visit")


def _rooms_of(placement: Placement):
    return Room.objects.filter(
        Q(group=placement.group_id) | Q(group__isnull=True), home=placement.group.home_id
    ).select_related("home")


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def room(request, placement_id):
    """The room a child in a facility sleeps in."""
    user = request.user

    def kwargs(placement: Placement) -> dict:
        if not placement.group_id:
            return {"rooms": Room.objects.none()}
        return {
            "rooms": _rooms_of(placement),
            "can_override": _can_override(user, placement.group.home.facility),
        }

    return _placement_page(request, placement_id, "room", template="care/room.html", form_kwargs=kwargs)


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def start(request, child_id):
    """A placement of a child with no current one: admission into a small group of the facility (a
    family takes a child only by the chairman's decision, Form 12)."""
    found = get_object_or_404(Child.objects.visible_to(request.user), pk=child_id)
    require(request.user, Verb.CARE_MANAGE, found)
    form = forms.TransferForm(
        request.POST if request.method == "POST" else None,
        groups=_groups_managed(request.user),
        can_override=can(request.user, Verb.CARE_OVERRIDE),
    )

    def act(d):
        on = d.pop("on")
        services.placement_start(actor=request.user, child=found, started_on=on, **d)

    if request.method == "POST" and _saved(form, act):
        messages.success(request, _("The placement is recorded."))
        return redirect("care:child", found.pk)
    return render(
        request,
        "workflow/step.html",
        {
            "form": form,
            "subject": found,
            "subject_label": found,
            "subject_link": True,
            "back": reverse("care:child", args=[found.pk]),
            "title": _("Record a placement"),
        },
    )


# --- Alternative-care families ------------------------------------------------------------------


def _commune_of(user, role: str):
    return next((m.organisation.area for m in memberships(user) if m.role == role), None)


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def families(request):
    """The commune's register of families willing to care (Decree 56/2017 art. 41), and Form 08."""
    listed = list(families_mod.families_visible(request.user).order_by("state", "applicant_name"))
    families_mod.audit_read(request.user, "care.families_view", listed)
    commune = _commune_of(request.user, Role.COMMUNE_CHILD_PROTECTION_OFFICER)
    form = None
    if commune is not None:
        form = forms.FamilyForm(
            request.POST if request.method == "POST" else None,
            children=Child.objects.visible_to(request.user),
        )

        def act(d):
            services.family_register(actor=request.user, commune=commune, **d)

        if request.method == "POST" and _saved(form, act):
            messages.success(request, _("The family is registered; verify it next (Form 11)."))
            return redirect("care:families")
    elif request.method == "POST":
        raise NotVisible
    updates = list(
        RegisterUpdate.objects.filter(
            commune__in={f.commune_id for f in listed}, completed_on__isnull=True
        ).select_related("commune")
    )
    for update in updates:
        update.pending = families_mod.register_pending(update).count()
        update.obligation = Obligation.objects.filter(
            subject_type=RegisterUpdate._meta.label_lower, subject_id=update.pk, status="open"
        ).first()
    return render(
        request,
        "care/families.html",
        {"families": listed, "form": form, "updates": updates, "tasks": _tasks(request.user)},
    )


# What the officer or the chairman is told after a step on a family, by the state it enters: what
# comes next, and who does it (Circular 14/2020; walkthrough D14).
NEXT_AFTER = {
    FamilyStatus.VERIFIED: gettext_lazy(
        "Verified (Form 11). Next: the commune chairman decides the handover (Form 12); he has been told, "
        "and it is on his task list."
    ),
    FamilyStatus.NOT_ELIGIBLE: gettext_lazy(
        "Recorded (Form 11): the family is not eligible and leaves the register."
    ),
    FamilyStatus.CHOSEN: gettext_lazy(
        "Decided (Form 12). Next: the commune hands the child to the family within 15 working days."
    ),
}


def _next_after(family) -> str | None:
    return NEXT_AFTER.get(family.state)


FAMILY_STEPS: dict[str, StepPage] = {
    "verify": StepPage(
        forms.VerifyForm,
        lambda a, f, d: services.family_verify(actor=a, family=f, **d),
        title=gettext_lazy("Verify the family (Form 11)"),
        fires=("family_verify", "family_not_eligible"),
        said=_next_after,
    ),
    "decide": StepPage(
        forms.DecideForm,
        lambda a, f, d: services.family_decide(actor=a, family=f, **d),
        fires=("family_decide",),
        said=_next_after,
    ),
    "handover": StepPage(
        None, lambda a, f, d: services.family_handover(actor=a, family=f), fires=("family_handover",)
    ),
    "review": StepPage(
        forms.FamilyReviewForm,
        lambda a, f, d: services.family_review(actor=a, family=f, **d),
        title=gettext_lazy("Quarterly update of the register"),
        fires=("family_confirm", "family_remove"),
    ),
    # One page whatever state the family goes back to (care/workflow/families.py).
    "withdraw": StepPage(
        forms.WithdrawDecisionForm,
        lambda a, f, d: services.family_withdraw(actor=a, family=f, **d),
        fires=tuple(workflow.WITHDRAWN_BACK_TO),
        said=lambda f: _(
            "The decision (Form 12) is withdrawn: the handover deadline has stopped, and the commune has "
            "been told to inform the family in writing."
        ),
    ),
}
FAMILY_PAGE_OF = {
    "family_verify": "verify",
    "family_not_eligible": "verify",
    "family_decide": "decide",
    "family_handover": "handover",
    "family_confirm": "review",
    "family_remove": "review",
    **{action: "withdraw" for action in workflow.WITHDRAWN_BACK_TO},
}
FAMILY_BASIS = {
    "verify": gettext_lazy("Decree 56/2017 art. 41; Circular 14/2020, Form 11."),
    "decide": gettext_lazy(
        "Law on Children art. 60(3), 64; Circular 14/2020, Form 12: the handover is due within 15 working "
        "days of the decision."
    ),
    "handover": gettext_lazy("The handover is due within 15 working days of the decision."),
    "review": gettext_lazy(
        "Decree 56/2017 art. 41: the commune updates its register of families every quarter."
    ),
    "withdraw": gettext_lazy(
        "Haven's reading: the commune chairman who decided, or the province, may withdraw a decision "
        "(Form 12) before the child is handed over, in writing with the reason. The handover is due "
        "within 15 working days of the decision (Decree 56/2017 art. 41; administrative procedure); a "
        "decision ending or changing care that has begun is Form 16 (Law on Children art. 69; Decree "
        "56/2017 art. 48(2))."
    ),
}


def _titled(flow: Workflow, steps) -> list[tuple]:
    """Each timeline step with its row's title (the step's name on the page)."""
    return [
        (s, flow.transitions[s.action].title if s.action in flow.transitions else s.action) for s in steps
    ]


def _family_pages(user, family) -> list[str]:
    pages = [FAMILY_PAGE_OF[a] for a in open_actions(workflow.FAMILIES, user, family, FAMILY_PAGE_OF)]
    return list(dict.fromkeys(pages))


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def family(request, family_id):
    found = get_object_or_404(families_mod.families_visible(request.user), pk=family_id)
    families_mod.audit_read(request.user, "care.family_view", [found])
    return render(
        request,
        "care/family.html",
        {
            "family": found,
            "steps": [
                (
                    page,
                    reverse("care:family_step", args=[found.pk, page]),
                    title_of(workflow.FAMILIES, page, FAMILY_STEPS[page]),
                )
                for page in _family_pages(request.user, found)
            ],
            "timeline": _titled(workflow.FAMILIES, found.steps.select_related("actor", "organisation")),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def family_step(request, family_id, step: str):
    if step not in FAMILY_STEPS:
        raise NotVisible
    found = get_object_or_404(families_mod.families_visible(request.user), pk=family_id)
    page = FAMILY_STEPS[step]
    if step == "decide":
        user = request.user
        page = replace(page, form_kwargs=lambda f: {"children": families_mod.decide_choices(user, f)})
    back = reverse("care:family", args=[found.pk])
    return step_page(
        request,
        flow=workflow.FAMILIES,
        subject=found,
        step=step,
        page=page,
        back=back,
        done=(lambda f: reverse("care:child", args=[f.decided_child_id])) if step == "handover" else None,
        open_steps=_family_pages(request.user, found),
        context={
            "subject_label": found.applicant_name,
            "subject_link": True,
            "legal_basis": FAMILY_BASIS[step],
            # The chairman decides on what the officer found at the family's home (Form 11); the
            # officer hands over the child the chairman named.
            "shown_before_form": (
                "care/_family_facts.html" if step in ("decide", "handover", "withdraw") else None
            ),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def incident(request, child_id):
    """Violence or abuse inside the facility: a child-protection report opens at once."""
    found = get_object_or_404(Child.objects.visible_to(request.user), pk=child_id)
    form = forms.IncidentForm(request.POST if request.method == "POST" else None)
    made = []

    def act(d):
        made.append(services.incident_report(actor=request.user, child=found, **d))

    if request.method == "POST" and _saved(form, act):
        messages.success(
            request,
            _("The incident is recorded and a child-protection report is open; the province is told."),
        )
        return redirect("protection:detail", made[0].protection_case_id)
    return render(
        request,
        "workflow/step.html",
        {
            "form": form,
            "subject": found,
            "subject_label": found,
            "subject_link": True,
            "back": reverse("care:child", args=[found.pk]),
            "title": _("Report violence or abuse"),
        },
    )


@markers.requires(Verb.CARE_INSPECT)
@require_http_methods(["GET", "POST"])
def inspect(request, facility_id: int):
    facility = selectors.facilities_visible(request.user, Verb.CARE_INSPECT).filter(pk=facility_id).first()
    if facility is None:
        raise NotVisible
    form = forms.InspectionForm(request.POST if request.method == "POST" else None)

    def act(_d):
        services.inspection_record(actor=request.user, facility=facility, **form.service_fields())

    if request.method == "POST" and _saved(form, act):
        messages.success(request, _("The inspection is recorded."))
        return redirect("care:board", facility.pk)
    return render(
        request, "care/inspect.html", {"form": form, "facility": facility, "title": _("Inspect the facility")}
    )


# --- Form 16 ----------------------------------------------------------------------------------------


@markers.requires(Verb.CARE_DECIDE)
@require_http_methods(["GET", "POST"])
def decide(request, placement_id):
    """Form 16: the commune chairman or the facility's managing authority ends or changes the care."""
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("child", "group__home__facility"),
        pk=placement_id,
        ended_on__isnull=True,
    )
    membership = decisions.deciding_membership(request.user, placement)
    user = request.user
    page = StepPage(
        forms.DecisionForm,
        lambda a, p, d: services.care_change_decide(actor=a, placement=p, **d),
        form_kwargs=lambda p: {
            "families": families_mod.families_visible(user).filter(state__in=workflow.CHOOSABLE),
            "groups": decisions.groups_for(membership).select_related("home"),
        },
    )
    return step_page(
        request,
        flow=workflow.DECISIONS,
        subject=placement,
        step="change_decide",
        page=page,
        back=reverse("care:child", args=[placement.child_id]),
        done=lambda p: reverse("care:decision", args=[CareChangeDecision.objects.get(ended=p).pk]),
        template="care/decide.html",
        context={
            "subject_label": placement.child,
            "subject_link": True,
            "placement": placement,
            "grounds": termination.GROUNDS,
            "basis": termination.BASIS,
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def decision(request, decision_id):
    """The printable Form 16 decision."""
    found = get_object_or_404(
        decisions.decisions_readable(request.user).select_related(
            "child",
            "ended__group__home__facility",
            "started__group__home__facility",
            "started__family",
            "organisation__area",
        ),
        pk=decision_id,
    )
    record(actor=request.user, action="child.view", obj=found, child=found.child, data={"form": "16"})
    return render(
        request,
        "care/form16.html",
        {"decision": found, "ground": termination.BY_CODE[found.ground], "basis": termination.BASIS},
    )
