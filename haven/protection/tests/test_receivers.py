"""A referral, a transfer or a prevention support goes only to an organisation the page would offer,
through the API as through the form: the same list (receivers.py of each domain) decides both.

Refused for a referral of a case of commune A (Hà Nội): the People's Committee of commune B (not a
service body), the ministry, the central monitoring office, the system operator, a hospital of
another province, and the asker's own committee. Offered and accepted: the hospital of commune A.
"""

from __future__ import annotations

import pytest

from haven.accounts.models import OrganisationKind
from haven.api.tests.client import ApiClient
from haven.core.testing import OrganisationFactory
from haven.prevention.catalog import NEEDS
from haven.prevention.models import Village
from haven.prevention.receivers import service_providers
from haven.prevention.services import coverage_assign, person_assess
from haven.prevention.tests.factories import contacted, flag
from haven.protection import services
from haven.protection.models import Referral, Transfer
from haven.protection.receivers import referral_receivers, transfer_receivers
from haven.protection.tests.test_api import reported

OUT_OF_REACH = ["committee_b", "ministry", "monitoring", "operator", "hospital_other", "committee_a"]


@pytest.fixture
def hospital_other(world):
    world.orgs["hospital_other"] = OrganisationFactory(
        name="Bệnh viện tỉnh khác", kind=OrganisationKind.HEALTH_FACILITY, area=world.other_province
    )
    return world.orgs["hospital_other"]


@pytest.fixture
def case(world, frozen, hospital_other):
    case = reported(world)
    services.protection_accept(actor=world.officer_a, case=case)
    return case


def refer(world, case, organisation):
    return ApiClient(world.officer_a).post(
        f"/protection/{case.pk}/referrals",
        {"to_organisation_id": organisation.pk, "service": "medical", "note": "Khám", "consent": True},
    )


@pytest.mark.parametrize("receiver", OUT_OF_REACH)
def test_the_api_refuses_a_referral_the_form_would_not_offer(world, case, receiver):
    organisation = world.orgs[receiver]
    response = refer(world, case, organisation)
    assert response.status_code == 422 and set(response.json()["fields"]) == {"to_organisation_id"}
    assert not Referral.objects.exists()
    # Nothing reached the organisation named: commune B's officer still has no referral to read.
    assert ApiClient(world.officer_b).get("/protection/referrals").json()["count"] == 0


def test_the_form_offers_what_the_api_accepts(world, case, client):
    offered = referral_receivers(user=world.officer_a, case=case)
    assert world.orgs["hospital_a"] in offered
    assert not set(offered.values_list("pk", flat=True)) & {world.orgs[k].pk for k in OUT_OF_REACH}
    client.force_login(world.officer_a)
    form = client.get(f"/protection/{case.pk}/refer/").context["form"]
    assert list(form.fields["to_organisation"].queryset) == list(offered)
    assert refer(world, case, world.orgs["hospital_a"]).status_code == 200
    assert Referral.objects.get().to_organisation == world.orgs["hospital_a"]


def test_a_transfer_goes_only_to_another_communes_committee(world, case, client):
    api = ApiClient(world.officer_a)
    for receiver in ("hospital_a", "committee_a"):
        response = api.post(
            f"/protection/{case.pk}/transfers",
            {"to_organisation_id": world.orgs[receiver].pk, "reason": "Trẻ chuyển nhà"},
        )
        assert response.status_code == 422 and set(response.json()["fields"]) == {"to_organisation_id"}
    assert not Transfer.objects.exists()
    client.force_login(world.officer_a)
    form = client.get(f"/protection/{case.pk}/transfer/").context["form"]
    assert list(form.fields["to_organisation"].queryset) == list(transfer_receivers(case=case))
    assert world.orgs["committee_b"] in transfer_receivers(case=case)


def test_a_womans_support_goes_only_to_a_provider_of_her_province(world, frozen, hospital_other, client):
    village = Village.objects.create(commune=world.commune_a, name="Thôn Đông")
    coverage_assign(actor=world.officer_a, collaborator=world.collaborator_a, village=village)
    person = flag(world, village)
    person = contacted(world, person, at=frozen.advance(hours=1))
    person_assess(actor=world.collaborator_a, person=person, needs={code: "some" for code, _l in NEEDS})
    api = ApiClient(world.collaborator_a)
    body = {"service": "antenatal", "provider": "Bệnh viện"}
    response = api.post(
        f"/prevention/{person.pk}/supports", {**body, "to_organisation_id": hospital_other.pk}
    )
    assert response.status_code == 422 and set(response.json()["fields"]) == {"to_organisation_id"}
    assert not person.supports.exists()
    client.force_login(world.collaborator_a)
    form = client.get(f"/prevention/{person.pk}/refer/").context["form"]
    offered = service_providers(person)
    assert list(form.fields["to_organisation"].queryset) == list(offered)
    assert hospital_other not in offered and world.orgs["hospital_a"] in offered
    hospital_a = world.orgs["hospital_a"].pk
    response = api.post(f"/prevention/{person.pk}/supports", {**body, "to_organisation_id": hospital_a})
    assert response.status_code == 200, response.json()
