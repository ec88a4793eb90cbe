"""The sponsorship personas beside the shared world: two coordinators of the Women's Union chapter of
commune A (one records, the other approves), a coordinator of commune B, an individual sponsor's
account; the commune police of A sponsoring through "con nuôi công an xã"; a child to match."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from dateutil.relativedelta import relativedelta

from haven.accounts.models import Organisation, OrganisationKind, Role, User
from haven.core import clock
from haven.core.testing import member
from haven.people.models import Child, SpecialCircumstance
from haven.sponsorship import services
from haven.sponsorship.models import (
    Campaign,
    Form,
    Programme,
    ProgrammeType,
    Sponsor,
    SponsorKind,
    Sponsorship,
)


@dataclass
class Scene:
    world: object
    coordinator: User
    second_coordinator: User
    coordinator_b: User
    programme: Programme
    police_sponsor: Sponsor
    campaign: Campaign
    child: Child

    def offer(self, **kwargs) -> Sponsorship:
        values = {
            "actor": self.world.police_a,
            "sponsor": self.police_sponsor,
            "programme": self.programme,
            "commune": self.world.commune_a,
            "form": Form.CASH_MONTHLY,
            "monthly_amount": 1_000_000,
            "until_adult": True,
            **kwargs,
        }
        return services.sponsorship_offer(**values)

    def matched(self, **kwargs) -> Sponsorship:
        sponsorship = self.offer(**kwargs)
        return services.sponsorship_match(actor=self.coordinator, sponsorship=sponsorship, child=self.child)

    def receive(self, amount: int, reference: str, **kwargs):
        values = {
            "actor": self.coordinator,
            "campaign": self.campaign,
            "kind": "receipt",
            "amount": amount,
            "occurred_on": clock.today(),
            "document": "Sao kê ngân hàng",
            "commune": self.world.commune_a,
            "bank_reference": reference,
            "payer_kind": "individual",
            "payer_name": "Nguyễn Thị Lan",
            **kwargs,
        }
        return services.entry_record(**values)


def orphan(world, *, commune=None, years: int = 9, given: str = "Minh") -> Child:
    born = clock.today() - relativedelta(years=years, days=40)
    child = world.child(
        commune=commune or world.commune_a,
        family_name="Hoàng",
        middle_name="Văn",
        given_name=given,
        date_of_birth=born,
    )
    SpecialCircumstance.objects.create(child=child, group="HCDB_A", started_on=born + dt.timedelta(days=400))
    return child


@pytest.fixture
def scene(world) -> Scene:
    return build_scene(world)


def build_scene(world) -> Scene:
    union_b = Organisation.objects.create(
        name="Hội LHPN xã B", kind=OrganisationKind.MASS_ORGANISATION, area=world.commune_b
    )
    coordinator = member("coordinator_a", world.orgs["union_a"], Role.SPONSORSHIP_COORDINATOR)
    second = member("coordinator_a2", world.orgs["union_a"], Role.SPONSORSHIP_COORDINATOR)
    coordinator_b = member("coordinator_b", union_b, Role.SPONSORSHIP_COORDINATOR)
    # Personas of the world too, so the tests that walk every page as every persona reach these.
    world.users.update(coordinator_a=coordinator, coordinator_a2=second, coordinator_b=coordinator_b)
    programme = services.programme_create(
        actor=coordinator,
        type=ProgrammeType.objects.get(code="con_nuoi_cong_an_xa"),
        name="Con nuôi công an xã",
        area=world.commune_a,
    )
    police = services.sponsor_register(
        actor=coordinator,
        kind=SponsorKind.POLICE_UNIT,
        name="Công an xã A",
        area=world.commune_a,
        organisation=world.orgs["police_a"],
        publish_identity=True,
    )
    campaign = services.campaign_create(
        actor=coordinator,
        code="con-nuoi-2026",
        name="Quỹ con nuôi công an xã 2026",
        area=world.commune_a,
        bank_account="0011004455667",
        receives_from=clock.today() - dt.timedelta(days=60),
        receives_until=clock.today() + dt.timedelta(days=300),
        programme=programme,
    )
    return Scene(world, coordinator, second, coordinator_b, programme, police, campaign, orphan(world))
