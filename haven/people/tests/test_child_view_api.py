"""The child's view through the API (Law on Children art. 34, 60(3)): a decision about a child of 7 or
over waits for the child to be heard, and an API client, refused with 409 "child_view_missing", records
the view through POST /children/{id}/views, as the child's page does, and then takes the decision.

Refused (404, as for a child that does not exist): anyone who may not update the child's record — the
officer of another commune, the commune chairman (who decides, but does not edit the record), the
analyst. A blank field, a day in the future or before the birth is 422 with every field at once, and
nothing is saved.
"""

from __future__ import annotations

import datetime as dt

import pytest

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.care import families
from haven.care.tests.test_families import register
from haven.core import clock
from haven.people.models import ChildOpinion

pytestmark = pytest.mark.django_db


def nine_years_old(world):
    return world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365 + 30))


def verified_family(world):
    family = register(world)
    families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    return family


def test_form_12_refused_for_the_childs_view_goes_through_once_the_api_client_records_it(world):
    child = nine_years_old(world)
    family = verified_family(world)
    chairman, officer = ApiClient(world.chairman_a), ApiClient(world.officer_a)
    decide = {"child_id": str(child.pk), "decision_number": "12/QĐ-UBND"}

    refused = chairman.post(f"/care/families/{family.pk}/decide", decide)
    assert refused.status_code == 409 and refused.json()["code"] == "child_view_missing"

    heard = officer.post(
        f"/children/{child.pk}/views",
        {
            "heard_on": clock.today().isoformat(),
            "subject": "Về ở với gia đình bà Hạnh",
            "opinion": "Cháu đồng ý.\nCháu muốn được đi học ở trường cũ.",
        },
    )
    assert heard.status_code == 201, heard.content
    assert heard.json()["child_id"] == str(child.pk)
    view = ChildOpinion.objects.get(child=child)
    assert view.opinion == "Cháu đồng ý.\nCháu muốn được đi học ở trường cũ."
    # Audited as on the page: the record opened for the edit, and the view recorded.
    event = AuditEvent.objects.get(action="child.opinion_record")
    assert event.actor == world.officer_a and event.organisation == world.orgs["committee_a"]
    assert AuditEvent.objects.filter(actor=world.officer_a, action="child.view", reason="edit").exists()

    decided = chairman.post(f"/care/families/{family.pk}/decide", decide)
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "chosen" and decided.json()["decided_child_id"] == str(child.pk)


def test_a_view_with_blank_fields_or_a_day_to_come_is_refused_whole_and_nothing_is_saved(world):
    child = nine_years_old(world)
    officer = ApiClient(world.officer_a)
    answer = officer.post(
        f"/children/{child.pk}/views",
        {
            "heard_on": (clock.today() + dt.timedelta(days=3)).isoformat(),
            "subject": "   ",
            "opinion": " ",
        },
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"heard_on", "subject", "opinion"}
    before_birth = officer.post(
        f"/children/{child.pk}/views",
        {"heard_on": "2001-01-01", "subject": "Nơi ở", "opinion": "Cháu muốn ở với bà"},
    )
    assert before_birth.status_code == 422 and set(before_birth.json()["fields"]) == {"heard_on"}
    assert officer.post(f"/children/{child.pk}/views", {"subject": "Nơi ở"}).status_code == 422
    assert not ChildOpinion.objects.exists()
    assert not AuditEvent.objects.filter(action="child.opinion_record").exists()


@pytest.mark.parametrize("persona", ["officer_b", "chairman_a", "analyst"])
def test_who_may_not_update_the_childs_record_does_not_find_it(world, persona):
    child = nine_years_old(world)
    answer = ApiClient(getattr(world, persona)).post(
        f"/children/{child.pk}/views",
        {"heard_on": clock.today().isoformat(), "subject": "Nơi ở", "opinion": "Cháu muốn ở với bà"},
    )
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert not ChildOpinion.objects.exists()
