"""A child at risk in a commune whose People's Committee is not in Haven yet: the provincial
Department of Health, to which the report is routed, stands in for the commune and takes its steps
(Decree 56/2017 art. 26(2); docs/decisions/0014). Refused: the Department on a commune that is in
Haven, and the Ministry where the province has a Department — each told who takes the step."""

from __future__ import annotations

import pytest

from haven.api.tests.client import ApiClient
from haven.core.errors import Refused
from haven.foundlings.tests.test_someone_moves_it import commune_not_in_haven
from haven.protection import services
from haven.protection.models import State
from haven.protection.tests.factories import LOW, report


def test_the_provincial_department_takes_up_a_report_from_a_commune_not_yet_in_haven(world, frozen, client):
    case = report(world, incident_commune=commune_not_in_haven(world))
    assert case.responsible == world.orgs["health_hanoi"]
    with pytest.raises(Refused) as refused:
        services.protection_accept(actor=world.ministry, case=case)
    assert refused.value.code == "not_your_step" and world.orgs["health_hanoi"].name in refused.value.message
    client.force_login(world.provincial)
    assert f"/protection/{case.pk}/accept/" in client.get(f"/protection/{case.pk}/").content.decode()
    taken = ApiClient(world.provincial).post(f"/protection/{case.pk}/accept")
    assert taken.status_code == 200, taken.json()
    services.protection_assess_initial(actor=world.provincial, case=case, data={**LOW, "verification": "x"})
    case.refresh_from_db()
    assert case.state == State.ASSESSING


def test_the_provincial_department_does_not_take_the_steps_of_a_commune_in_haven(world, frozen, client):
    case = report(world)  # commune A's committee is in Haven
    with pytest.raises(Refused) as refused:
        services.protection_accept(actor=world.provincial, case=case)
    assert refused.value.code == "not_your_step"
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    client.force_login(world.provincial)
    assert f"/protection/{case.pk}/accept/" not in client.get(f"/protection/{case.pk}/").content.decode()
