"""Every read of family-like care. Facilities are seen by their own staff, by the authorities of their
area and by national bodies; a child's placements through ``visible_to(user)`` like all child data.

Occupancy and ratio status are computed per group from the open placements and rosters, then summed
per home, facility and province. The stability measure is the number of caregiver changes per child
in the last 12 months (Notice 432 §3: a stable caregiver); a child with more than two is flagged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import granting
from haven.accounts.models import Role, User
from haven.areas.models import Area
from haven.care import ratios
from haven.care.capacity import special_needs
from haven.care.models import (
    CaregiverChange,
    Facility,
    MonitoringVisit,
    Placement,
    PrincipalCaregiver,
    Room,
    Shift,
    ShiftAssignment,
    SmallGroup,
    StaffKind,
)
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.people.models import Child

# More than this many caregiver changes in 12 months flags a child (issue #4).
UNSTABLE_AFTER = 2


@dataclass(frozen=True)
class Priority:
    code: str
    reason: str | Promise


# Issue #4 §3: "Hanoi, Ho Chi Minh City and industrial zones first" — where migrant workers' children
# and facility overload concentrate (Notice 432-TB/VPTW §3: prevent overload). Which provinces count as
# industrial is a design choice ([U], docs/decisions/0011): the three centrally-run cities and the two
# provinces with the most industrial parks after the 2025 mergers (Resolution 202/2025/QH15).
PRIORITY_BASIS = _("Notice 432-TB/VPTW, part 3: facilities are kept from overload")
PRIORITIES: tuple[Priority, ...] = (
    Priority("01", _("Hà Nội: the capital")),
    Priority("79", _("Hồ Chí Minh City: with Bình Dương, the largest industrial zones")),
    Priority("31", _("Hải Phòng: industrial zones and a port city (with Hải Dương)")),
    Priority("75", _("Đồng Nai: industrial zones (with Bình Phước)")),
    Priority("24", _("Bắc Ninh: industrial zones (with Bắc Giang)")),
)
PRIORITY_PROVINCES = tuple(p.code for p in PRIORITIES)
PRIORITY_REASONS = {p.code: p.reason for p in PRIORITIES}


def priority_key(code: str) -> tuple[int, str]:
    """Priority provinces first in the order above, then the others by their official code."""
    order = {code: i for i, code in enumerate(PRIORITY_PROVINCES)}
    return (order.get(code, len(order)), code)


def year_ago(on: dt.date) -> dt.date:
    return on - dt.timedelta(days=365)


# --- Which facilities -----------------------------------------------------------------------------


def facilities_visible(user: User, verb: Verb = Verb.CHILD_VIEW) -> QuerySet[Facility]:
    clauses = []
    for m in granting(user, verb):
        scope = POLICY[Role(m.role)].scope
        area = m.organisation.area
        if scope in (Scope.NATION, Scope.NONE):
            return Facility.objects.select_related("organisation__area__parent")
        if scope is Scope.AREA:
            if area.level == "province":
                clauses.append(Q(organisation__area__parent=area) | Q(organisation__area=area))
            else:
                clauses.append(Q(organisation__area=area))
        else:
            clauses.append(Q(organisation_id=m.organisation_id))
    if not clauses:
        return Facility.objects.none()
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return Facility.objects.filter(combined).select_related("organisation__area__parent")


def provinces_visible(user: User) -> list[Area]:
    """The provinces whose figures the user may read: their own, or all for national bodies."""
    found: dict[int, Area] = {}
    for m in granting(user, Verb.AGGREGATE_VIEW):
        if POLICY[Role(m.role)].scope in (Scope.NATION, Scope.NONE):
            provinces = list(Area.objects.current().provinces())
            return sorted(provinces, key=lambda p: priority_key(p.code))
        province = m.organisation.area.province
        found[province.pk] = province
    return sorted(found.values(), key=lambda p: priority_key(p.code))


# --- Group status ---------------------------------------------------------------------------------


@dataclass
class GroupStatus:
    group: SmallGroup
    children: list[Child]
    principal: str
    rostered: dict[str, list[str]]
    needed: int
    overload_placements: int
    changes_12m: int

    @property
    def occupancy(self) -> int:
        return len(self.children)

    @property
    def places(self) -> int:
        return self.group.places

    @property
    def short_shifts(self) -> list[str]:
        return [str(Shift(s).label) for s, names in self.rostered.items() if len(names) < self.needed]

    @property
    def over(self) -> bool:
        return self.occupancy > self.places or bool(self.short_shifts)

    @property
    def full(self) -> bool:
        return not self.over and self.occupancy >= self.places

    @property
    def state(self) -> str:
        return "over" if self.over else "full" if self.full else "ok"

    @property
    def stability(self) -> float | None:
        return round(self.changes_12m / self.occupancy, 2) if self.occupancy else None


def group_statuses(
    groups: QuerySet[SmallGroup], on: dt.date | None = None, *, names: bool = True
) -> list[GroupStatus]:
    """Status of each group in a handful of queries, whatever the number of groups. Without ``names``
    (figures only) the children are read as bare rows, not as records."""
    on = on or clock.today()
    groups = list(groups.select_related("home__facility"))
    ids = [g.pk for g in groups]
    open_placements = Placement.objects.filter(group_id__in=ids, ended_on__isnull=True)
    if names:
        rows = [(p.group_id, p.overload, p.child) for p in open_placements.select_related("child")]
    else:
        rows = [
            (group_id, overload, Child(pk=child_id, date_of_birth=born))
            for group_id, overload, child_id, born in open_placements.values_list(
                "group_id", "overload", "child_id", "child__date_of_birth"
            )
        ]
    special = special_needs([child.pk for _g, _o, child in rows], on)
    children: dict[int, list[Child]] = defaultdict(list)
    overloads: dict[int, int] = defaultdict(int)
    for group_id, overload, child in rows:
        child.special_needs = child.pk in special
        children[group_id].append(child)
        overloads[group_id] += overload
    rostered: dict[int, dict[str, list[str]]] = {gid: {s: [] for s in Shift.values} for gid in ids}
    for group_id, shift, name in (
        ShiftAssignment.objects.in_force(on)
        .filter(group_id__in=ids)
        .values_list("group_id", "shift", "staff__full_name")
    ):
        rostered[group_id][shift].append(name)
    principals = dict(
        PrincipalCaregiver.objects.filter(group_id__in=ids, ended_on__isnull=True).values_list(
            "group_id", "staff__full_name"
        )
    )
    changes = dict(
        CaregiverChange.objects.filter(
            child__placements__group_id__in=ids, child__placements__ended_on__isnull=True, on__gt=year_ago(on)
        )
        .values_list("child__placements__group_id")
        .annotate(n=Count("id", distinct=True))
    )
    return [
        GroupStatus(
            group=g,
            children=sorted(children[g.pk], key=lambda c: (c.family_name, c.given_name)),
            principal=principals.get(g.pk, ""),
            rostered=rostered[g.pk],
            needed=ratios.caregivers_needed([(c.date_of_birth, c.special_needs) for c in children[g.pk]], on),
            overload_placements=overloads[g.pk],
            changes_12m=changes.get(g.pk, 0),
        )
        for g in groups
    ]


# --- The director's board -------------------------------------------------------------------------


@dataclass
class RoomStatus:
    room: Room
    occupancy: int

    @property
    def places(self) -> int:
        return self.room.places

    @property
    def state(self) -> str:
        return "over" if self.occupancy > self.places else "full" if self.occupancy == self.places else "ok"


def room_statuses(rooms: QuerySet[Room]) -> list[RoomStatus]:
    """Occupancy of each room: the children now sleeping there (one query)."""
    rooms = list(rooms.select_related("group", "home"))
    counts = dict(
        Placement.objects.filter(room_id__in=[r.pk for r in rooms], ended_on__isnull=True)
        .values_list("room_id")
        .annotate(n=Count("id"))
    )
    return [RoomStatus(room=r, occupancy=counts.get(r.pk, 0)) for r in rooms]


@dataclass
class HomeBoard:
    name: str
    groups: list[GroupStatus] = field(default_factory=list)
    rooms: list[RoomStatus] = field(default_factory=list)

    @property
    def occupancy(self) -> int:
        return sum(g.occupancy for g in self.groups)

    @property
    def places(self) -> int:
        return sum(g.places for g in self.groups)

    @property
    def over(self) -> bool:
        return any(g.over for g in self.groups)


@dataclass
class Board:
    facility: Facility
    homes: list[HomeBoard]
    caseload_capacity: int
    due_reviews: list[Obligation]
    unstable: list[tuple[Child, int]]

    @property
    def groups(self) -> list[GroupStatus]:
        return [g for h in self.homes for g in h.groups]

    @property
    def occupancy(self) -> int:
        return sum(h.occupancy for h in self.homes)

    @property
    def places(self) -> int:
        return sum(h.places for h in self.homes)

    @property
    def over(self) -> bool:
        return any(h.over for h in self.homes) or self.occupancy > self.caseload_capacity

    @property
    def caseload_over(self) -> bool:
        return self.occupancy > self.caseload_capacity

    @property
    def changes_12m(self) -> int:
        return sum(g.changes_12m for g in self.groups)

    @property
    def stability(self) -> float | None:
        return round(self.changes_12m / self.occupancy, 2) if self.occupancy else None


def board(facility: Facility, on: dt.date | None = None) -> Board:
    on = on or clock.today()
    statuses = group_statuses(
        SmallGroup.objects.filter(home__facility=facility).order_by("home__name", "name"), on
    )
    homes: dict[int, HomeBoard] = {}
    for home in facility.homes.order_by("name"):
        homes[home.pk] = HomeBoard(name=home.name)
    for s in statuses:
        homes[s.group.home_id].groups.append(s)
    for r in room_statuses(Room.objects.filter(home__facility=facility).order_by("home__name", "name")):
        homes[r.room.home_id].rooms.append(r)
    kinds = list(
        facility.staff.filter(is_active=True).exclude(kind=StaffKind.CAREGIVER).values_list("kind", flat=True)
    )
    # Reviews due within 30 days, or overdue, for the children of this facility.
    due = list(
        Obligation.objects.filter(
            responsible=facility.organisation,
            rule__in=("care.review", "care.family_plan"),
            status=Status.OPEN,
            due_at__lte=clock.now() + dt.timedelta(days=30),
        )
        .select_related("child")
        .order_by("due_at")
    )
    children = [c for s in statuses for c in s.children]
    return Board(
        facility=facility,
        homes=list(homes.values()),
        caseload_capacity=ratios.caseload_capacity(kinds),
        due_reviews=due,
        unstable=unstable_children([c.pk for c in children], on),
    )


def unstable_children(child_ids: list, on: dt.date) -> list[tuple[Child, int]]:
    rows = (
        CaregiverChange.objects.filter(child_id__in=child_ids, on__gt=year_ago(on))
        .values("child_id")
        .annotate(n=Count("id"))
        .filter(n__gt=UNSTABLE_AFTER)
    )
    counts = {r["child_id"]: r["n"] for r in rows}
    return [(c, counts[c.pk]) for c in Child.objects.filter(pk__in=counts)]


# --- A child's care path --------------------------------------------------------------------------


@dataclass
class CarePath:
    child: Child
    placements: list[Placement]
    changes: list[CaregiverChange]
    current: Placement | None
    current_carer: str
    changes_12m: int
    next_review: Obligation | None
    next_visit: Obligation | None = None
    visits: list = field(default_factory=list)

    @property
    def unstable(self) -> bool:
        return self.changes_12m > UNSTABLE_AFTER


def care_path(user: User, child: Child, on: dt.date | None = None) -> CarePath:
    from haven.care.services.placements import _current_carer

    on = on or clock.today()
    placements = list(
        Placement.objects.visible_to(user)
        .filter(child=child)
        .select_related("group__home__facility__organisation", "override_by")
        .order_by("started_on", "created_at")
    )
    changes = list(CaregiverChange.objects.visible_to(user).filter(child=child).order_by("on", "created_at"))
    current = next((p for p in placements if p.ended_on is None), None)
    next_review = None
    if current is not None and current.group_id:
        next_review = Obligation.objects.filter(
            subject_type=Placement._meta.label_lower,
            subject_id=current.pk,
            rule="care.review",
            status=Status.OPEN,
        ).first()
    next_visit = None
    if current is not None and not current.group_id:
        next_visit = Obligation.objects.filter(
            subject_type=Placement._meta.label_lower,
            subject_id=current.pk,
            rule="care.monitoring",
            status=Status.OPEN,
        ).first()
    visits = list(
        MonitoringVisit.objects.visible_to(user).filter(placement__child=child).order_by("-visited_on")
    )
    return CarePath(
        next_visit=next_visit,
        visits=visits,
        child=child,
        placements=placements,
        changes=changes,
        current=current,
        current_carer=_current_carer(current, on),
        changes_12m=sum(1 for c in changes if c.on > year_ago(on)),
        next_review=next_review,
    )


# --- Province -------------------------------------------------------------------------------------


@dataclass
class FacilityRow:
    facility: Facility
    occupancy: int
    places: int
    over_groups: int
    overload_placements: int
    changes_12m: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.occupancy / self.places) if self.places else None

    @property
    def stability(self) -> float | None:
        return round(self.changes_12m / self.occupancy, 2) if self.occupancy else None

    @property
    def over(self) -> bool:
        return self.over_groups > 0 or self.overload_placements > 0 or self.occupancy > self.places


@dataclass
class ProvinceFigures:
    province: Area
    facilities: list[FacilityRow]
    in_family: int
    in_facility: int
    changes_12m: int

    @property
    def family_share(self) -> int | None:
        total = self.in_family + self.in_facility
        return round(100 * self.in_family / total) if total else None

    @property
    def stability(self) -> float | None:
        total = self.in_family + self.in_facility
        return round(self.changes_12m / total, 2) if total else None

    @property
    def occupancy(self) -> int:
        return sum(f.occupancy for f in self.facilities)

    @property
    def places(self) -> int:
        return sum(f.places for f in self.facilities)


def _in_province(province: Area, prefix: str = "child__") -> Q:
    return Q(**{prefix + "current_commune__parent": province})


def province_figures(province: Area, on: dt.date | None = None) -> ProvinceFigures:
    """Counts only: no child's identity. Facilities ordered by occupancy rate, fullest first."""
    on = on or clock.today()
    facilities = list(
        Facility.objects.filter(
            Q(organisation__area__parent=province) | Q(organisation__area=province)
        ).select_related("organisation")
    )
    ids = [f.pk for f in facilities]
    statuses = group_statuses(SmallGroup.objects.filter(home__facility_id__in=ids), on, names=False)
    per: dict[int, list[GroupStatus]] = defaultdict(list)
    for s in statuses:
        per[s.group.home.facility_id].append(s)
    rows = [
        FacilityRow(
            facility=f,
            occupancy=sum(s.occupancy for s in per[f.pk]),
            places=sum(s.places for s in per[f.pk]),
            over_groups=sum(1 for s in per[f.pk] if s.over),
            overload_placements=sum(s.overload_placements for s in per[f.pk]),
            changes_12m=sum(s.changes_12m for s in per[f.pk]),
        )
        for f in facilities
    ]
    rows.sort(key=lambda r: (-(r.rate or 0), r.facility.organisation.name))
    counts = form_counts(province, on)
    changes = CaregiverChange.objects.filter(
        _in_province(province), on__gt=year_ago(on), child__placements__ended_on__isnull=True
    ).count()
    return ProvinceFigures(
        province=province,
        facilities=rows,
        in_family=counts["family"],
        in_facility=counts["facility"],
        changes_12m=changes,
    )


@dataclass
class ProvinceRow:
    province: Area
    priority: str | Promise | None
    facilities: int
    occupancy: int
    places: int
    over_facilities: int
    in_family: int
    in_facility: int

    @property
    def family_share(self) -> int | None:
        total = self.in_family + self.in_facility
        return round(100 * self.in_family / total) if total else None

    @property
    def rate(self) -> int | None:
        return round(100 * self.occupancy / self.places) if self.places else None


def national_rows(provinces: list[Area], on: dt.date | None = None) -> list[ProvinceRow]:
    """The national table of facilities by province, counts only: Hà Nội, Hồ Chí Minh City and the
    industrial provinces first (``PRIORITIES``), then the others by code."""
    on = on or clock.today()
    by_pk = {p.pk: p for p in provinces}
    statuses = group_statuses(
        SmallGroup.objects.filter(
            Q(home__facility__organisation__area__parent__in=by_pk)
            | Q(home__facility__organisation__area__in=by_pk)
        ),
        on,
        names=False,
    )
    per_facility: dict[int, list[GroupStatus]] = defaultdict(list)
    for s in statuses:
        per_facility[s.group.home.facility_id].append(s)
    # The area's parent too: ``area.province`` of a commune facility is its parent (no query per facility).
    facilities = Facility.objects.filter(
        Q(organisation__area__parent__in=by_pk) | Q(organisation__area__in=by_pk)
    ).select_related("organisation__area__parent")
    rows = {p.pk: ProvinceRow(p, PRIORITY_REASONS.get(p.code), 0, 0, 0, 0, 0, 0) for p in provinces}
    for f in facilities:
        row = rows[f.organisation.area.province.pk]
        groups = per_facility[f.pk]
        row.facilities += 1
        row.occupancy += sum(g.occupancy for g in groups)
        row.places += sum(g.places for g in groups)
        row.over_facilities += any(g.over or g.overload_placements for g in groups)
    for pk, counts in form_counts_by_province(list(by_pk), on).items():
        rows[pk].in_family, rows[pk].in_facility = counts["family"], counts["facility"]
    return sorted(rows.values(), key=lambda r: priority_key(r.province.code))


def form_counts_by_province(province_ids: list[int], on: dt.date) -> dict[int, dict[str, int]]:
    """``form_counts`` for many provinces at once, in three queries whatever their number: a child in a
    family counts for the child's province, a child in a facility for the facility's province."""
    found = {pk: {"family": 0, "facility": 0} for pk in province_ids}
    active = Placement.objects.in_force(on)
    family = (
        active.filter(group__isnull=True, child__current_commune__parent__in=province_ids)
        .values_list("child__current_commune__parent")
        .annotate(n=Count("id"))
    )
    area = "group__home__facility__organisation__area"
    in_commune = (
        active.filter(**{f"{area}__parent__in": province_ids})
        .values_list(f"{area}__parent")
        .annotate(n=Count("id"))
    )
    at_province = active.filter(**{f"{area}__in": province_ids}).values_list(area).annotate(n=Count("id"))
    for pk, n in family:
        found[pk]["family"] += n
    for pk, n in [*in_commune, *at_province]:
        found[pk]["facility"] += n
    return found


def form_counts(province: Area, on: dt.date) -> dict[str, int]:
    """Children of the province in care on ``on``, in a family and in a facility."""
    # A child in a facility counts for the facility's province, wherever the child's commune is; a
    # child in a family for the child's province. Two queries, not one with an OR: each follows its own
    # index (the province's communes → children → placements; its facilities → groups → placements).
    active = Placement.objects.in_force(on)
    # The province's children first (a sub-query): joining them to every family placement scans all.
    children = Child.objects.filter(current_commune__parent=province).values("pk")
    family = active.filter(child__in=children, group__isnull=True).count()
    facility = active.filter(
        Q(group__home__facility__organisation__area__parent=province)
        | Q(group__home__facility__organisation__area=province)
    ).count()
    return {"family": family, "facility": facility}


def family_share_trend(province: Area, months: int = 12, on: dt.date | None = None) -> list[dict]:
    """The share of children in family-based care at the end of each of the last ``months`` months."""
    on = on or clock.today()
    points = []
    day = on
    for _i in range(months):
        counts = form_counts(province, day)
        total = counts["family"] + counts["facility"]
        points.append(
            {
                "on": day,
                "family": counts["family"],
                "facility": counts["facility"],
                "share": round(100 * counts["family"] / total) if total else None,
            }
        )
        day = day.replace(day=1) - dt.timedelta(days=1)
    return list(reversed(points))


# --- Form 14 --------------------------------------------------------------------------------------


def form14_rows(facility: Facility) -> list[Placement]:
    """Circular 14/2020 art. 3, Form 14: the children of the facility who need a family."""
    return list(
        Placement.objects.filter(group__home__facility=facility, ended_on__isnull=True, needs_family=True)
        .select_related("child", "group__home")
        .order_by("child__family_name", "child__given_name")
    )


def cases_of_child(user: User, child: Child) -> list:
    """The child's care path, for the child's page, when the user sees a placement of the child
    (people/cases.py): where the child lives now, or has lived."""
    from django.utils.translation import gettext as _

    from haven.people.cases import CaseLink

    placements = Placement.objects.visible_to(user).filter(child=child).order_by("-started_on", "-created_at")
    latest = placements.select_related("group__home__facility").first()
    if latest is None:
        return []
    where = latest.get_form_display() if latest.ended_on is None else _("No current placement")
    return [CaseLink(_("Care path"), f"/care/children/{child.pk}/", where, latest.started_on)]
