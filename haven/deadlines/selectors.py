"""Everyone's task list, and a supervisor's view of the team, read from stored obligations (never
rebuilt in memory).

Both read one range of ``obligation_tasks_idx`` (responsible, status, due_at) per organisation, up to
the end of the week (the task list also reads, beyond it, the steps that wait for the user alone):
each group's rows are ranked by a window function and cut at ``limit`` in the
database, and each group's full counts come from the same pass, so a commune with thousands of open
steps costs one index range scan (docs/performance.md, "The task list at national scale").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, Subquery, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from haven.access.policy import Verb
from haven.access.scoping import can, granting, memberships
from haven.accounts.models import Organisation, User
from haven.areas.models import Area, Level
from haven.core import calendar, clock
from haven.deadlines.duties import DUTIES
from haven.deadlines.models import Obligation, Status
from haven.deadlines.subjects import case_workers

HORIZON = dt.timedelta(days=7)
# The urgency groups, in the order a list shows them. LATER: a step the user can take now whose
# deadline is further than the horizon (haven/deadlines/duties.py, ``early``).
OVERDUE, TODAY, WEEK, LATER = 0, 1, 2, 3


class Bucket(list):
    """The most urgent obligations of one group (at most the limit), and how many it holds in all."""

    def __init__(self, rows=(), total: int = 0) -> None:
        super().__init__(rows)
        self.total = total

    @property
    def more(self) -> int:
        return self.total - len(self)


@dataclass
class Tasks:
    overdue: Bucket
    today: Bucket
    week: Bucket
    later: Bucket = field(default_factory=Bucket)
    # The user heads a team (Verb.DEADLINE_TEAM): the home page links to its view.
    supervises: bool = False

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.week or self.later)

    @property
    def shown(self) -> list[Obligation]:
        return [*self.overdue, *self.today, *self.week, *self.later]

    @property
    def total(self) -> int:
        return self.overdue.total + self.today.total + self.week.total + self.later.total


@dataclass(frozen=True)
class Moments:
    """The moments that split open obligations into the three groups."""

    now: dt.datetime
    end_of_today: dt.datetime  # midnight in Vietnam, whatever the server's zone
    horizon: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime) -> Moments:
        local = now.astimezone(calendar.VIETNAM)
        end_of_today = dt.datetime.combine(
            local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=calendar.VIETNAM
        )
        return cls(now=now, end_of_today=end_of_today, horizon=now + HORIZON)

    def urgency(self) -> Case:
        return Case(
            When(due_at__lt=self.now, then=Value(OVERDUE)),
            When(due_at__lt=self.end_of_today, then=Value(TODAY)),
            When(due_at__lt=self.horizon, then=Value(WEEK)),
            default=Value(LATER),
            output_field=IntegerField(),
        )


MOST_URGENT_FIRST = [F("due_at").asc(), F("id").asc()]


def _any(clauses: list[Q]) -> Q:
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def theirs(user: User, moments: Moments, subjects: tuple[str, ...] | None = None) -> Q | None:
    """The open steps ``user`` can take (haven/deadlines/duties.py): a duty of a role they hold in the
    organisation that answers for the step, or a step of a subject given to them by name; only once
    the case waits for it (its ``ready`` states); within the horizon unless the case waits for them
    alone (``early``). ``subjects`` narrows to the model labels of one module. None: nothing.

    Shaped for ``obligation_tasks_idx`` (responsible, status, due_at): the steps taken through an
    organisation form one branch led by the user's organisations and the end of the horizon (one
    range of the index per organisation), those that wait for the user alone beyond the horizon a
    second, and the steps of subjects given by name the rest."""
    held = memberships(user)
    groups: dict[tuple, list[str]] = {}
    for duty in DUTIES.values():
        if subjects is not None and duty.subject not in subjects:
            continue
        organisations = tuple(sorted({m.organisation_id for m in held if m.role in duty.roles}))
        assigned = bool(duty.assignee) and any(m.role in duty.assigned_roles for m in held)
        if not organisations and not assigned:
            continue
        key = (duty.subject, duty.ready, duty.early, organisations, duty.assignee if assigned else "")
        groups.setdefault(key, []).append(duty.rule)
    through: list[tuple[tuple[int, ...], bool, str, Q]] = []  # (organisations, early, subject, steps)
    by_name: list[Q] = []
    for (subject, ready, early, organisations, assignee), rules in groups.items():
        duty = DUTIES[rules[0]]
        what = Q(rule__in=sorted(rules))
        if ready is not None:
            what &= duty.subjects(state__in=sorted(ready))
        if organisations:
            through.append((organisations, early, subject, what))
        if assignee:
            named = Q(subject_type=subject) & what & duty.subjects(**{assignee: user})
            by_name.append(named if early else named & Q(due_at__lt=moments.horizon))
    branches = [
        _through(through, Q(due_at__lt=moments.horizon)),
        _through([c for c in through if c[1]], Q(due_at__gte=moments.horizon)),
        *by_name,
    ]
    branches = [b for b in branches if b is not None]
    return _any(branches) if branches else None


def _through(clauses: list[tuple[tuple[int, ...], bool, str, Q]], when: Q) -> Q | None:
    """Steps taken through an organisation, led by all the clauses' organisations and ``when`` (so
    the planner reads one range of the tasks index per organisation); a clause keeps its own
    organisations when they are fewer. An OR of clauses that each name their organisations led
    PostgreSQL to read the index once per clause, or not at all (docs/performance.md)."""
    if not clauses:
        return None
    every = sorted({o for organisations, _, _, _ in clauses for o in organisations})
    steps: dict[str, list[Q]] = {}
    for organisations, _, subject, what in clauses:
        if len(organisations) < len(every):
            what = Q(responsible_id__in=organisations) & what
        steps.setdefault(subject, []).append(what)
    return (
        Q(responsible_id__in=every)
        & when
        & _any([Q(subject_type=subject) & _any(whats) for subject, whats in steps.items()])
    )


def task_rows(*, user: User, limit: int, moments: Moments, subjects: tuple[str, ...] | None = None):
    """The query behind ``tasks_for``: at most ``limit`` rows of each urgency group, each carrying
    its group (``urgency``) and the group's full count (``total``)."""
    mine = theirs(user, moments, subjects)
    if mine is None:
        return Obligation.objects.none()
    urgency = moments.urgency()
    return (
        Obligation.objects.visible_to(user)
        .filter(mine, status=Status.OPEN)
        .annotate(
            urgency=urgency,
            rank=Window(RowNumber(), partition_by=[urgency], order_by=MOST_URGENT_FIRST),
            total=Window(Count("pk"), partition_by=[urgency]),
        )
        .filter(rank__lte=limit)
        .select_related("child", "responsible")
        .order_by("due_at", "id")
    )


def tasks_for(*, user: User, limit: int = 50, subjects: tuple[str, ...] | None = None) -> Tasks:
    """The steps the user can take (``theirs``): overdue (most overdue first), due today, due in the
    next 7 days, and those waiting for them alone whose deadline is later; at most ``limit`` of each,
    with each group's full count. The obligations of a child the user can no longer see are not
    listed. ``subjects`` (model labels) gives one module's share, so that a module's list and the home
    page agree. One query (after the user's memberships)."""
    rows = task_rows(user=user, limit=limit, moments=Moments.at(clock.now()), subjects=subjects)
    groups = {OVERDUE: Bucket(), TODAY: Bucket(), WEEK: Bucket(), LATER: Bucket()}
    for o in rows:
        bucket = groups[o.urgency]
        bucket.append(o)
        bucket.total = o.total
    return Tasks(
        overdue=groups[OVERDUE],
        today=groups[TODAY],
        week=groups[WEEK],
        later=groups[LATER],
        supervises=can(user, Verb.DEADLINE_TEAM),
    )


# The supervisor's view of the team.


@dataclass
class TeamGroup:
    """One case worker's open steps in one organisation (or the steps no case worker holds)."""

    organisation: Organisation
    worker_id: int | None
    worker: User | None = None
    overdue: int = 0
    today: int = 0
    week: int = 0
    items: list[Obligation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.week

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class TeamOrganisation:
    organisation: Organisation
    groups: list[TeamGroup] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(g.overdue for g in self.groups)

    @property
    def today(self) -> int:
        return sum(g.today for g in self.groups)

    @property
    def week(self) -> int:
        return sum(g.week for g in self.groups)


@dataclass
class Team:
    organisations: list[TeamOrganisation]
    limit: int

    @property
    def shown(self) -> list[Obligation]:
        return [o for org in self.organisations for g in org.groups for o in g.items]

    @property
    def empty(self) -> bool:
        return not self.organisations


def supervised(user: User) -> Q | None:
    """The obligations of the organisations ``user`` heads — for a head at province level (the
    provincial Department of Health), also those of every organisation of the province. None when
    the user heads nothing."""
    heads = granting(user, Verb.DEADLINE_TEAM)
    if not heads:
        return None
    headed = sorted({m.organisation_id for m in heads})
    provinces = sorted({m.organisation.area_id for m in heads if m.organisation.area.level == Level.PROVINCE})
    if not provinces:
        return Q(responsible_id__in=headed)
    # One subquery, not an OR of two: the planner then reads the tasks index once per organisation.
    organisations = Organisation.objects.filter(
        Q(pk__in=headed) | Q(area_id__in=provinces) | Q(area__parent_id__in=provinces)
    ).values("pk")
    return Q(responsible_id__in=organisations)


def _case_worker():
    """The person who holds the case an obligation is about (each app tells the engine who that is
    for its subjects: deadlines/subjects.py); null for a subject without one."""
    whens = [When(subject_type=t, then=Subquery(worker())) for t, worker in case_workers().items()]
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def team_for(*, user: User, limit: int = 20, area: Area | None = None) -> Team:
    """The open obligations due within 7 days (overdue ones included) of the organisations ``user``
    heads, grouped by organisation and, for a subject with a case worker (a protection case), by case
    worker: each group's counts of
    overdue, due today and due in the next 7 days, and its ``limit`` most urgent steps. The most
    urgent group comes first. Reads start from ``visible_to(user)``.

    Three queries: the ranking, over narrow rows (a province has tens of thousands of steps due);
    the chosen obligations with their child and organisation; the case workers' names."""
    scope = supervised(user)
    if scope is None:
        return Team(organisations=[], limit=limit)
    if area is not None:
        # "Who is late" in one area, from a red cell of the scorecard: its organisations' steps.
        scope &= Q(responsible__area=area) | Q(responsible__area__parent=area)
    moments = Moments.at(clock.now())
    group = [F("responsible_id"), F("worker_id")]

    def count(q: Q) -> Window:
        return Window(Count("pk", filter=q), partition_by=group)

    ranked = list(
        Obligation.objects.visible_to(user)
        .filter(scope, status=Status.OPEN, due_at__lt=moments.horizon)
        .annotate(worker_id=_case_worker())
        .annotate(
            rank=Window(RowNumber(), partition_by=group, order_by=MOST_URGENT_FIRST),
            n_overdue=count(Q(due_at__lt=moments.now)),
            n_today=count(Q(due_at__gte=moments.now, due_at__lt=moments.end_of_today)),
            n_week=count(Q(due_at__gte=moments.end_of_today)),
        )
        .filter(rank__lte=limit)
        .values("pk", "worker_id", "n_overdue", "n_today", "n_week")
    )
    if not ranked:
        return Team(organisations=[], limit=limit)
    chosen = {r["pk"]: r for r in ranked}
    rows = (
        Obligation.objects.filter(pk__in=chosen)
        .annotate(urgency=moments.urgency())
        .select_related("child", "responsible")
        .order_by("due_at", "id")
    )
    organisations: dict[int, TeamOrganisation] = {}
    groups: dict[tuple[int, int | None], TeamGroup] = {}
    # Rows come most urgent first, so organisations and groups are created in order of urgency.
    for o in rows:
        r = chosen[o.pk]
        org = organisations.setdefault(o.responsible_id, TeamOrganisation(o.responsible))
        key = (o.responsible_id, r["worker_id"])
        if key not in groups:
            groups[key] = TeamGroup(
                organisation=o.responsible,
                worker_id=r["worker_id"],
                overdue=r["n_overdue"],
                today=r["n_today"],
                week=r["n_week"],
            )
            org.groups.append(groups[key])
        groups[key].items.append(o)
    workers = {g.worker_id for g in groups.values() if g.worker_id is not None}
    if workers:
        names = User.objects.only("username", "full_name").in_bulk(workers)
        for g in groups.values():
            g.worker = names.get(g.worker_id)
    return Team(organisations=list(organisations.values()), limit=limit)
