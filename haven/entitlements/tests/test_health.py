"""The health-insurance card as an entitlement: the card of a child under 6 runs to the date the rule
gives (30 September of the year the child turns 6 when the birthday comes by then, else the end of the
birthday's month), never a typed one; a clock asks for the next card three months before it lapses;
and every child Haven follows without a valid card is on a list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from haven.access.scoping import NotVisible
from haven.core import calendar
from haven.deadlines.models import Obligation, Status
from haven.entitlements import selectors, services
from haven.entitlements.models import CardBasis, HealthInsuranceCard
from haven.entitlements.services.health import under_six_card_end
from haven.entitlements.tests.conftest import at, with_pin

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("born", "end"),
    [
        (D(2020, 3, 15), D(2026, 9, 30)),  # 6 in March: the card runs to the school year's start
        (D(2020, 9, 30), D(2026, 9, 30)),  # 6 on 30 September itself
        (D(2020, 11, 10), D(2026, 11, 30)),  # 6 after 30 September: to the end of the birthday's month
        (D(2020, 2, 29), D(2026, 9, 30)),
    ],
)
def test_a_card_for_a_child_under_six_runs_to_the_date_the_rule_gives(born, end):
    assert under_six_card_end(born) == end


def record(world, child, **kwargs):
    data = {"number": "TE1010123456789", "basis": CardBasis.UNDER_SIX, "valid_from": D(2025, 9, 1)}
    data.update(kwargs)
    with at(D(2025, 9, 2)):
        return services.health_card_record(actor=world.officer_a, child=child, **data)


def test_a_card_under_six_is_computed_a_typed_end_is_refused_and_its_renewal_clock_runs(world):
    child = with_pin(world, born=D(2020, 3, 15))
    with pytest.raises(ValidationError) as refused:
        record(world, child, expires_on=D(2027, 12, 31))
    assert [e.code for e in refused.value.error_dict["expires_on"]] == ["computed"]
    assert not HealthInsuranceCard.objects.exists()
    with pytest.raises(NotVisible):
        with at(D(2025, 9, 2)):
            services.health_card_record(
                actor=world.officer_b,
                child=child,
                number="TE1010123456789",
                basis="under_6",
                valid_from=D(2025, 9, 1),
            )
    card = record(world, child)
    assert card.expires_on == D(2026, 9, 30)
    renewal = Obligation.objects.get(subject_id=card.pk, rule="entitlement.health_card")
    assert renewal.due_at == calendar.day_end(D(2026, 6, 30))
    # The next card (the child in special circumstances) meets the clock.
    with at(D(2026, 6, 1)):
        services.health_card_record(
            actor=world.officer_a,
            child=child,
            number="TE2010123456789",
            basis=CardBasis.SPECIAL,
            valid_from=D(2026, 10, 1),
            expires_on=D(2026, 12, 31),
        )
    renewal.refresh_from_db()
    assert renewal.status == Status.MET


def test_a_card_of_another_basis_needs_its_printed_end_and_a_number_as_printed(world):
    child = with_pin(world, born=D(2015, 3, 15))
    with pytest.raises(ValidationError) as refused:
        record(world, child, number="12", basis=CardBasis.SPECIAL)
    assert set(refused.value.message_dict) == {"number", "expires_on"}
    with pytest.raises(ValidationError) as refused:
        record(world, child, basis=CardBasis.UNDER_SIX)  # 10 years old
    assert [e.code for e in refused.value.error_dict["basis"]] == ["too_old"]


def test_every_child_haven_follows_without_a_valid_card_is_on_the_list_until_one_is_recorded(world):
    with at(D(2025, 9, 2)):
        child = with_pin(world, born=D(2020, 3, 15))
        assert child in selectors.without_valid_card(world.officer_a)
        assert child not in selectors.without_valid_card(world.officer_b)
    record(world, child)
    with at(D(2025, 9, 2)):
        assert child not in selectors.without_valid_card(world.officer_a)
    with at(D(2026, 10, 1)):  # the card lapsed on 30 September
        assert child in selectors.without_valid_card(world.officer_a)
    with at(D(2025, 9, 2)):
        client = Client()
        client.force_login(world.officer_b)
        assert str(child) not in client.get(reverse("entitlements:health_alerts")).content.decode()
        client.force_login(world.officer_a)
        page = client.get(reverse("entitlements:health_alerts"))
    assert page.status_code == 200


def test_a_found_childs_card_recorded_on_its_case_is_kept_as_the_childs_entitlement(world):
    from haven.entitlements.services.health import card_from_foundling

    child = with_pin(world, born=D(2025, 1, 10))
    with at(D(2025, 2, 1)):
        card_from_foundling(child, "TE1010123456789", D(2025, 2, 1))
        card_from_foundling(child, "TE1010123456789", D(2025, 2, 1))  # once
    assert list(HealthInsuranceCard.objects.values_list("expires_on", flat=True)) == [D(2031, 9, 30)]
