"""Circular 09/2024/TT-BLĐTBXH art. 6 with the law's numbers."""

import datetime as dt

from haven.care import ratios

ON = dt.date(2026, 6, 1)


def born(months: int) -> dt.date:
    year, month = divmod(ON.year * 12 + ON.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)


def test_one_caregiver_per_child_under_18_months():
    assert ratios.caregivers_needed([(born(17), False)] * 3, ON) == 3
    assert ratios.band_for(born(17), ON).code == "infant"


def test_at_most_6_typical_children_from_18_months_to_under_6():
    assert ratios.band_for(born(18), ON).code == "young"
    assert ratios.caregivers_needed([(born(30), False)] * 6, ON) == 1
    assert ratios.caregivers_needed([(born(30), False)] * 7, ON) == 2


def test_at_most_10_typical_children_from_6_to_under_16():
    assert ratios.band_for(born(72), ON).code == "school"
    assert ratios.caregivers_needed([(born(100), False)] * 10, ON) == 1
    assert ratios.caregivers_needed([(born(100), False)] * 11, ON) == 2


def test_lower_ratios_for_children_with_disabilities_or_hiv():
    assert ratios.caregivers_needed([(born(30), True)] * 4, ON) == 1
    assert ratios.caregivers_needed([(born(30), True)] * 5, ON) == 2
    assert ratios.caregivers_needed([(born(100), True)] * 5, ON) == 1
    assert ratios.caregivers_needed([(born(100), True)] * 6, ON) == 2


def test_mixed_ages_add_up_their_shares():
    # 3 toddlers (3/6) and 5 school children (5/10) make exactly one caregiver; one more needs two.
    group = [(born(30), False)] * 3 + [(born(100), False)] * 5
    assert ratios.caregivers_needed(group, ON) == 1
    assert ratios.caregivers_needed([*group, (born(100), False)], ON) == 2


def test_unknown_birth_date_counts_as_an_infant():
    assert ratios.band_for(None, ON).code == "infant"


def test_social_work_caseloads():
    assert ratios.caseload_capacity(["sw_principal"]) == 30
    assert ratios.caseload_capacity(["sw_officer", "sw_staff"]) == 45
    assert ratios.caseload_capacity(["caregiver"]) == 0
