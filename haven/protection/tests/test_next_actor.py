"""The next person is told and can act (walkthrough D14; Law on Children art. 52): once the plan is
drafted, approving it is the chairman's step, on his task list whatever its deadline and in the inbox,
and he approves a plan he can read. Refused: the officer is not given the chairman's step, and the
chairman is not given an approval before there is a plan to approve."""

from __future__ import annotations

import datetime as dt

from haven.deadlines.selectors import tasks_for
from haven.notifications.models import Notification
from haven.protection import services
from haven.protection.tests.test_case import LOW, SPECIFIC, report

# The plan runs from tomorrow: its dates lie on the case's timeline (after the report).
START = dt.date.today() + dt.timedelta(days=1)
PLAN = {
    "objectives": "Trẻ được an toàn tại nhà bà ngoại",
    "measures": "Tư vấn tâm lý tại trạm y tế, 2 tuần một lần",
    "start": START.isoformat(),
    "end": (START + dt.timedelta(days=92)).isoformat(),
}


def assessed(world):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Đã gặp trường", "emergency": False}
    )
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    return case


def approval_tasks(user):
    return [o for o in tasks_for(user=user).shown if o.rule == "protection.approval"]


def test_the_chairman_is_told_and_given_the_approval_as_soon_as_the_plan_is_drafted(world, client, frozen):
    case = assessed(world)
    frozen.advance(days=5)  # the approval's deadline is now inside the week, but there is no plan yet
    assert approval_tasks(world.chairman_a) == []

    services.protection_draft_plan(actor=world.officer_a, case=case, data=PLAN)
    [task] = approval_tasks(world.chairman_a)
    assert task.subject_id == case.pk
    assert approval_tasks(world.officer_a) == []  # the officer cannot approve: not his task
    told = Notification.objects.get(kind="protection.draft_plan")
    assert told.organisation == world.orgs["committee_a"] and told.link == f"/protection/{case.pk}/"
    client.force_login(world.chairman_a)
    assert f'data-task="{task.pk}" href="/protection/{case.pk}/"' in client.get("/").content.decode()
    assert told.link in client.get("/inbox/").content.decode()


def test_the_approval_is_his_task_even_when_its_deadline_is_beyond_the_week(world, frozen):
    case = assessed(world)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=PLAN)
    [task] = approval_tasks(world.chairman_a)
    # 7 working days from acceptance: more than a week away, yet the plan waits for him alone.
    assert task.due_at > frozen.at + dt.timedelta(days=7)
    assert task in tasks_for(user=world.chairman_a).later


def test_the_approval_page_shows_the_plan_being_approved(world, client, frozen):
    case = assessed(world)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=PLAN)
    client.force_login(world.chairman_a)
    page = client.get(f"/protection/{case.pk}/approve_plan/").content.decode()
    for written in (
        PLAN["objectives"],
        PLAN["measures"],
        START.strftime("%d/%m/%Y"),
        (START + dt.timedelta(days=92)).strftime("%d/%m/%Y"),
        str(world.officer_a),
    ):
        assert written in page, written
