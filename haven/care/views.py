"""Thin views of family-like care: parse, check access, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can, memberships, reaching, require
from haven.accounts.models import Role
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import decisions, forms, selectors, services, termination
from haven.care import families as families_mod
from haven.care.models import (
    CareChangeDecision,
    CareForm,
    Facility,
    Placement,
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


def _add_errors(form, error: ValidationError) -> None:
    add_to_form(form, error)


def _run(form, action: Callable) -> bool:
    """Run a service on a valid form; its refusal lands on the form and nothing is saved."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return False
    except Refused as error:
        form.add_error(None, error.message)
        return False
    return True


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
    if which in actions and _run(built[which], actions[which]):
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

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The child is placed in group %(group)s.") % {"group": group})
        return redirect("care:board", facility.pk)
    return render(request, "care/place.html", {"form": form, "group": group, "status": status})


def _can_override(user, facility: Facility) -> bool:
    try:
        services.facility_membership(user, facility, Verb.CARE_OVERRIDE)
    except NotVisible:
        return False
    return True


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
    return render(
        request,
        "care/child.html",
        {
            "path": path,
            # What the page offers is what the services allow (walkthrough D12): a child in a facility
            # is moved, reviewed, given a room by the facility's own staff; a child in a family or
            # without a placement by those whose care role reaches the child.
            "can_manage": _manages(request.user, current.group.home.facility)
            if current is not None and current.group_id
            else bool(reaching(request.user, Verb.CARE_MANAGE, found)),
            "can_report": can_report,
            "can_decide": current is not None and decisions.may_decide(request.user, current),
            "decisions": CareChangeDecision.objects.visible_to(request.user)
            .filter(child=found)
            .order_by("-effective_on"),
            "suggested": suggested,
        },
    )


def _placement(request, placement_id) -> Placement:
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("child", "group__home__facility"),
        pk=placement_id,
    )
    require(request.user, Verb.CARE_MANAGE, placement.child)
    return placement


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def transfer(request, placement_id):
    placement = _placement(request, placement_id)
    groups = SmallGroup.objects.filter(
        home__facility__in=selectors.facilities_visible(request.user, Verb.CARE_MANAGE)
    ).select_related("home")
    form = forms.TransferForm(
        request.POST if request.method == "POST" else None,
        groups=groups,
        can_override=can(request.user, Verb.CARE_OVERRIDE),
    )

    def act(d):
        services.placement_transfer(actor=request.user, placement=placement, **d)

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The move is recorded."))
        if not Child.objects.visible_to(request.user).filter(pk=placement.child_id).exists():
            return redirect("care:index")  # the child left the facility, and with it the user's reach
        return redirect("care:child", placement.child_id)
    return render(
        request, "care/step.html", {"form": form, "placement": placement, "title": _("Move the child")}
    )


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def review(request, placement_id):
    placement = _placement(request, placement_id)
    form = forms.ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"needs_family": placement.needs_family, "family_plan": placement.family_plan},
    )

    def act(d):
        services.placement_review(actor=request.user, placement=placement, **d)

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The review is recorded; the next is due in 6 months."))
        return redirect("care:child", placement.child_id)
    return render(
        request, "care/step.html", {"form": form, "placement": placement, "title": _("Six-monthly review")}
    )


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def end(request, placement_id):
    placement = _placement(request, placement_id)
    form = forms.EndForm(request.POST if request.method == "POST" else None)

    def act(d):
        services.placement_end(actor=request.user, placement=placement, **d)

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The placement has ended."))
        return redirect("care:child", placement.child_id)
    return render(
        request, "care/step.html", {"form": form, "placement": placement, "title": _("End the placement")}
    )


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def start(request, child_id):
    """A first placement, or the next after the last ended (kin care, a foster family...)."""
    found = get_object_or_404(Child.objects.visible_to(request.user), pk=child_id)
    require(request.user, Verb.CARE_MANAGE, found)
    groups = SmallGroup.objects.filter(
        home__facility__in=selectors.facilities_visible(request.user, Verb.CARE_MANAGE)
    ).select_related("home")
    form = forms.TransferForm(
        request.POST if request.method == "POST" else None,
        groups=groups,
        can_override=can(request.user, Verb.CARE_OVERRIDE),
    )

    def act(d):
        on = d.pop("on")
        services.placement_start(actor=request.user, child=found, started_on=on, **d)

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The placement is recorded."))
        return redirect("care:child", found.pk)
    return render(request, "care/step.html", {"form": form, "child": found, "title": _("Record a placement")})


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def visit(request, placement_id):
    """A monitoring visit of a child in a family (Decree 56/2017 art. 43(2), 46)."""
    placement = _placement(request, placement_id)
    form = forms.VisitForm(request.POST if request.method == "POST" else None)

    def act(d):
        services.monitoring_visit(actor=request.user, placement=placement, **d)

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The visit is recorded; the next is due in 6 months."))
        return redirect("care:child", placement.child_id)
    return render(
        request, "care/step.html", {"form": form, "placement": placement, "title": _("Monitoring visit")}
    )


# --- Alternative-care families ------------------------------------------------------------------


def _commune_of(user, role: str):
    return next((m.organisation.area for m in memberships(user) if m.role == role), None)


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def families(request):
    """The commune's register of families willing to care (Decree 56/2017 art. 41), and Form 08."""
    listed = list(families_mod.families_visible(request.user).order_by("status", "applicant_name"))
    families_mod.audit_read(request.user, "care.families_view", listed)
    commune = _commune_of(request.user, Role.COMMUNE_CHILD_PROTECTION_OFFICER)
    form = None
    if commune is not None:
        form = forms.FamilyForm(
            request.POST if request.method == "POST" else None,
            children=Child.objects.visible_to(request.user),
        )

        def act(d):
            families_mod.family_register(actor=request.user, commune=commune, **d)

        if request.method == "POST" and _run(form, act):
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


# What the officer or the chairman is told after a step on a family: what comes next, and who does it.
NEXT_AFTER = {
    ("verify", "verified"): gettext_lazy(
        "Verified (Form 11). Next: the commune chairman decides the handover (Form 12); he has been told, "
        "and it is on his task list."
    ),
    ("verify", "not_eligible"): gettext_lazy(
        "Recorded (Form 11): the family is not eligible and leaves the register."
    ),
    ("decide", "chosen"): gettext_lazy(
        "Decided (Form 12). Next: the commune hands the child to the family within 15 working days."
    ),
}


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def family(request, family_id):
    found = get_object_or_404(families_mod.families_visible(request.user), pk=family_id)
    if request.method == "GET":
        families_mod.audit_read(request.user, "care.family_view", [found])
    roles = {m.role for m in memberships(request.user) if m.organisation.area_id == found.commune_id}
    verify = decide = None
    if Role.COMMUNE_CHILD_PROTECTION_OFFICER in roles and found.status == "registered":
        verify = forms.VerifyForm(
            request.POST if request.POST.get("which") == "verify" else None, prefix="verify"
        )
    if Role.COMMUNE_CHAIRMAN in roles and found.status in ("verified", "handed_over"):
        children = families_mod.decidable_children(request.user, found)
        if found.relative_of_id:
            # Relatives of a child are relatives of the child's siblings too (siblings stay together).
            kin = {found.relative_of_id, *families_mod.siblings_of(found.relative_of)}
            children = children.filter(pk__in=kin)
        decide = forms.DecideForm(
            request.POST if request.POST.get("which") == "decide" else None,
            prefix="decide",
            children=children,
        )
    review_form = None
    if roles & {Role.COMMUNE_CHILD_PROTECTION_OFFICER, Role.COMMUNE_CHAIRMAN} and (
        found.status in families_mod.ON_REGISTER
    ):
        review_form = forms.FamilyReviewForm(
            request.POST if request.POST.get("which") == "review" else None, prefix="review"
        )
    can_hand_over = found.status == "chosen" and bool(
        roles & {Role.COMMUNE_CHILD_PROTECTION_OFFICER, Role.COMMUNE_CHAIRMAN}
    )
    which = request.POST.get("which")
    done = False
    if which == "verify" and verify is not None:
        done = _run(verify, lambda d: families_mod.family_verify(actor=request.user, family=found, **d))
    elif which == "review" and review_form is not None:
        done = _run(review_form, lambda d: families_mod.family_review(actor=request.user, family=found, **d))
    elif which == "decide" and decide is not None:
        done = _run(decide, lambda d: families_mod.family_decide(actor=request.user, family=found, **d))
    elif which == "handover" and can_hand_over:
        try:
            families_mod.family_handover(actor=request.user, family=found)
        except Refused as error:
            messages.error(request, error.message)
            return redirect("care:family", found.pk)
        messages.success(request, _("The child is handed over to the family."))
        return redirect("care:child", found.decided_child_id)
    elif request.method == "POST":
        raise NotVisible
    if done:
        # Each step says who acts next (Circular 14/2020; walkthrough D14).
        found.refresh_from_db()
        messages.success(request, NEXT_AFTER.get((which, found.status), _("Saved.")))
        return redirect("care:family", found.pk)
    return render(
        request,
        "care/family.html",
        {
            "family": found,
            "verify": verify,
            "decide": decide,
            "review": review_form,
            "can_hand_over": can_hand_over,
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

    if request.method == "POST" and _run(form, act):
        messages.success(
            request,
            _("The incident is recorded and a child-protection report is open; the province is told."),
        )
        return redirect("protection:detail", made[0].protection_case_id)
    return render(
        request, "care/step.html", {"form": form, "child": found, "title": _("Report violence or abuse")}
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

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The inspection is recorded."))
        return redirect("care:board", facility.pk)
    return render(
        request, "care/inspect.html", {"form": form, "facility": facility, "title": _("Inspect the facility")}
    )


# --- Rooms and Form 16 ----------------------------------------------------------------------------


@markers.requires(Verb.CARE_MANAGE)
@require_http_methods(["GET", "POST"])
def room(request, placement_id):
    """The room a child in a facility sleeps in."""
    placement = _placement(request, placement_id)
    if placement.group_id is None or placement.ended_on is not None:
        raise NotVisible
    facility = placement.group.home.facility
    services.facility_membership(request.user, facility)
    rooms = Room.objects.filter(
        Q(group=placement.group_id) | Q(group__isnull=True), home=placement.group.home_id
    ).select_related("home")
    form = forms.RoomAssignForm(
        request.POST if request.method == "POST" else None,
        rooms=rooms,
        can_override=_can_override(request.user, facility),
        initial={"room": placement.room_id},
    )

    def act(d):
        services.room_assign(
            actor=request.user,
            placement=placement,
            room=d["room"],
            override_reason=d.get("override_reason", ""),
        )

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The room is recorded."))
        return redirect("care:child", placement.child_id)
    statuses = selectors.room_statuses(rooms)
    return render(
        request,
        "care/room.html",
        {"form": form, "placement": placement, "rooms": statuses, "title": _("Room")},
    )


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
    groups = decisions.groups_for(membership)
    form = forms.DecisionForm(
        request.POST if request.method == "POST" else None,
        families=families_mod.families_visible(request.user).filter(status__in=("verified", "handed_over")),
        groups=groups.select_related("home"),
    )
    made = []

    def act(d):
        made.append(decisions.care_change_decide(actor=request.user, placement=placement, **d))

    if request.method == "POST" and _run(form, act):
        messages.success(request, _("The decision is recorded (Form 16)."))
        return redirect("care:decision", made[0].pk)
    return render(
        request,
        "care/decide.html",
        {"form": form, "placement": placement, "grounds": termination.GROUNDS, "basis": termination.BASIS},
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
