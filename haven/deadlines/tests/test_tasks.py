"""Everyone's task list and the supervisor's view of the team (issue #6, item 6): from stored
obligations, in three urgency groups, most overdue first, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.accounts.models import Membership
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.core.testing import IN_OFFICE_SINCE, member
from haven.deadlines.models import Obligation, Status
from haven.deadlines.selectors import Moments, task_rows, tasks_for, team_for
from haven.people.models import Child
from haven.protection.models import Channel, ProtectionCase, State

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
# The frozen clock reads Monday 09:00 in Hà Nội: "today" ends 15 hours later.


def owe(
    world,
    due: dt.timedelta,
    *,
    org: str = "committee_a",
    subject=None,
    child: Child | None = None,
    rule: str = "protection.plan",
    status: str = Status.OPEN,
) -> Obligation:
    """An obligation of ``org`` due ``due`` from now (negative: overdue), about ``subject`` — by
    default a protection case whose plan is being drafted, so that the step is the officer's to take
    now (haven/protection/tasks.py)."""
    if subject is None:
        subject = case(world, org=org, child=child, state=State.ASSESSING)
    now = clock.now()
    return Obligation.objects.create(
        rule=rule,
        child=getattr(subject, "child", subject),
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        responsible=world.orgs[org],
        opened_at=now - 20 * D,
        due_at=now + due,
        next_escalation_at=now + due if status == Status.OPEN else None,
        status=status,
    )


def case(world, worker=None, *, org: str = "committee_a", child=None, state=State.RECEIVED) -> ProtectionCase:
    child = child or world.child()
    return ProtectionCase.objects.create(
        state=state,
        child=child,
        received_at=clock.now() - 20 * D,
        channel=Channel.HOTLINE,
        incident_commune=child.current_commune,
        incident_place="Tổ 4",
        condition="Có vết bầm",
        likely_harm="Tiếp tục bị đánh",
        responsible=world.orgs[org],
        assigned_to=worker,
    )


def ids(rows) -> list:
    return [o.pk for o in rows]


# The task list of the home page.


def test_a_user_sees_the_steps_of_their_organisation_in_three_groups_most_urgent_first(world, frozen):
    late = owe(world, -2 * H)
    later = owe(world, -3 * D)  # the most overdue comes first
    today = owe(world, 7 * H)  # 16:00 today
    tonight = owe(world, 14 * H)
    tomorrow = owe(world, 16 * H)  # 01:00 on Tuesday: tomorrow, not today
    friday = owe(world, 4 * D)
    owe(world, 8 * D)  # beyond the week
    owe(world, -D, status=Status.MET)
    owe(world, -D, org="committee_b")  # another commune's
    owe(world, -D, org="police_a")  # another organisation of the same commune

    tasks = tasks_for(user=world.officer_a)

    assert ids(tasks.overdue) == [later.pk, late.pk]
    assert ids(tasks.today) == [today.pk, tonight.pk]
    assert ids(tasks.week) == [tomorrow.pk, friday.pk]
    assert (tasks.overdue.total, tasks.today.total, tasks.week.total) == (2, 2, 2)
    assert not tasks.supervises


def test_another_communes_steps_are_absent(world, frozen):
    theirs = owe(world, -D, org="committee_b", child=world.child(commune=world.commune_b))
    mine = owe(world, -D)

    assert ids(tasks_for(user=world.officer_b).shown) == [theirs.pk]
    assert ids(tasks_for(user=world.officer_a).shown) == [mine.pk]
    assert tasks_for(user=world.police_a).empty  # the commune police owe nothing here


def test_the_step_of_a_child_the_user_can_no_longer_see_is_not_listed(world, frozen):
    moved = world.child(commune=world.commune_b)  # lives in commune B, nothing links them to A
    owe(world, -D, child=moved)
    assert tasks_for(user=world.officer_a).empty


def test_each_group_is_cut_at_the_limit_but_counted_in_full(world, frozen):
    overdue = [owe(world, -(k + 1) * H) for k in range(8)]
    today = owe(world, 2 * H)
    week = owe(world, 2 * D)

    tasks = tasks_for(user=world.officer_a, limit=3)

    # Many overdue steps do not push today's and this week's off the page.
    assert ids(tasks.overdue) == [o.pk for o in reversed(overdue)][:3]
    assert (tasks.overdue.total, tasks.overdue.more) == (8, 5)
    assert ids(tasks.today) == [today.pk] and ids(tasks.week) == [week.pk]


def test_the_home_page_shows_the_groups_and_records_the_children_shown(world, client, frozen):
    overdue = [owe(world, -(k + 1) * H) for k in range(3)]
    client.force_login(world.officer_a)
    page = client.get("/").content.decode()
    assert str(overdue[0].child) in page and "/deadlines/team/" not in page
    listed = [e.data for e in AuditEvent.objects.filter(action="child.list")]
    assert {"shown": sorted(str(o.child_id) for o in overdue), "view": "tasks"} in listed


def home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_the_task_list_is_one_query_however_many_steps_are_open(world, client, frozen):
    for k in range(3):
        owe(world, (k - 1) * D)
    tasks_for(user=world.officer_a)  # the memberships are read once and kept on the user
    with CaptureQueriesContext(connection) as captured:
        tasks = tasks_for(user=world.officer_a)
        [(o.child.given_name, o.responsible.name, o.title) for o in tasks.shown]  # no N+1
    assert len(captured) == 1, [q["sql"] for q in captured]

    few = home_queries(client, world.officer_a)
    for k in range(30):
        owe(world, (k % 9 - 3) * D)
    assert home_queries(client, world.officer_a) == few


def explain(queryset) -> str:
    """The plan of a query (QuerySet.explain() breaks on a query filtered on a window function)."""
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Without statistics the planner picks any index, or none. (Sequential scans stay allowed:
            # forbidding them adds a huge cost to every plan whose subqueries read a small table, and
            # PostgreSQL then deems all plans equal, within its 1 % fuzz, and picks any index.)
            cursor.execute("ANALYZE")
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_task_list_reads_the_tasks_index(world, frozen):
    # As in a nation: most open steps belong to other communes' organisations, and most of a busy
    # commune's own are due beyond the week, which the index skips.
    now = clock.now()
    children = {
        org: world.child(commune=commune)
        for org, commune in (("committee_a", world.commune_a), ("committee_b", world.commune_b))
    }
    Obligation.objects.bulk_create(
        Obligation(
            rule="protection.review",
            child=children[org],
            subject_type="people.child",
            subject_id=children[org].pk,
            responsible=world.orgs[org],
            opened_at=now,
            due_at=now + (8 + k % 80) * D,
            next_escalation_at=now + (8 + k % 80) * D,
        )
        for k in range(4000)
        for org in ["committee_a" if k % 20 == 0 else "committee_b"]
    )
    owe(world, -D)
    # The officer and the chairman both take some steps that wait for them alone, whatever the week.
    for user in (world.officer_a, world.chairman_a):
        plan = explain(task_rows(user=user, limit=50, moments=Moments.at(clock.now())))
        assert "obligation_tasks_idx" in plan, plan


def test_each_role_takes_its_steps_in_its_own_organisation_only(world, frozen):
    # Officer in commune A and chairman of commune B: the query leads with both organisations, but
    # drafting a plan stays hers in A only, approving one in B only (early: whatever its deadline).
    both = member("officer_a_chair_b", world.orgs["committee_a"], "commune_officer")
    Membership.objects.create(
        user=both, organisation=world.orgs["committee_b"], role="commune_chairman", valid_from=IN_OFFICE_SINCE
    )
    child_b = world.child(commune=world.commune_b)

    def step(org, state, rule, due):
        subject = case(world, org=org, state=state, child=child_b if org == "committee_b" else None)
        return owe(world, due, org=org, subject=subject, rule=rule)

    draft_a = step("committee_a", State.ASSESSING, "protection.plan", 2 * D)
    step("committee_a", State.ASSESSING, "protection.plan", 10 * D)  # beyond the week
    step("committee_b", State.ASSESSING, "protection.plan", 2 * D)  # not the officer of B
    approve_b = step("committee_b", State.PLAN_DRAFTED, "protection.approval", 10 * D)
    step("committee_a", State.PLAN_DRAFTED, "protection.approval", 10 * D)  # not the chairman of A

    tasks = tasks_for(user=both)
    assert (ids(tasks.week), ids(tasks.later)) == ([draft_a.pk], [approve_b.pk])
    assert tasks.total == 2


# The supervisor's view of the team.


@pytest.fixture
def team(world, frozen):
    """Two case workers of commune A with their protection cases, and a foundling's step."""
    world.users["officer_a2"] = member("officer_a2", world.orgs["committee_a"], "commune_officer")
    mine, theirs = case(world, world.officer_a), case(world, world.officer_a2)
    return {
        "a_late": owe(world, -2 * D, subject=mine, rule="protection.plan"),
        "a_today": owe(world, 3 * H, subject=mine, rule="protection.approval"),
        "a2_week": owe(world, 3 * D, subject=theirs),
        "a2_late": owe(world, -H, subject=theirs, rule="protection.emergency"),
        "unassigned": owe(world, -5 * D, subject=case(world)),
        "foundling": owe(world, D, rule="foundling.acknowledge"),
        "b": owe(world, -D, org="committee_b", child=world.child(commune=world.commune_b)),
        "other_province": owe(
            world, -D, org="health_other", child=world.child(commune=world.other_province.children.first())
        ),
    }


def test_the_team_view_is_refused_to_those_who_head_nothing(world, client, team):
    for user in (world.officer_a, world.police_a, world.hospital_sw, world.caregiver_b, world.hotline):
        client.force_login(user)
        assert client.get("/deadlines/team/").status_code == 404
        assert team_for(user=user).empty


def test_the_chairman_sees_the_team_by_case_worker_most_overdue_first(world, client, team):
    client.force_login(world.chairman_a)
    assert "/deadlines/team/" in client.get("/").content.decode()
    response = client.get("/deadlines/team/")
    assert response.status_code == 200
    shown = response.context["team"]

    [commune] = shown.organisations
    assert commune.organisation == world.orgs["committee_a"]
    groups = {g.worker.username if g.worker else None: g for g in commune.groups}
    # The group with the most overdue step first: the unassigned case, 5 days late.
    assert [g.worker_id for g in commune.groups] == [None, world.officer_a.pk, world.officer_a2.pk]
    a, a2, nobody = groups["officer_a"], groups["officer_a2"], groups[None]
    assert ids(a.items) == [team["a_late"].pk, team["a_today"].pk]
    assert (a.overdue, a.today, a.week) == (1, 1, 0)
    assert ids(a2.items) == [team["a2_late"].pk, team["a2_week"].pk]
    assert (a2.overdue, a2.today, a2.week) == (1, 0, 1)
    assert ids(nobody.items) == [team["unassigned"].pk, team["foundling"].pk]
    assert (commune.overdue, commune.today, commune.week) == (3, 1, 2)

    page = response.content.decode()
    assert str(world.officer_a2) in page and str(team["a_late"].child) in page
    assert str(team["b"].child) not in page
    event = AuditEvent.objects.filter(action="child.list").latest("seq")
    assert event.data["view"] == "team"
    assert set(event.data["shown"]) == {str(o.child_id) for o in team.values()} - {
        str(team["b"].child_id),
        str(team["other_province"].child_id),
    }


def test_a_provincial_officer_sees_every_organisation_of_the_province(world, team):
    shown = team_for(user=world.provincial)
    assert {t.organisation.pk for t in shown.organisations} == {
        world.orgs["committee_a"].pk,
        world.orgs["committee_b"].pk,
    }
    assert team["b"].pk in ids(shown.shown) and team["other_province"].pk not in ids(shown.shown)
    # The commune B committee's single step comes after commune A's 5-day-late one.
    assert shown.organisations[0].organisation == world.orgs["committee_a"]


def test_a_facility_director_sees_the_steps_of_the_facility(world, team):
    placed = world.child(commune=world.commune_b)
    world.involve(placed, "facility_b")
    step = owe(world, -D, org="facility_b", child=placed, rule="foundling.care_plan")
    shown = team_for(user=world.facility_director)
    assert [t.organisation for t in shown.organisations] == [world.orgs["facility_b"]]
    assert ids(shown.shown) == [step.pk]


def test_the_team_view_cuts_each_group_at_the_limit(world, team):
    for k in range(4):
        owe(world, -(k + 10) * D, subject=ProtectionCase.objects.get(pk=team["a_late"].subject_id))
    shown = team_for(user=world.chairman_a, limit=2)
    a = next(g for g in shown.organisations[0].groups if g.worker_id == world.officer_a.pk)
    assert len(a.items) == 2 and (a.overdue, a.total, a.more) == (5, 6, 4)


def test_the_team_view_takes_a_bounded_number_of_queries(world, client, team):
    team_for(user=world.chairman_a)
    with CaptureQueriesContext(connection) as captured:
        shown = team_for(user=world.chairman_a)
        [
            (o.child.given_name, o.responsible.name, str(g.worker))
            for o in shown.shown
            for g in shown.organisations[0].groups
        ]
    # The ranking, the obligations shown, the case workers.
    assert len(captured) == 3, [q["sql"] for q in captured]

    client.force_login(world.chairman_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/deadlines/team/")
    for k in range(20):
        owe(world, (k % 9 - 3) * D, subject=case(world, world.officer_a if k % 2 else world.officer_a2))
    with CaptureQueriesContext(connection) as many:
        client.get("/deadlines/team/")
    assert len(many) == len(few)
