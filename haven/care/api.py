"""/api/v1/care: facilities, their homes, groups, rosters and placements through the same selectors,
services and access rules as the pages. A placement beyond capacity or ratio is 409 "over_capacity"
with the reasons, unless ``override_reason`` is given by someone holding care.override."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, memberships, require
from haven.accounts.models import Role, User
from haven.api.errors import Error, api_field_names
from haven.api.steps import STEP_ERRORS, Steps, named, step_responses
from haven.audit import services as audit
from haven.care import decisions, families, selectors, services, termination
from haven.care.models import (
    CareChangeDecision,
    CareFamily,
    CareForm,
    FamilyKind,
    FamilyStatus,
    Home,
    IncidentKind,
    ManagementLevel,
    Ownership,
    Placement,
    PrincipalCaregiver,
    Room,
    Shift,
    ShiftAssignment,
    SmallGroup,
    Staff,
    StaffKind,
)
from haven.care.ratios import AGE_BAND_CHOICES
from haven.foundlings.api import MAX_ID, Day, Line, Moment, Prose
from haven.people.models import Child

router = Router(tags=["care"])
ERRORS = STEP_ERRORS
Id = Path(..., ge=1, le=MAX_ID)
# The list endpoints page like the other apps' (haven/foundlings/api.py): count, page, pages, items.
PAGE_SIZE = 25
PageNumber = Query(1, ge=1, le=100000)


def _page(rows, page: int):
    found = Paginator(rows, PAGE_SIZE).get_page(page)
    return found, {"count": found.paginator.count, "page": found.number, "pages": found.paginator.num_pages}


# --- Output -------------------------------------------------------------------------------------


class FacilityOut(Schema):
    id: int
    name: str
    ownership: str
    licence_number: str
    licence_issued_on: dt.date
    address: str
    management_level: str
    area_code: str


class GroupOut(Schema):
    id: int
    home: str
    name: str
    places: int
    age_band: str = Field(..., description="infant, young or school (Circular 09/2024 art. 6); empty: mixed")
    occupancy: int
    principal_caregiver: str
    rostered: dict[str, list[str]]
    caregivers_needed_per_shift: int
    state: str = Field(..., description="ok, full or over (beyond capacity or ratio)")
    overload_placements: int
    caregiver_changes_12m: int
    children: list[uuid.UUID]


class RoomOut(Schema):
    id: int
    home: str
    name: str
    places: int
    occupancy: int
    group_id: int | None
    state: str = Field(..., description="ok, full or over (more children than places)")


class DueOut(Schema):
    child_id: uuid.UUID
    rule: str
    due_at: dt.datetime
    escalation_level: int


class BoardOut(Schema):
    facility: FacilityOut
    occupancy: int
    places: int
    caseload_capacity: int
    caregiver_changes_per_child_12m: float | None
    groups: list[GroupOut]
    rooms: list[RoomOut]
    due_reviews: list[DueOut]
    unstable_children: list[uuid.UUID]


class PlacementOut(Schema):
    id: uuid.UUID
    form: CareForm
    group_id: int | None
    room_id: int | None
    carer_name: str
    started_on: dt.date
    ended_on: dt.date | None
    reason: str
    end_reason: str
    overload: bool
    override_reason: str
    needs_family: bool
    family_plan: str


class ChangeOut(Schema):
    on: dt.date
    from_name: str
    to_name: str
    from_staff_id: int | None
    to_staff_id: int | None
    from_family_id: uuid.UUID | None
    to_family_id: uuid.UUID | None
    reason: str


class CarePathOut(Schema):
    child_id: uuid.UUID
    current_carer: str
    caregiver_changes_12m: int
    unstable: bool
    next_review_due: dt.datetime | None
    next_visit_due: dt.datetime | None
    placements: list[PlacementOut]
    changes: list[ChangeOut]


class FacilityRowOut(Schema):
    facility_id: int
    name: str
    occupancy: int
    places: int
    occupancy_percent: int | None
    groups_beyond_norms: int
    overload_placements: int
    caregiver_changes_per_child_12m: float | None


class TrendOut(Schema):
    on: dt.date
    family: int
    facility: int
    share: int | None


class ProvinceOut(Schema):
    province_code: str
    in_family: int
    in_facility: int
    family_share_percent: int | None
    caregiver_changes_per_child_12m: float | None
    facilities: list[FacilityRowOut]
    trend: list[TrendOut]


class Form14Row(Schema):
    child_id: uuid.UUID
    full_name: str
    date_of_birth: dt.date | None
    in_facility_since: dt.date
    group: str
    family_plan: str


# --- Input --------------------------------------------------------------------------------------


class PlaceIn(Schema):
    child_id: uuid.UUID
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    started_on: Day
    reason: Line = Field(..., max_length=300)
    override_reason: Line = Field(default="", max_length=300)


class StartIn(Schema):
    form: CareForm
    group_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    started_on: Day
    reason: Line = Field(..., max_length=300)
    override_reason: Line = Field(default="", max_length=300)


class PlacementTransferIn(Schema):
    form: CareForm
    group_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    on: Day
    reason: Line = Field(..., max_length=300)
    override_reason: Line = Field(default="", max_length=300)


class ReviewIn(Schema):
    note: Line = Field(..., max_length=2000)
    needs_family: bool
    family_plan: Line = Field(default="", max_length=300)


class PlacementVisitIn(Schema):
    visited_on: Day
    living_conditions: Line = Field(..., max_length=2000)
    health: Line = Field(..., max_length=2000)
    schooling: Line = Field(..., max_length=2000)
    integration: Line = Field(..., max_length=2000)
    proposal: Line = Field(default="", max_length=2000)


class EndIn(Schema):
    on: Day
    reason: Line = Field(..., max_length=300)


class HomeIn(Schema):
    name: Line = Field(..., max_length=120)


AgeBand = Literal[("", *(code for code, _title in AGE_BAND_CHOICES))]  # type: ignore[valid-type]


class GroupIn(Schema):
    name: Line = Field(..., max_length=120)
    places: int = Field(..., ge=1, le=50)
    age_band: AgeBand = Field(
        default="", description="infant, young or school (Circular 09/2024 art. 6); empty: mixed ages"
    )


class StaffIn(Schema):
    full_name: Line = Field(..., max_length=150)
    kind: StaffKind


class ShiftIn(Schema):
    staff_id: int = Field(..., ge=1, le=MAX_ID)
    shift: Shift
    started_on: Day


class EndedIn(Schema):
    ended_on: Day


class PlacesIn(Schema):
    places: int | None = Field(default=None, ge=1, le=50)
    age_band: AgeBand | None = Field(default=None, description="empty: mixed ages; left out: unchanged")


class RoomIn(Schema):
    name: Line = Field(..., max_length=120)
    places: int = Field(..., ge=1, le=50)
    group_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class RoomSetIn(Schema):
    places: int = Field(..., ge=1, le=50)
    group_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class RoomAssignIn(Schema):
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="None: no room")
    override_reason: Line = Field(default="", max_length=300)


Ground = Literal[tuple(g.code for g in termination.GROUNDS)]  # type: ignore[valid-type]
NextForm = Literal["kin", "foster", "facility_group"]


class CareDecisionIn(Schema):
    """Form 16. ``form`` (with ``group_id`` or ``family_id``) is the next form of care; none on
    reunification."""

    ground: Ground
    decision_number: Line = Field(..., max_length=60)
    on: Day
    # The facts and reasons run over several lines, as on the page (a textarea).
    note: Prose = Field(default="", max_length=2000)
    form: NextForm | None = None
    group_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    family_id: uuid.UUID | None = None


class DecisionOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    ground: str
    ground_label: str
    citation: str
    decision_number: str
    decided_on: dt.date
    effective_on: dt.date
    note: str
    ended_placement_id: uuid.UUID
    started_placement_id: uuid.UUID | None
    authority: str


class PrincipalIn(Schema):
    staff_id: int = Field(..., ge=1, le=MAX_ID)
    started_on: Day
    reason: Line = Field(default="", max_length=300)


class FacilityIn(Schema):
    ownership: Ownership
    licence_number: Line = Field(..., max_length=60)
    licence_issued_on: Day
    address: Line = Field(..., max_length=300)
    management_level: ManagementLevel


# --- Helpers ------------------------------------------------------------------------------------


def _facility_out(f) -> dict:
    return {
        "id": f.pk,
        "name": f.organisation.name,
        "ownership": f.ownership,
        "licence_number": f.licence_number,
        "licence_issued_on": f.licence_issued_on,
        "address": f.address,
        "management_level": f.management_level,
        "area_code": f.organisation.area.code,
    }


def _facility(request, facility_id: int):
    facility = selectors.facilities_visible(request.user).filter(pk=facility_id).first()
    if facility is None:
        raise NotVisible
    return facility


def _group(user: User, group_id: int) -> SmallGroup:
    group = SmallGroup.objects.select_related("home__facility").filter(pk=group_id).first()
    if group is None:
        raise NotVisible
    services.facility_membership(user, group.home.facility)
    return group


def _child(user: User, child_id: uuid.UUID) -> Child:
    return get_object_or_404(Child.objects.visible_to(user), pk=child_id)


def _placement(user: User, placement_id: uuid.UUID) -> Placement:
    """A placement the user manages, or (a facility placement, a family one for Form 16) decides on
    as the managing authority or the commune chairman."""
    placement = get_object_or_404(
        Placement.objects.visible_to(user).select_related("child", "group__home__facility"),
        pk=placement_id,
    )
    try:
        require(user, Verb.CARE_MANAGE, placement.child)
    except NotVisible:
        if not decisions.may_decide(user, placement):
            raise
    return placement


def _staff(facility, staff_id: int) -> Staff:
    staff = Staff.objects.filter(pk=staff_id, facility=facility).first()
    if staff is None:
        raise NotVisible
    return staff


def _group_named(group_id: int | None) -> SmallGroup | None:
    """The group a child moves into, None when the id names none: the step says then that a group is
    to be chosen, with its other problems; whether the user may place into it is the step's own rule."""
    return SmallGroup.objects.select_related("home__facility").filter(pk=group_id).first()


def _room_named(user: User, room_id: int | None) -> Room | None:
    """The room an optional id of the body names (None: no room), among those of the facilities the
    user works in (or manages, for a decision); any other id is 422."""
    return named(
        Room.objects.filter(home__facility__in=selectors.facilities_visible(user)).select_related(
            "home__facility"
        ),
        room_id,
        "room_id",
        _("Choose a room of the facility from the list."),
    )


def _decision_out(d: CareChangeDecision) -> dict:
    ground = termination.BY_CODE[d.ground]
    return {
        "id": d.pk,
        "child_id": d.child_id,
        "ground": d.ground,
        "ground_label": str(ground.label),
        "citation": ground.citation,
        "decision_number": d.decision_number,
        "decided_on": d.decided_on,
        "effective_on": d.effective_on,
        "note": d.note,
        "ended_placement_id": d.ended_id,
        "started_placement_id": d.started_id,
        "authority": d.organisation.name,
    }


def _path(user: User, child: Child) -> dict:
    path = selectors.care_path(user, child)
    return {
        "child_id": child.pk,
        "current_carer": path.current_carer,
        "caregiver_changes_12m": path.changes_12m,
        "unstable": path.unstable,
        "next_review_due": path.next_review.due_at if path.next_review else None,
        "next_visit_due": path.next_visit.due_at if path.next_visit else None,
        "placements": path.placements,
        "changes": path.changes,
    }


def _care_path(user: User, child_id: uuid.UUID) -> dict:
    return _path(user, Child.objects.get(pk=child_id))


def _placement_path(user: User, placement_id: uuid.UUID) -> dict:
    return _path(user, Placement.objects.select_related("child").get(pk=placement_id).child)


def _decision_made(user: User, placement_id: uuid.UUID) -> dict:
    """The Form 16 decision that ended the placement."""
    return _decision_out(CareChangeDecision.objects.select_related("organisation").get(ended_id=placement_id))


# Every step endpoint (haven/api/steps.py): the child or the placement the user may act on, the
# service, then the child's care path as the user now sees it (a Form 16 decision answers with itself).
_children = Steps(load=_child, detail=_care_path, subject_as="child")
_placements = Steps(load=_placement, detail=_placement_path, subject_as="placement")
_deciding = replace(_placements, detail=_decision_made)
PLACEMENT_STEP = step_responses(CarePathOut)


# --- Facilities ---------------------------------------------------------------------------------


class FacilityPage(Schema):
    count: int
    page: int
    pages: int
    items: list[FacilityOut]


@router.get("/facilities", response={200: FacilityPage, 404: Error})
def list_facilities(request, page: int = PageNumber):
    """The facilities the token's user works in or oversees, 25 a page."""
    require(request.user, Verb.CHILD_VIEW)
    found, meta = _page(selectors.facilities_visible(request.user).order_by("organisation__name", "pk"), page)
    return {**meta, "items": [_facility_out(f) for f in found.object_list]}


@router.get("/facilities/{facility_id}", response={200: BoardOut, 404: Error})
def get_board(request, facility_id: int = Id):
    """The director's board: groups, caregivers on shift, ratios, reviews due, unstable care. Children
    are listed by id, and only those the user may see."""
    facility = _facility(request, facility_id)
    board = selectors.board(facility)
    ids = [c.pk for g in board.groups for c in g.children]
    visible = set(Child.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if visible:
        audit.record(actor=request.user, action="child.list", data={"shown": [str(pk) for pk in visible]})
    return {
        "facility": _facility_out(facility),
        "occupancy": board.occupancy,
        "places": board.places,
        "caseload_capacity": board.caseload_capacity,
        "caregiver_changes_per_child_12m": board.stability,
        "groups": [
            {
                "id": g.group.pk,
                "home": g.group.home.name,
                "name": g.group.name,
                "places": g.places,
                "age_band": g.group.age_band,
                "occupancy": g.occupancy,
                "principal_caregiver": g.principal,
                "rostered": g.rostered,
                "caregivers_needed_per_shift": g.needed,
                "state": g.state,
                "overload_placements": g.overload_placements,
                "caregiver_changes_12m": g.changes_12m,
                "children": [c.pk for c in g.children if c.pk in visible],
            }
            for g in board.groups
        ],
        "due_reviews": [
            {
                "child_id": o.child_id,
                "rule": o.rule,
                "due_at": o.due_at,
                "escalation_level": o.escalation_level,
            }
            for o in board.due_reviews
            if o.child_id in visible
        ],
        "rooms": [
            {
                "id": r.room.pk,
                "home": r.room.home.name,
                "name": r.room.name,
                "places": r.places,
                "occupancy": r.occupancy,
                "group_id": r.room.group_id,
                "state": r.state,
            }
            for h in board.homes
            for r in h.rooms
        ],
        "unstable_children": [c.pk for c, _n in board.unstable if c.pk in visible],
    }


@router.put("/facilities/{facility_id}", response={200: FacilityOut, **ERRORS})
def register_facility(request, payload: FacilityIn, facility_id: int = Id):
    """Licence, ownership, address and managing level (Decree 103/2017)."""
    facility = _facility(request, facility_id)
    updated = services.facility_register(
        actor=request.user, organisation=facility.organisation, **payload.dict()
    )
    return _facility_out(updated)


@router.post("/facilities/{facility_id}/homes", response={201: dict[str, int], **ERRORS})
def add_home(request, payload: HomeIn, facility_id: int = Id):
    home = services.home_add(actor=request.user, facility=_facility(request, facility_id), name=payload.name)
    return Status(201, {"id": home.pk})


@router.post("/homes/{home_id}/groups", response={201: dict[str, int], **ERRORS})
def add_group(request, payload: GroupIn, home_id: int = Id):
    home = Home.objects.select_related("facility").filter(pk=home_id).first()
    if home is None:
        raise NotVisible
    group = services.group_add(actor=request.user, home=home, **payload.dict())
    return Status(201, {"id": group.pk})


@router.post("/facilities/{facility_id}/staff", response={201: dict[str, int], **ERRORS})
def add_staff(request, payload: StaffIn, facility_id: int = Id):
    staff = services.staff_add(actor=request.user, facility=_facility(request, facility_id), **payload.dict())
    return Status(201, {"id": staff.pk})


@router.post("/groups/{group_id}/shifts", response={201: dict[str, int], **ERRORS})
def assign_shift(request, payload: ShiftIn, group_id: int = Id):
    """A caregiver on the group's roster; one group per caregiver and shift (409 "shift_taken")."""
    group = _group(request.user, group_id)
    assignment = services.shift_assign(
        actor=request.user,
        staff=_staff(group.home.facility, payload.staff_id),
        group=group,
        shift=payload.shift,
        started_on=payload.started_on,
    )
    return Status(201, {"id": assignment.pk})


@router.post("/groups/{group_id}/principal", response={201: dict[str, int], **ERRORS})
def set_principal(request, payload: PrincipalIn, group_id: int = Id):
    """The group's new principal caregiver; each child of the group gets a caregiver change."""
    group = _group(request.user, group_id)
    principal = services.principal_set(
        actor=request.user,
        group=group,
        staff=_staff(group.home.facility, payload.staff_id),
        started_on=payload.started_on,
        reason=payload.reason,
    )
    return Status(201, {"id": principal.pk})


def _in_facility_of(request, model, pk: int):
    row = model.objects.select_related("group__home__facility").filter(pk=pk).first()
    if row is None:
        raise NotVisible
    services.facility_membership(request.user, row.group.home.facility)
    return row


@router.post("/shifts/{assignment_id}/end", response={200: dict[str, int], **ERRORS})
def end_shift(request, payload: EndedIn, assignment_id: int = Id):
    """The caregiver leaves the group's roster on ``ended_on`` (not in the future)."""
    assignment = _in_facility_of(request, ShiftAssignment, assignment_id)
    services.shift_end(actor=request.user, assignment=assignment, ended_on=payload.ended_on)
    return {"id": assignment.pk}


@router.post("/staff/{staff_id}/leave", response={200: dict[str, int], **ERRORS})
def staff_leave(request, payload: EndedIn, staff_id: int = Id):
    """The staff member leaves the facility; their open shifts end that day."""
    staff = Staff.objects.select_related("facility").filter(pk=staff_id).first()
    if staff is None:
        raise NotVisible
    services.staff_deactivate(actor=request.user, staff=staff, ended_on=payload.ended_on)
    return {"id": staff.pk}


@router.patch("/groups/{group_id}", response={200: dict[str, int], **ERRORS})
def set_places(request, payload: PlacesIn, group_id: int = Id):
    """The group's capacity, never below the children now in it (422 "below_occupancy"), and the ages
    it is kept for (a child of other ages is then placed only with an override)."""
    group = _group(request.user, group_id)
    if payload.places is None and payload.age_band is None:
        raise ValidationError({"places": ValidationError(_("Nothing to change."), code="nothing")})
    with transaction.atomic():
        if payload.places is not None:
            group = services.group_places_set(actor=request.user, group=group, places=payload.places)
        if payload.age_band is not None:
            group = services.group_age_band_set(actor=request.user, group=group, age_band=payload.age_band)
    return {"id": group.pk, "places": group.places}


@router.post("/principals/{principal_id}/end", response={200: dict[str, int], **ERRORS})
def end_principal(request, payload: EndedIn, principal_id: int = Id):
    principal = _in_facility_of(request, PrincipalCaregiver, principal_id)
    services.principal_end(actor=request.user, principal=principal, ended_on=payload.ended_on)
    return {"id": principal.pk}


@router.get("/facilities/{facility_id}/form14", response={200: list[Form14Row], 404: Error})
def form14(request, facility_id: int = Id):
    """Circular 14/2020 art. 3, Form 14: the facility's children who need a family."""
    facility = _facility(request, facility_id)
    services.facility_membership(request.user, facility, Verb.CHILD_EXPORT)
    rows = selectors.form14_rows(facility)
    audit.record(
        actor=request.user,
        action="child.export",
        organisation=facility.organisation,
        data={"form": "14", "children": [str(p.child_id) for p in rows]},
    )
    return [
        {
            "child_id": p.child_id,
            "full_name": p.child.full_name,
            "date_of_birth": p.child.date_of_birth,
            "in_facility_since": p.started_on,
            "group": str(p.group),
            "family_plan": p.family_plan,
        }
        for p in rows
    ]


# --- Placements ---------------------------------------------------------------------------------


@router.post("/groups/{group_id}/placements", response={201: CarePathOut, **STEP_ERRORS})
def place(request, payload: PlaceIn, group_id: int = Id):
    """Admit a child into a small group."""
    data = payload.dict()
    room = _room_named(request.user, data.pop("room_id"))
    group = _group(request.user, group_id)
    with api_field_names(room="room_id"):
        path = _children.take(
            request,
            data.pop("child_id"),
            services.placement_start,
            form=CareForm.FACILITY_GROUP,
            group=group,
            room=room,
            **data,
        )
    return Status(201, path)


@router.get("/children/{child_id}", response={200: CarePathOut, 404: Error})
def care_path(request, child_id: uuid.UUID):
    """A child's placements in every form of care, current caregiver and stability."""
    child = _child(request.user, child_id)
    audit.record(actor=request.user, action="child.view", obj=child, data={"page": "care_path"})
    return _path(request.user, child)


@router.post("/children/{child_id}/placements", response={201: CarePathOut, **STEP_ERRORS})
def start(request, payload: StartIn, child_id: uuid.UUID):
    """A first placement, or the next after the last ended; a placed child is moved with /transfer.
    A group id that names no group is answered as no group chosen, with the other problems."""
    data = payload.dict()
    group = _group_named(data.pop("group_id"))
    with api_field_names(group="group_id"):
        path = _children.take(request, child_id, services.placement_start, group=group, **data)
    return Status(201, path)


@router.post("/placements/{placement_id}/transfer", response=PLACEMENT_STEP)
def transfer(request, payload: PlacementTransferIn, placement_id: uuid.UUID):
    """A group id that names no group is answered as no group chosen, with the other problems."""
    data = payload.dict()
    room = _room_named(request.user, data.pop("room_id"))
    group = _group_named(data.pop("group_id"))
    with api_field_names(group="group_id", room="room_id"):
        return _placements.take(
            request, placement_id, services.placement_transfer, group=group, room=room, **data
        )


@router.post("/placements/{placement_id}/review", response=PLACEMENT_STEP)
def review(request, payload: ReviewIn, placement_id: uuid.UUID):
    """The six-monthly review; a family-based plan stops the under-3 clock."""
    return _placements.take(request, placement_id, services.placement_review, **payload.dict())


@router.post("/placements/{placement_id}/end", response=PLACEMENT_STEP)
def end(request, payload: EndIn, placement_id: uuid.UUID):
    return _placements.take(request, placement_id, services.placement_end, **payload.dict())


@router.post("/placements/{placement_id}/visits", response={201: CarePathOut, **STEP_ERRORS})
def visit(request, payload: PlacementVisitIn, placement_id: uuid.UUID):
    """A monitoring visit of a child in a family; the next is due 6 months on (Decree 56 art. 43)."""
    return Status(201, _placements.take(request, placement_id, services.monitoring_visit, **payload.dict()))


# --- Province -----------------------------------------------------------------------------------


@router.get("/provinces/{code}", response={200: ProvinceOut, 404: Error})
def province(request, code: str):
    """Counts only: facilities by occupancy, the share of children in family-based care and its
    trend over 12 months, and the stability measure."""
    require(request.user, Verb.AGGREGATE_VIEW)
    chosen = next((p for p in selectors.provinces_visible(request.user) if p.code == code), None)
    if chosen is None:
        raise NotVisible
    figures = selectors.province_figures(chosen)
    return {
        "province_code": chosen.code,
        "in_family": figures.in_family,
        "in_facility": figures.in_facility,
        "family_share_percent": figures.family_share,
        "caregiver_changes_per_child_12m": figures.stability,
        "facilities": [
            {
                "facility_id": r.facility.pk,
                "name": r.facility.organisation.name,
                "occupancy": r.occupancy,
                "places": r.places,
                "occupancy_percent": r.rate,
                "groups_beyond_norms": r.over_groups,
                "overload_placements": r.overload_placements,
                "caregiver_changes_per_child_12m": r.stability,
            }
            for r in figures.facilities
        ],
        "trend": selectors.family_share_trend(chosen),
    }


# --- Alternative-care families ------------------------------------------------------------------


class FamilyOut(Schema):
    id: uuid.UUID
    kind: FamilyKind
    applicant_name: str
    commune_code: str
    status: FamilyStatus
    relationship: str
    decision_number: str
    decided_child_id: uuid.UUID | None
    confirmed_on: dt.date | None
    removal_reason: str
    decision_withdrawn_on: dt.date | None
    withdrawal_reason: str


class FamilyIn(Schema):
    """Form 08, or a relative's notification (then ``relative_of`` and ``relationship``)."""

    kind: FamilyKind
    applicant_name: Line = Field(..., max_length=150)
    applicant_born_on: Day
    address: Line = Field(..., max_length=300)
    phone: str = Field(default="", max_length=20, pattern=r"^[0-9 +().-]*$")
    household: Line = Field(default="", max_length=2000)
    economic_conditions: Line = Field(default="", max_length=2000)
    housing: Line = Field(default="", max_length=2000)
    health_certificate_on: Day | None = None
    household_consent: bool
    no_abuse_record: bool
    relative_of: uuid.UUID | None = None
    relationship: Line = Field(default="", max_length=60)


class VerifyIn(Schema):
    eligible: bool
    note: Line = Field(..., max_length=2000)


class DecideIn(Schema):
    child_id: uuid.UUID
    decision_number: Line = Field(..., max_length=60)


class SuggestionOut(Schema):
    family: FamilyOut
    reasons: list[str]
    blocked: list[str]


def _family_out(f) -> dict:
    return {
        "id": f.pk,
        "kind": f.kind,
        "applicant_name": f.applicant_name,
        "commune_code": f.commune.code,
        "status": f.state,
        "relationship": f.relationship,
        "decision_number": f.decision_number,
        "decided_child_id": f.decided_child_id,
        "confirmed_on": f.confirmed_on,
        "removal_reason": f.removal_reason,
        "decision_withdrawn_on": f.withdrawn_on,
        "withdrawal_reason": f.withdrawal_reason,
    }


def _family(user: User, family_id: uuid.UUID) -> CareFamily:
    return get_object_or_404(families.families_visible(user), pk=family_id)


def _family_detail(user: User, family_id: uuid.UUID) -> dict:
    return _family_out(CareFamily.objects.select_related("commune").get(pk=family_id))


def _handed_over_path(user: User, family_id: uuid.UUID) -> dict:
    return _path(user, CareFamily.objects.select_related("decided_child").get(pk=family_id).decided_child)


# Every step endpoint of a family (haven/api/steps.py): the family the user may act on, the service,
# then the family as it now is (after the handover, the care path of the child handed over).
_families = Steps(load=_family, detail=_family_detail, subject_as="family")
_handing_over = replace(_families, detail=_handed_over_path)
FAMILY_STEP = step_responses(FamilyOut)


class FamilyPage(Schema):
    count: int
    page: int
    pages: int
    items: list[FamilyOut]


@router.get("/families", response={200: FamilyPage, 404: Error})
def list_families(request, page: int = PageNumber):
    """The register of families willing to care in the user's communes (Decree 56/2017 art. 41),
    25 a page."""
    require(request.user, Verb.CHILD_VIEW)
    found, meta = _page(families.families_visible(request.user).order_by("applicant_name", "pk"), page)
    listed = list(found.object_list)
    families.audit_read(request.user, "care.families_view", listed)
    return {**meta, "items": [_family_out(f) for f in listed]}


@router.post("/families", response={201: FamilyOut, **ERRORS})
def register_family(request, payload: FamilyIn):
    """Registered in the commune of the officer; a failed legal condition is 422 with its field."""
    commune = next(
        (
            m.organisation.area
            for m in memberships(request.user)
            if m.role == Role.COMMUNE_CHILD_PROTECTION_OFFICER
        ),
        None,
    )
    if commune is None:
        raise NotVisible
    data = payload.dict()
    relative = data.pop("relative_of")
    family = services.family_register(
        actor=request.user,
        commune=commune,
        relative_of=_child(request.user, relative) if relative else None,
        **data,
    )
    return Status(201, _family_out(family))


@router.post("/families/{family_id}/verify", response=FAMILY_STEP)
def verify_family(request, payload: VerifyIn, family_id: uuid.UUID):
    """Form 11."""
    return _families.take(request, family_id, services.family_verify, **payload.dict())


@router.post("/families/{family_id}/decide", response=FAMILY_STEP)
def decide_family(request, payload: DecideIn, family_id: uuid.UUID):
    """Form 12, by the commune chairman; the handover is then due within 15 working days. A child the
    chairman may not give to the family is not found (404), as one that does not exist."""
    child = Child.objects.filter(pk=payload.child_id).first()
    return _families.take(
        request, family_id, services.family_decide, child=child, decision_number=payload.decision_number
    )


class WithdrawDecisionIn(Schema):
    reason: Line = Field(..., max_length=300, description="why the decision is withdrawn, in writing")


@router.post("/families/{family_id}/withdraw", response=FAMILY_STEP)
def withdraw_decision(request, payload: WithdrawDecisionIn, family_id: uuid.UUID):
    """Withdraw a Form 12 decision before the handover, by the commune chairman who took it or the
    provincial officer of the province, with the reason: the handover is no longer due, and the child
    may be given another family or another decision. After the handover it is 409 (only Form 16 ends
    care that has begun); a blank reason is 422."""
    return _families.take(request, family_id, services.family_withdraw, **payload.dict())


@router.post("/families/{family_id}/handover", response=PLACEMENT_STEP)
def hand_over(request, family_id: uuid.UUID):
    return _handing_over.take(request, family_id, services.family_handover)


@router.get("/children/{child_id}/suggestions", response={200: list[SuggestionOut], 404: Error})
def suggest(request, child_id: uuid.UUID):
    """Verified families for the child: kin first, siblings together, the child's view; each explained."""
    child = _child(request.user, child_id)
    found = families.suggestions(request.user, child)
    families.audit_read(request.user, "care.family_suggestions", [s.family for s in found], child)
    return [{"family": _family_out(s.family), "reasons": s.reasons, "blocked": s.blocked} for s in found]


class IncidentIn(Schema):
    kind: IncidentKind
    occurred_at: Moment
    description: Line = Field(..., max_length=2000)
    actions_taken: Line = Field(default="", max_length=2000)


class IncidentOut(Schema):
    id: int
    protection_case_id: uuid.UUID


@router.post("/children/{child_id}/incidents", response={201: IncidentOut, **ERRORS})
def report_incident(request, payload: IncidentIn, child_id: uuid.UUID):
    """Violence or abuse inside the facility: a child-protection report (Form 01) opens, and the
    provincial Department of Health is told."""
    incident = services.incident_report(
        actor=request.user, child=_child(request.user, child_id), **payload.dict()
    )
    return Status(201, {"id": incident.pk, "protection_case_id": incident.protection_case_id})


class InspectionIn(Schema):
    inspected_on: Day
    results: dict[str, Literal["met", "not_met", "na"]] = Field(
        ..., description="a result for every checklist item"
    )
    findings: Line = Field(default="", max_length=2000)


@router.post("/facilities/{facility_id}/inspections", response={201: dict[str, int], **ERRORS})
def inspect(request, payload: InspectionIn, facility_id: int = Id):
    """An inspection against the checklist (Decree 103/2017; Circular 09/2024 art. 6), by the province."""
    facility = selectors.facilities_visible(request.user, Verb.CARE_INSPECT).filter(pk=facility_id).first()
    if facility is None:
        raise NotVisible
    inspection = services.inspection_record(actor=request.user, facility=facility, **payload.dict())
    return Status(201, {"id": inspection.pk})


# --- Rooms ----------------------------------------------------------------------------------------


@router.post("/homes/{home_id}/rooms", response={201: RoomOut, **ERRORS})
def add_room(request, payload: RoomIn, home_id: int = Id):
    """A room of a small home with its places, and the group that uses it (optional)."""
    home = Home.objects.select_related("facility").filter(pk=home_id).first()
    if home is None:
        raise NotVisible
    group = None
    if payload.group_id is not None:
        group = SmallGroup.objects.filter(pk=payload.group_id, home__facility=home.facility).first()
        if group is None:
            raise NotVisible
    room = services.room_add(
        actor=request.user, home=home, name=payload.name, places=payload.places, group=group
    )
    return Status(201, _room_out(room))


def _room_out(room: Room) -> dict:
    status = selectors.room_statuses(Room.objects.filter(pk=room.pk))[0]
    return {
        "id": room.pk,
        "home": room.home.name,
        "name": room.name,
        "places": room.places,
        "occupancy": status.occupancy,
        "group_id": room.group_id,
        "state": status.state,
    }


@router.patch("/rooms/{room_id}", response={200: RoomOut, **ERRORS})
def set_room(request, payload: RoomSetIn, room_id: int = Id):
    """A room's places (never below the children sleeping there) and the group using it."""
    room = Room.objects.select_related("home__facility").filter(pk=room_id).first()
    if room is None:
        raise NotVisible
    services.facility_membership(request.user, room.home.facility)
    group = None
    if payload.group_id is not None:
        group = SmallGroup.objects.filter(pk=payload.group_id, home__facility=room.home.facility).first()
        if group is None:
            raise NotVisible
    room = services.room_set(actor=request.user, room=room, places=payload.places, group=group)
    return _room_out(room)


@router.post("/placements/{placement_id}/room", response=PLACEMENT_STEP)
def assign_room(request, payload: RoomAssignIn, placement_id: uuid.UUID):
    """The room a child in a facility sleeps in; a full room is 409 "over_capacity" unless the
    director overrides it."""
    room = _room_named(request.user, payload.room_id)
    with api_field_names(room="room_id"):
        return _placements.take(
            request, placement_id, services.room_assign, room=room, override_reason=payload.override_reason
        )


# --- Form 16: ending or changing alternative care --------------------------------------------------


@router.post("/placements/{placement_id}/decision", response={201: DecisionOut, **STEP_ERRORS})
def decide_change(request, payload: CareDecisionIn, placement_id: uuid.UUID):
    """Form 16 (Law on Children art. 69; Decree 56/2017 art. 48(2)): the commune chairman (a family
    placement) or the facility's managing authority (facility care) ends the placement and moves the
    child to the next form of care on the same day. A group id that names no group, or a family id that
    names none of the families the decider reads, is answered as none chosen, with every other problem
    of the decision."""
    data = payload.dict()
    room = _room_named(request.user, data.pop("room_id"))
    group = _group_named(data.pop("group_id"))
    family = families.families_visible(request.user).filter(pk=data.pop("family_id")).first()
    data["form"] = data["form"] or ""
    with api_field_names(group="group_id", family="family_id", room="room_id"):
        decision = _deciding.take(
            request,
            placement_id,
            services.care_change_decide,
            group=group,
            room=room,
            family=family,
            **data,
        )
    return Status(201, decision)


@router.get("/decisions/{decision_id}", response={200: DecisionOut, 404: Error})
def get_decision(request, decision_id: uuid.UUID):
    """A Form 16 decision, for the people who see the child."""
    decision = get_object_or_404(
        decisions.decisions_readable(request.user).select_related("organisation"), pk=decision_id
    )
    audit.record(actor=request.user, action="child.view", obj=decision, child=decision.child)
    return _decision_out(decision)


# --- The quarterly update of the register of families ---------------------------------------------


class FamilyReviewIn(Schema):
    keep: bool = Field(..., description="true: the family stays on the register; false: removed")
    reason: Line = Field(default="", max_length=300)


@router.post("/families/{family_id}/review", response=FAMILY_STEP)
def review_family(request, payload: FamilyReviewIn, family_id: uuid.UUID):
    """The quarterly update of the register (Decree 56/2017 art. 41): confirm the family, or remove
    it with the reason. When every family is reviewed, the quarter's clock is met and the next opens."""
    return _families.take(request, family_id, services.family_review, **payload.dict())


# --- The national table -----------------------------------------------------------------------------


class ProvinceRowOut(Schema):
    province_code: str
    name: str
    priority_reason: str | None = Field(..., description="Why the province is listed first, if it is")
    facilities: int
    occupancy: int
    places: int
    occupancy_percent: int | None
    facilities_beyond_norms: int
    in_family: int
    in_facility: int
    family_share_percent: int | None


class ProvincePage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProvinceRowOut]


@router.get("/provinces", response={200: ProvincePage, 404: Error})
def list_provinces(request, page: int = PageNumber):
    """Counts only, per province the user may read: Hà Nội, Hồ Chí Minh City and the industrial
    provinces first (issue #4), then the others by code."""
    require(request.user, Verb.AGGREGATE_VIEW)
    provinces = selectors.provinces_visible(request.user)
    if not provinces:
        raise NotVisible
    found, meta = _page(provinces, page)
    rows = selectors.national_rows(list(found.object_list))
    return {
        **meta,
        "items": [
            {
                "province_code": r.province.code,
                "name": r.province.name,
                "priority_reason": str(r.priority) if r.priority else None,
                "facilities": r.facilities,
                "occupancy": r.occupancy,
                "places": r.places,
                "occupancy_percent": r.rate,
                "facilities_beyond_norms": r.over_facilities,
                "in_family": r.in_family,
                "in_facility": r.in_facility,
                "family_share_percent": r.family_share,
            }
            for r in rows
        ],
    }
