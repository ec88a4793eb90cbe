"""The steps a user can take, through the API: the same as the home page lists, in the same groups."""

from __future__ import annotations

import re

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.foundlings.tests.test_pathway import report


def test_the_api_lists_the_same_tasks_as_the_home_page(world, client, frozen):
    case = report(world, frozen)
    frozen.advance(hours=3)  # the commune's acknowledgement is now overdue
    body = ApiClient(world.officer_a).get("/tasks").json()
    client.force_login(world.officer_a)
    home = client.get("/").content.decode()
    listed = {item["id"] for group in ("overdue", "today", "week", "later") for item in body[group]["items"]}
    assert listed == set(re.findall(r'data-task="([0-9a-f-]+)"', home))
    assert [t["subject_id"] for t in body["overdue"]["items"]] == [str(case.pk)]
    assert body["overdue"]["total"] == 1
    event = AuditEvent.objects.filter(action="child.list").latest("seq")
    assert event.data["shown"] == [str(case.child_id)]


def test_someone_with_no_role_is_refused_the_tasks(world, frozen):
    report(world, frozen)
    response = ApiClient(world.nobody).get("/tasks")
    assert response.status_code == 403 and response.json()["code"] == "no_role"
