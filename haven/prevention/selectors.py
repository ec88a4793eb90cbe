"""Every read of the prevention work starts from ``AtRiskPerson.objects.visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, aggregate_reach, can, granting, memberships, sees_all_in
from haven.accounts.models import Membership, Role, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.prevention import schedule, workflow
from haven.prevention.models import (
    OPEN_STATES,
    AtRiskPerson,
    Coverage,
    Outcome,
    Village,
)
from haven.reports import disclosure

SUBJECT = AtRiskPerson._meta.label_lower


def persons_visible(user: User):
    return AtRiskPerson.objects.visible_to(user).select_related("commune", "village", "collaborator")


def person_for_viewing(*, user: User, person_id) -> AtRiskPerson:
    person = persons_visible(user).filter(pk=person_id).first()
    if person is None:
        raise NotVisible
    record(actor=user, action="prevention.view", obj=person, child=person.newborn_id)
    return person


def person_for_action(*, user: User, person_id) -> AtRiskPerson:
    person = persons_visible(user).filter(pk=person_id).first()
    if person is None:
        raise NotVisible
    return person


def mother_record(*, user: User, foundling_case) -> AtRiskPerson | None:
    """The prevention record of the mother of a baby found abandoned, if this user may see it."""
    return persons_visible(user).filter(foundling_case=foundling_case).first()


def actions_for(user: User, person: AtRiskPerson) -> list[str]:
    roles = {m.role for m in granting(user, Verb.PREVENTION_RECORD)}
    return workflow.FLOW.actions_for(person.state, roles)


def obligations_of(person: AtRiskPerson):
    return Obligation.objects.filter(subject_type=SUBJECT, subject_id=person.pk).order_by("-status", "due_at")


def next_dues(people) -> dict:
    """Each person's next open clock, for a page of people in one query."""
    dues: dict = {}
    for o in Obligation.objects.filter(
        subject_type=SUBJECT, subject_id__in=[p.pk for p in people], status=Status.OPEN
    ).order_by("due_at"):
        dues.setdefault(o.subject_id, o)
    return dues


@dataclass
class Round:
    """The collaborator's round: who to see, most urgent first. ``overdue``, ``today`` and ``week`` are
    the user's own steps (deadlines/selectors.tasks_for, the home page's share for prevention), one row
    per step; ``later`` the other people they follow, with their next clock, whoever takes it."""

    overdue: list = field(default_factory=list)
    today: list = field(default_factory=list)
    week: list = field(default_factory=list)
    later: list = field(default_factory=list)


def round_for(user: User) -> Round:
    """The people the user follows (the collaborator's own; for others every open record they see):
    the steps that are the user's, overdue, due today and in the next 7 days — the same steps, counted
    the same way, as the home page — then everyone else with their next clock."""
    from haven.deadlines.selectors import tasks_for

    people = persons_visible(user).filter(state__in=OPEN_STATES)
    if any(m.role == Role.SOCIAL_COLLABORATOR for m in memberships(user)):
        people = people.filter(collaborator=user)
    people = {p.pk: p for p in people}
    tasks = tasks_for(user=user, subjects=(SUBJECT,), limit=1000)
    missing = {o.subject_id for o in tasks.shown} - set(people)
    if missing:
        people.update({p.pk: p for p in persons_visible(user).filter(pk__in=missing)})
    result = Round()
    for bucket, rows in (
        (tasks.overdue, result.overdue),
        (tasks.today, result.today),
        (tasks.week, result.week),
    ):
        rows.extend((people[o.subject_id], o) for o in bucket)
    tasked = {o.subject_id for o in tasks.shown}
    rest = [p for pk, p in people.items() if pk not in tasked]
    dues = next_dues(rest)
    now = clock.now()
    result.later = sorted(
        ((p, dues.get(p.pk)) for p in rest), key=lambda r: (r[1] is None, r[1].due_at if r[1] else now)
    )
    return result


def collaborators_covering(person: AtRiskPerson) -> list[User]:
    """The collaborators who cover her village today, to whom the commune may give her."""
    if person.village_id is None:
        return []
    today = clock.localdate(clock.now())
    return [
        c.collaborator
        for c in Coverage.objects.in_force(today)
        .filter(village_id=person.village_id)
        .select_related("collaborator")
    ]


# --- Coverage -------------------------------------------------------------------------------------


def _area_memberships(user: User) -> list[Membership]:
    """The user's area-level prevention roles (the commune, the province): they see coverage."""
    return [m for m in granting(user, Verb.PREVENTION_VIEW) if POLICY[Role(m.role)].scope is Scope.AREA]


def managed_communes(user: User) -> list[Area]:
    """The communes whose villages and collaborators the user sees (and, as officer, manages)."""
    communes = {
        m.organisation.area for m in _area_memberships(user) if m.organisation.area.level == "commune"
    }
    return sorted(communes, key=lambda a: a.name)


def can_manage(user: User, commune: Area) -> bool:
    return any(
        m.organisation.area_id in (commune.pk, commune.parent_id)
        for m in granting(user, Verb.PREVENTION_MANAGE)
    )


@dataclass
class VillageRow:
    village: Village
    collaborators: list
    people: int


@dataclass
class CollaboratorRow:
    user: User
    villages: list
    caseload: int

    @property
    def overloaded(self) -> bool:
        return self.caseload > schedule.CASELOAD_LIMIT


@dataclass
class CommuneCoverage:
    commune: Area
    villages: list[VillageRow]
    collaborators: list[CollaboratorRow]
    unassigned: int

    @property
    def uncovered(self) -> list[VillageRow]:
        return [v for v in self.villages if not v.collaborators]

    @property
    def overloaded(self) -> list[CollaboratorRow]:
        return [c for c in self.collaborators if c.overloaded]


def coverage_of(commune: Area) -> CommuneCoverage:
    """Who covers each village of the commune, the villages nobody covers, and each collaborator's
    caseload (open records) against the limit."""
    today = clock.localdate(clock.now())
    villages = list(Village.objects.filter(commune=commune, is_active=True).order_by("name"))
    active = list(
        Coverage.objects.in_force(today)
        .filter(village__commune=commune)
        .select_related("collaborator", "village")
    )
    open_people = AtRiskPerson.objects.filter(commune=commune, state__in=OPEN_STATES)
    per_village = dict(open_people.values_list("village").annotate(n=Count("pk")))
    load = dict(
        AtRiskPerson.objects.filter(state__in=OPEN_STATES, collaborator__isnull=False)
        .filter(collaborator__in={c.collaborator_id for c in active})
        .values_list("collaborator")
        .annotate(n=Count("pk"))
    )
    rows = [
        VillageRow(v, [c for c in active if c.village_id == v.pk], per_village.get(v.pk, 0)) for v in villages
    ]
    collaborators: dict[int, CollaboratorRow] = {}
    for c in active:
        row = collaborators.setdefault(
            c.collaborator_id, CollaboratorRow(c.collaborator, [], load.get(c.collaborator_id, 0))
        )
        row.villages.append(c.village)
    # Collaborators of the commune who cover nothing yet are listed too, so they can be given a village.
    for m in (
        Membership.objects.active()
        .filter(role=Role.SOCIAL_COLLABORATOR, organisation__area=commune)
        .select_related("user")
    ):
        collaborators.setdefault(m.user_id, CollaboratorRow(m.user, [], load.get(m.user_id, 0)))
    return CommuneCoverage(
        commune=commune,
        villages=rows,
        collaborators=sorted(collaborators.values(), key=lambda r: r.user.get_full_name() or r.user.username),
        unassigned=open_people.filter(collaborator__isnull=True).count(),
    )


@dataclass
class CommuneRow:
    commune: Area
    villages: int = 0
    uncovered: int = 0
    collaborators: int = 0
    overloaded: int = 0
    without_collaborator: int = 0

    @property
    def name(self) -> str:
        return self.commune.name


def provinces_seen(user: User) -> list[Area]:
    return [m.organisation.area for m in _area_memberships(user) if m.organisation.area.level == "province"]


def may_see_coverage(user: User, commune: Area) -> bool:
    return commune in managed_communes(user) or commune.parent in provinces_seen(user)


def coverage_of_province(province: Area) -> list[CommuneRow]:
    """For the province: per commune, the villages with nobody, the collaborators with too many people
    and the people at risk without a collaborator (only communes with villages or people at risk)."""
    today = clock.localdate(clock.now())
    rows: dict[int, CommuneRow] = {}

    def row(commune_id: int) -> CommuneRow:
        return rows.setdefault(commune_id, CommuneRow(commune_id))

    villages = Village.objects.filter(commune__parent=province, is_active=True)
    active = Coverage.objects.in_force(today)
    covered = dict(
        villages.filter(pk__in=active.values("village")).values_list("commune").annotate(n=Count("pk"))
    )
    for commune_id, n in villages.values_list("commune").annotate(n=Count("pk")):
        row(commune_id).villages = n
        row(commune_id).uncovered = n - covered.get(commune_id, 0)
    collaborators = (
        Membership.objects.active()
        .filter(role=Role.SOCIAL_COLLABORATOR, organisation__area__parent=province)
        .values_list("organisation__area")
        .annotate(n=Count("user", distinct=True))
    )
    for commune_id, n in collaborators:
        row(commune_id).collaborators = n
    open_people = AtRiskPerson.objects.filter(commune__parent=province, state__in=OPEN_STATES)
    loads = (
        open_people.filter(collaborator__isnull=False)
        .values_list("commune", "collaborator")
        .annotate(n=Count("pk"))
    )
    for commune_id, _collaborator, n in loads:
        if n > schedule.CASELOAD_LIMIT:
            row(commune_id).overloaded += 1
    alone = open_people.filter(collaborator__isnull=True).values_list("commune").annotate(n=Count("pk"))
    for commune_id, n in alone:
        row(commune_id).without_collaborator = n
    communes = Area.objects.in_bulk(list(rows))
    for r in rows.values():
        r.commune = communes[r.commune]
    return sorted(
        rows.values(), key=lambda r: (-(r.uncovered + r.overloaded + r.without_collaborator), r.name)
    )


# --- Figures --------------------------------------------------------------------------------------


@dataclass
class Figures:
    area: Area | None
    at_risk: disclosure.Count
    high_risk_without_collaborator: disclosure.Count
    visits: disclosure.Count
    visits_on_time: disclosure.Count
    births: disclosure.Count
    kept_with_family: disclosure.Count
    abandoned: disclosure.Count
    papers_on_time: disclosure.Count
    rows: list = field(default_factory=list)

    @property
    def on_time_share(self) -> str:
        if self.visits.suppressed or self.visits_on_time.suppressed or not self.visits.value:
            return "—"
        return f"{100 * self.visits_on_time.value / self.visits.value:.0f} %"


def _scope(user: User):
    """The widest area the user may count (None for the nation)."""
    area, _children = aggregate_reach(user)
    if area is False:
        raise NotVisible
    return area


def _people_in(area: Area | None):
    q = AtRiskPerson.objects.all()  # counts only: figures never carry a person's identity
    if area is None:
        return q
    return q.filter(commune=area) if area.level == "commune" else q.filter(commune__parent=area)


def figures_for(user: User, area: Area | None = None) -> Figures:
    """People at risk, follow-up on time and outcomes for the user's area, with one row per commune (for
    a province) or per province (for the nation). Exact for those who may see the prevention register
    of the whole area; anyone else gets the same figures protected by the one disclosure policy
    (reports/disclosure.py): small counts hidden, and no hidden count recoverable from the others."""
    widest = _scope(user)
    if area is None:
        area = widest
    elif widest is not None and not (area.pk == widest.pk or area.parent_id == widest.pk):
        raise NotVisible
    people = _people_in(area)
    grid = _summary(people)
    if area is None:
        children = Area.objects.filter(level="province").order_by("name")
        key = "commune__parent"
    elif area.level == "province":
        children = Area.objects.filter(parent=area).order_by("name")
        key = "commune"
    else:
        children, key = Area.objects.none(), ""
    shown_rows = []
    if key:
        open_by = dict(people.filter(state__in=OPEN_STATES).values_list(key).annotate(n=Count("pk")))
        births_by = dict(people.filter(outcome=Outcome.LIVE_BIRTH).values_list(key).annotate(n=Count("pk")))
        kept_by = dict(
            people.filter(outcome=Outcome.LIVE_BIRTH, kept_with_family=True)
            .values_list(key)
            .annotate(n=Count("pk"))
        )
        shown_rows = [c for c in children if open_by.get(c.pk) or births_by.get(c.pk)]
        # The areas add up to the summary; a birth is kept with the family or not.
        for column, by in (("at_risk", open_by), ("births", births_by), ("kept", kept_by)):
            grid.add_sum(column, [(c.pk, column) for c in shown_rows])
            for c in shown_rows:
                grid.cell((c.pk, column), by.get(c.pk, 0))
        for c in shown_rows:
            grid.cell((c.pk, "not_kept"), births_by.get(c.pk, 0) - kept_by.get(c.pk, 0))
            grid.add_sum((c.pk, "births"), [(c.pk, "kept"), (c.pk, "not_kept")])
    cells = disclosure.shown(grid, exact=sees_all_in(user, Verb.PREVENTION_VIEW, area))
    figures = Figures(
        area=area,
        at_risk=cells["at_risk"],
        high_risk_without_collaborator=cells["without"],
        visits=cells["visits"],
        visits_on_time=cells["on_time"],
        births=cells["births"],
        kept_with_family=cells["kept"],
        abandoned=cells["abandoned"],
        papers_on_time=cells["papers"],
        rows=[
            (c, cells[(c.pk, "at_risk")], cells[(c.pk, "births")], cells[(c.pk, "kept")]) for c in shown_rows
        ],
    )
    record(actor=user, action="prevention.figures", data={"area": area.pk if area else None})
    return figures


def _summary(people) -> disclosure.Grid:
    """The area's counts, and the sums between them: the parts a reader could subtract are cells too
    (those with a collaborator, visits made late, births neither kept nor abandoned)."""
    # Every contact clock that has come due, met or missed; on time: met by its deadline.
    now = clock.now()
    clocks = Obligation.objects.filter(
        subject_type=SUBJECT, subject_id__in=people.values("pk"), rule__in=workflow.VISIT_CLOCKS
    )
    births = people.filter(outcome=Outcome.LIVE_BIRTH)
    counts = {
        "at_risk": people.filter(state__in=OPEN_STATES).count(),
        "without": people.filter(state__in=OPEN_STATES, collaborator__isnull=True).count(),
        "visits": clocks.filter(Q(due_at__lt=now) | Q(status=Status.MET))
        .exclude(status=Status.CANCELLED)
        .count(),
        "on_time": clocks.filter(status=Status.MET, closed_at__lte=F("due_at")).count(),
        "births": births.count(),
        "kept": births.filter(kept_with_family=True).count(),
        "abandoned": births.filter(Q(foundling_case__isnull=False) | Q(kept_with_family=False)).count(),
        "papers": births.filter(
            birth_registered_on__isnull=False,
            residence_registered_on__isnull=False,
            insurance_issued_on__isnull=False,
            insurance_issued_on__lte=F("outcome_on") + schedule.PAPERS_WITHIN,
            birth_registered_on__lte=F("outcome_on") + schedule.PAPERS_WITHIN,
            residence_registered_on__lte=F("outcome_on") + schedule.PAPERS_WITHIN,
        ).count(),
    }
    counts["with"] = counts["at_risk"] - counts["without"]
    counts["late"] = counts["visits"] - counts["on_time"]
    counts["other"] = counts["births"] - counts["kept"] - counts["abandoned"]
    counts["papers_late"] = counts["births"] - counts["papers"]
    grid = disclosure.Grid()
    for key, value in counts.items():
        grid.cell(key, value)
    grid.add_sum("at_risk", ["with", "without"])
    grid.add_sum("visits", ["on_time", "late"])
    grid.add_sum("births", ["kept", "abandoned", "other"])
    grid.add_sum("births", ["papers", "papers_late"])
    return grid


def can_see_figures(user: User) -> bool:
    return can(user, Verb.AGGREGATE_VIEW)
