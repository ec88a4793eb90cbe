"""Data quality lists per commune: children without a PIN, records untouched for months, open cases
whose responsible organisation no longer acts — only children the reader may see, each list audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.people.models import Child
from haven.reports import quality

pytestmark = pytest.mark.django_db


def test_a_commune_lists_its_children_without_a_pin_and_its_stale_records(world, frozen, client):
    without = world.child()
    other = world.child(commune=world.commune_b)
    frozen.advance(days=200)
    fresh = world.child()
    found = {f.check.code: f for f in quality.findings(world.officer_a, world.commune_a)}
    assert {without, fresh} <= set(found["no_pin"].children)
    assert other not in found["no_pin"].children
    assert without in found["stale"].children and fresh not in found["stale"].children
    client.force_login(world.officer_a)
    page = client.get(reverse("reports:quality"), {"area": world.commune_a.code})
    assert page.status_code == 200 and str(without) in page.content.decode()
    assert AuditEvent.objects.filter(action="child.list", data__view="data quality").exists()


def test_a_province_sees_each_communes_counts_and_others_are_refused(world, client):
    world.child()
    world.child(commune=world.commune_b)
    client.force_login(world.provincial)
    page = client.get(reverse("reports:quality"), {"area": world.hanoi.code})
    assert page.status_code == 200
    assert world.commune_a.name in page.content.decode() and world.commune_b.name in page.content.decode()
    client.force_login(world.officer_b)
    assert client.get(reverse("reports:quality"), {"area": world.commune_a.code}).status_code == 404
    client.force_login(world.analyst)
    assert client.get(reverse("reports:quality"), {"area": world.hanoi.code}).status_code == 404
    assert Child.objects.count() == 2
