"""Everyone's task list, and a supervisor's view of the team, read from stored obligations (never
rebuilt in memory).

Both read one range of ``obligation_tasks_idx`` (responsible, status, due_at) per organisation, up to
the end of the week: each group's rows are ranked by a window function and cut at ``limit`` in the
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
from haven.areas.models import Level
from haven.core import calendar, clock
from haven.deadlines.models import Obligation, Status
from haven.deadlines.subjects import case_workers

HORIZON = dt.timedelta(days=7)
# The urgency groups, in the order a list shows them.
OVERDUE, TODAY, WEEK = 0, 1, 2


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
    # The user heads a team (Verb.DEADLINE_TEAM): the home page links to its view.
    supervises: bool = False

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.week)

    @property
    def shown(self) -> list[Obligation]:
        return [*self.overdue, *self.today, *self.week]


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
            default=Value(WEEK),
            output_field=IntegerField(),
        )


MOST_URGENT_FIRST = [F("due_at").asc(), F("id").asc()]


def task_rows(*, user: User, limit: int, moments: Moments):
    """The query behind ``tasks_for``: at most ``limit`` rows of each urgency group, each carrying
    its group (``urgency``) and the group's full count (``total``)."""
    organisations = sorted({m.organisation_id for m in memberships(user)})
    urgency = moments.urgency()
    return (
        Obligation.objects.visible_to(user)
        .filter(status=Status.OPEN, responsible_id__in=organisations, due_at__lt=moments.horizon)
        .annotate(
            urgency=urgency,
            rank=Window(RowNumber(), partition_by=[urgency], order_by=MOST_URGENT_FIRST),
            total=Window(Count("pk"), partition_by=[urgency]),
        )
        .filter(rank__lte=limit)
        .select_related("child", "responsible")
        .order_by("due_at", "id")
    )


def tasks_for(*, user: User, limit: int = 50) -> Tasks:
    """Open obligations of the user's organisations: overdue (most overdue first), due today, due in
    the next 7 days; at most ``limit`` of each, with each group's full count. The obligations of a
    child the user can no longer see are not listed. One query (after the user's memberships)."""
    rows = task_rows(user=user, limit=limit, moments=Moments.at(clock.now()))
    groups = {OVERDUE: Bucket(), TODAY: Bucket(), WEEK: Bucket()}
    for o in rows:
        bucket = groups[o.urgency]
        bucket.append(o)
        bucket.total = o.total
    return Tasks(
        overdue=groups[OVERDUE],
        today=groups[TODAY],
        week=groups[WEEK],
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


def team_for(*, user: User, limit: int = 20) -> Team:
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
