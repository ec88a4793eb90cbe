"""Who sees which child: the role × area matrix, through visible_to() and through the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from haven.accounts.models import Membership
from haven.people.models import Child


def visible(user, child) -> bool:
    return Child.objects.visible_to(user).filter(pk=child.pk).exists()


# persona -> (sees a child of commune A, sees a child of commune B)
MATRIX = {
    "officer_a": (True, False),
    "officer_b": (False, True),
    "chairman_a": (True, False),
    "civil_status_a": (True, False),
    "police_a": (True, False),
    "provincial": (True, True),
    "provincial_other": (False, False),
    "hotline": (True, True),
    "ministry": (True, True),
    # Organisation-level roles see only the children formally linked to their organisation.
    "hospital_sw": (False, False),
    "facility_director": (False, False),
    "caregiver_b": (False, False),
    "school_a": (False, False),
    "collaborator_a": (False, False),
    # Aggregates only, never a child's identity.
    "analyst": (False, False),
    "admin": (False, False),
    "nobody": (False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_the_role_and_area_decide_who_sees_a_child(world, persona):
    in_a, in_b = world.child(commune=world.commune_a), world.child(commune=world.commune_b)
    user = world.users[persona]
    assert (visible(user, in_a), visible(user, in_b)) == MATRIX[persona]


@pytest.mark.parametrize("persona", MATRIX)
def test_the_record_page_answers_404_to_whoever_may_not_see_it(world, client, persona):
    child = world.child(commune=world.commune_a)
    client.force_login(world.users[persona])
    status = client.get(f"/children/{child.pk}/").status_code
    assert status == (200 if MATRIX[persona][0] else 404)


def test_forbidden_and_missing_look_the_same(world, client):
    child = world.child(commune=world.commune_a)
    client.force_login(world.officer_b)
    forbidden = client.get(f"/children/{child.pk}/")
    missing = client.get("/children/00000000-0000-4000-8000-000000000000/")
    assert forbidden.status_code == missing.status_code == 404
    # The same page, word for word; only the per-response form token and the address to come back to
    # after switching language differ.
    assert _without_tokens(forbidden) == _without_tokens(missing)


def _without_tokens(response) -> str:
    return re.sub(
        r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value="|name="next" value=")[^"]+',
        r"\1",
        response.content.decode(),
    )


def test_a_handover_lets_the_receiving_organisation_see_the_child(world):
    child = world.child(commune=world.commune_a)
    assert not visible(world.facility_director, child)
    world.involve(child, "facility_b")
    assert visible(world.facility_director, child)
    assert visible(world.caregiver_b, child)
    # The commune B officer is not the facility: still not visible to them.
    assert not visible(world.officer_b, child)


def test_a_child_handed_to_a_commune_authority_is_visible_to_it_outside_its_commune(world):
    child = world.child(commune=world.commune_b)
    world.involve(child, "committee_a")
    assert visible(world.officer_a, child)


def test_an_ended_involvement_no_longer_gives_access(world):
    child = world.child(commune=world.commune_a)
    link = world.involve(child, "hospital_a")
    assert visible(world.hospital_sw, child)
    link.ended_at = timezone.now() - dt.timedelta(minutes=1)
    link.save()
    assert not visible(world.hospital_sw, child)


def test_an_expired_membership_sees_nothing(world):
    child = world.child(commune=world.commune_a)
    Membership.objects.filter(user=world.officer_a).update(
        valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    world.officer_a._haven_memberships = None
    assert not visible(world.officer_a, child)


def test_a_child_linked_twice_is_listed_once(world):
    child = world.child(commune=world.commune_a)
    world.involve(child, "committee_a")
    assert Child.objects.visible_to(world.officer_a).filter(pk=child.pk).count() == 1
