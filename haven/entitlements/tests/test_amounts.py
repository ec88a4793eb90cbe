"""The monthly allowance with the law's numbers (Decree 20/2021/NĐ-CP art. 4, 6, as amended by Decree
76/2024/NĐ-CP), computed from the rules seeded by the data migration: the standard level on the first
day of the month × the coefficient for the child's age on that day."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.core.testing import province
from haven.entitlements.amounts import Facts, RuleBook
from haven.entitlements.models import Parameter

pytestmark = pytest.mark.django_db

D = dt.date


def abandoned(born: dt.date, *, studying: bool = False, province_id: int | None = None) -> Facts:
    return Facts(
        born=born, ground="abandoned", care_situation="community", studying=studying, province_id=province_id
    )


def paid(facts: Facts, year: int, month: int) -> int | None:
    return RuleBook.load().amount(facts, D(year, month, 1)).amount


def test_a_child_under_4_is_paid_2_5_times_the_level_and_from_4_one_and_a_half_times():
    # Born 15 March 2021: 3 on 1 March 2025, 4 on 1 April 2025.
    child = abandoned(D(2021, 3, 15))
    assert paid(child, 2025, 3) == 1_250_000  # 500,000 × 2.5
    assert paid(child, 2025, 4) == 750_000  # 500,000 × 1.5


def test_the_month_of_the_4th_birthday_is_still_paid_at_the_under_4_coefficient():
    # The age is taken on the first day of the month: a birthday on the 31st changes nothing that month.
    child = abandoned(D(2021, 5, 31))
    assert paid(child, 2025, 5) == 1_250_000
    assert paid(child, 2025, 6) == 750_000


def test_a_4th_birthday_on_the_first_of_the_month_lowers_that_month_itself():
    child = abandoned(D(2021, 4, 1))
    assert paid(child, 2025, 3) == 1_250_000
    assert paid(child, 2025, 4) == 750_000


def test_the_level_rises_from_360_000_to_500_000_dong_on_1_july_2024():
    toddler = abandoned(D(2022, 9, 1))
    assert paid(toddler, 2024, 6) == 900_000  # 360,000 × 2.5
    assert paid(toddler, 2024, 7) == 1_250_000  # 500,000 × 2.5
    older = abandoned(D(2015, 1, 20))
    assert paid(older, 2024, 6) == 540_000  # 360,000 × 1.5
    assert paid(older, 2024, 7) == 750_000  # 500,000 × 1.5


def test_a_4th_birthday_in_june_2024_meets_the_new_level_in_july():
    child = abandoned(D(2020, 6, 10))
    assert paid(child, 2024, 6) == 900_000  # 3 years old at the old level
    assert paid(child, 2024, 7) == 750_000  # 4 years old at the new level


def test_at_16_the_allowance_stops_unless_the_young_person_studies_and_at_22_it_stops_outright():
    born = D(2009, 2, 10)
    assert paid(abandoned(born), 2025, 2) == 750_000  # 15 on 1 February
    assert paid(abandoned(born), 2025, 3) is None  # 16 on 1 March, not studying
    assert paid(abandoned(born, studying=True), 2025, 3) == 750_000  # art. 5(2)
    assert paid(abandoned(born, studying=True), 2031, 2) == 750_000  # 21
    assert paid(abandoned(born, studying=True), 2031, 3) is None  # 22


def test_a_child_born_during_a_month_is_paid_as_under_4_for_that_month_and_not_before():
    child = abandoned(D(2025, 3, 20))
    assert paid(child, 2025, 3) == 1_250_000
    assert paid(child, 2025, 2) is None


def test_no_amount_before_decree_20_came_into_force_and_none_without_a_birth_date():
    book = RuleBook.load()
    assert book.amount(abandoned(D(2020, 1, 1)), D(2021, 6, 1)).amount is None
    unknown = book.amount(abandoned(None), D(2025, 1, 1))
    assert unknown.amount is None and unknown.missing


def test_a_province_that_set_a_higher_level_pays_it_and_never_less_than_the_national_level():
    hanoi = province("01")
    Parameter.objects.create(
        key="standard_level",
        province=hanoi,
        value=600_000,
        valid_from=D(2025, 1, 1),
        valid_to=D(2026, 1, 1),
        citation="Nghị quyết của Hội đồng nhân dân thành phố Hà Nội",
    )
    child = abandoned(D(2023, 1, 1), province_id=hanoi.pk)
    assert paid(child, 2024, 12) == 1_250_000
    assert paid(child, 2025, 1) == 1_500_000  # 600,000 × 2.5
    assert paid(abandoned(D(2023, 1, 1)), 2025, 1) == 1_250_000  # elsewhere: the national level
    # Should the national level later rise above the province's, the national one is paid.
    Parameter.objects.filter(key="standard_level", province=None, valid_to=None).update(value=700_000)
    assert paid(child, 2025, 1) == 1_750_000


def test_every_input_of_an_amount_is_named_and_unverified_rules_are_marked():
    found = RuleBook.load().amount(abandoned(D(2022, 9, 1)), D(2024, 6, 1))
    assert (found.base.value, found.rule.coefficient, found.age) == (360_000, 2.5, 1)
    assert found.base.verified  # Decree 20/2021 art. 4(2), read in the text
    assert not found.rule.verified  # art. 6(1)(a): from the press only
    assert not found.verified
