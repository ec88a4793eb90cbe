"""A Women's Union chapter that merges or closes hands its programmes and its campaigns still receiving
money to the organisation that takes over, so a sponsored child keeps a coordinator and a donor's money
an accountable organiser; it cannot close holding them without naming one. Ended campaigns and the
ledger's published entries stay as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.accounts import services
from haven.accounts.models import Organisation, OrganisationKind
from haven.core import clock
from haven.sponsorship.models import Entry
from haven.sponsorship.tests.conftest import build_scene


def test_a_merging_union_hands_its_programmes_and_open_campaigns_over(world, frozen):
    scene = build_scene(world)
    scene.matched()
    entry = scene.receive(2_000_000, "FT26001")
    union_a = world.orgs["union_a"]
    ended = type(scene.campaign).objects.create(
        code="tet-2025",
        name="Tết 2025",
        organiser=union_a,
        area=world.commune_a,
        bank_account="0011009999",
        receives_from=clock.today() - dt.timedelta(days=400),
        receives_until=clock.today() - dt.timedelta(days=300),
    )
    into = Organisation.objects.create(
        name="Hội LHPN phường Ba Đình (mới)", kind=OrganisationKind.MASS_ORGANISATION, area=world.commune_a
    )

    services.organisation_merge(
        actor=world.users["admin"], organisation=union_a, into=into, reason="Sáp nhập"
    )

    for moved in (scene.programme, scene.campaign):
        moved.refresh_from_db()
        assert moved.organiser == into
    ended.refresh_from_db()
    assert ended.organiser == union_a
    assert Entry.objects.get(pk=entry.pk).organisation_id == entry.organisation_id


def test_a_union_running_a_programme_does_not_close_without_a_successor(world, frozen):
    scene = build_scene(world)
    with pytest.raises(ValidationError) as problem:
        services.organisation_deactivate(
            actor=world.users["admin"], organisation=world.orgs["union_a"], reason="Giải thể"
        )
    assert problem.value.error_dict["successor"][0].code == "successor_required"
    scene.programme.refresh_from_db()
    assert scene.programme.organiser == world.orgs["union_a"] and world.orgs["union_a"].is_active
