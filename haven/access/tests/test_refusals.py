"""A refused attempt to reach a child leaves an audit event; the person still sees only a 404.

Refused here: commune B's officer asking for a child of commune A (page, export and API), the
analyst asking for a child's page (a role without the verb), and anyone asking for a child that
does not exist. Each leaves ``access.denied`` with the actor and the address, on the child's own
record when the child exists, so that the commune reading its access log sees who tried.
"""

from __future__ import annotations

import uuid

from django.test import Client

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent


def refusals(user):
    return AuditEvent.objects.filter(action="access.denied", actor=user).order_by("seq")


def test_each_refused_request_for_a_child_out_of_reach_is_audited(world):
    child = world.child(commune=world.commune_a)
    client = Client()
    client.force_login(world.officer_b)
    assert client.get(f"/children/{child.pk}/").status_code == 404
    assert client.get(f"/children/{child.pk}/export.json?as=attachment").status_code == 404
    assert ApiClient(world.officer_b).get(f"/children/{child.pk}").status_code == 404
    events = list(refusals(world.officer_b))
    assert [e.data["path"] for e in events] == [
        f"/children/{child.pk}/",
        f"/children/{child.pk}/export.json",  # never the query string
        f"/api/v1/children/{child.pk}",
    ]
    assert all(e.child_id == child.pk and e.data["ids"] == {"child_id": str(child.pk)} for e in events)


def test_a_role_without_the_verb_is_audited_too(world):
    child = world.child(commune=world.commune_a)
    client = Client()
    client.force_login(world.analyst)
    assert client.get(f"/children/{child.pk}/").status_code == 404
    assert refusals(world.analyst).get().child_id == child.pk


def test_a_child_that_does_not_exist_is_audited_the_same(world):
    missing = uuid.UUID(int=7, version=4)
    assert ApiClient(world.officer_a).get(f"/children/{missing}").status_code == 404
    assert refusals(world.officer_a).get().child_id == missing


def test_a_child_in_reach_leaves_no_refusal(world):
    child = world.child(commune=world.commune_a)
    client = Client()
    client.force_login(world.officer_a)
    assert client.get(f"/children/{child.pk}/").status_code == 200
    assert ApiClient(world.officer_a).get(f"/children/{child.pk}").status_code == 200
    assert not refusals(world.officer_a).exists()
