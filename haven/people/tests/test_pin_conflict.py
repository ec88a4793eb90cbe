"""A PIN another child already holds: who may see that child is told so; nobody else learns it.

Refused without saying why: a hospital social worker (who sees only the children involved with the
hospital) typing the PIN of a child of commune B. Told "another child has it": commune B's officer,
who can find that child. Every conflict leaves an audit event on the child who holds the PIN, with
the actor and the PIN's blind index (never the PIN), and after a few conflicts out of reach in a day,
the actor may record no PIN at all until the day has passed, so trying PINs one by one goes nowhere.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.people import services
from haven.people.models import Child
from haven.people.services import PIN_CONFLICTS_A_DAY
from haven.people.tests.test_api import a_pin, payload

BORN = dt.date(2019, 3, 4)
TAKEN = "Another child already has this personal identification number."


@pytest.fixture
def held(world) -> Child:
    """A girl of commune B who has a PIN; the hospital of commune A has nothing to do with her."""
    return services.child_create(
        actor=world.officer_b,
        family_name="Lò",
        given_name="Mai",
        sex="female",
        date_of_birth=BORN,
        current_commune=world.commune_b,
        pin=a_pin(sex="female", born=BORN),
    )


def _pin_message(response) -> str:
    assert response.status_code == 422, response.content
    return response.json()["fields"]["pin"][0]


@pytest.fixture
def taken() -> str:
    """What the pages and the API say, in Vietnamese, to whoever may see the child holding the PIN."""
    with translation.override("vi"):
        said = translation.gettext(TAKEN)
    assert said != TAKEN
    return said


def test_the_api_does_not_tell_an_actor_out_of_reach_that_a_child_holds_the_pin(world, held, taken):
    api = ApiClient(world.hospital_sw)
    assert api.post("/children/search", {"q": held.pin}).json()["count"] == 0  # the hospital cannot see her
    created = api.post("/children", payload(world, pin=held.pin))
    assert _pin_message(created) != taken
    own = api.post("/children", payload(world, given_name="Hoa")).json()
    changed = api.patch(f"/children/{own['id']}", {"pin": held.pin})
    assert _pin_message(changed) != taken
    assert _pin_message(created) == _pin_message(changed)
    assert Child.objects.filter(pin_index=held.pin_index).get() == held


def test_the_form_does_not_tell_it_either(world, held, client, taken):
    client.force_login(world.hospital_sw)
    page = client.post(
        "/children/new/",
        {
            "family_name": "Trần",
            "given_name": "Bình",
            "sex": "female",
            "date_of_birth": "04/03/2019",
            "ethnicity": "01",
            "nationality": "VN",
            "province": world.hanoi.pk,
            "current_commune": world.commune_a.pk,
            "pin": held.pin,
        },
    )
    assert page.status_code == 200  # the form again, nothing saved
    assert "pin" in page.context["form"].errors
    assert taken not in page.content.decode()
    assert Child.objects.filter(given_name="Bình").count() == 0


def test_who_may_see_the_holder_is_told_another_child_has_it(world, held, taken):
    response = ApiClient(world.officer_b).post(
        "/children", payload(world, commune_code=world.commune_b.code, pin=held.pin)
    )
    assert _pin_message(response) == taken


def test_every_conflict_is_audited_on_the_holder_with_the_blind_index(world, held):
    ApiClient(world.hospital_sw).post("/children", payload(world, pin=held.pin))
    event = AuditEvent.objects.get(action="child.pin_conflict")
    assert (event.actor, event.child_id) == (world.hospital_sw, held.pk)
    assert event.data["pin_index"] == held.pin_index and event.data["in_reach"] is False
    assert held.pin not in str(event.data)


def test_after_a_few_conflicts_out_of_reach_no_pin_is_recorded_that_day(world, held, frozen):
    for _ in range(PIN_CONFLICTS_A_DAY):
        with pytest.raises(ValidationError):
            _create(world, pin=held.pin)
    free = a_pin(sex="female", born=BORN, serial="054321")
    with pytest.raises(ValidationError) as paused:
        _create(world, pin=free)
    assert paused.value.error_dict["pin"][0].code == "pin_paused"
    assert _create(world, pin=None).pin == ""  # the record itself may still be made
    frozen.advance(hours=25)
    assert _create(world, pin=free).pin == free


def _create(world, *, pin):
    return services.child_create(
        actor=world.hospital_sw,
        family_name="Trần",
        given_name="Bình",
        sex="female",
        date_of_birth=BORN,
        current_commune=world.commune_a,
        pin=pin,
    )
