"""The age rules with the law's numbers: ages by calendar year (Law on Education 43/2019/QH14 art.
28(1)), entry at 6, 11 and 15, preschool from 3, and a first grade at most 3 years late for the groups
of Circular 28/2020/TT-BGDĐT art. 33 before the education authority must decide."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.education import ages
from haven.education.ages import AgeBasis, Level


def test_age_is_counted_by_calendar_year_not_by_birthday():
    # Born on 1 January or on 31 December 2019: both are 6 in school year 2025–2026.
    assert ages.age_in(2025, 2019) == 6
    assert ages.expected(2019, 2025).level == Level.PRIMARY and ages.expected(2019, 2025).grade == 1
    # A child born on the last day of 2019 starts grade 1 in September 2025 at five years and eight months.
    late_born = dt.date(2019, 12, 31)
    assert ages.expected(late_born.year, 2025).grade == 1


@pytest.mark.parametrize(
    ("born", "level", "grade"),
    [
        (2022, Level.PRESCHOOL, 3),
        (2020, Level.PRESCHOOL, 5),
        (2019, Level.PRIMARY, 1),
        (2015, Level.PRIMARY, 5),
        (2014, Level.LOWER_SECONDARY, 6),
        (2011, Level.LOWER_SECONDARY, 9),
        (2010, Level.UPPER_SECONDARY, 10),
        (2008, Level.UPPER_SECONDARY, 12),
    ],
)
def test_the_expected_grade_is_the_age_by_year_less_five(born, level, grade):
    found = ages.expected(born, 2025)
    assert (found.level, found.grade) == (level, grade)


def test_outside_school_age_nothing_is_expected():
    assert ages.expected(2023, 2025) is None  # 2 by year: too young for the preschool classes
    assert ages.expected(2007, 2025) is None  # 18 by year: past grade 12


def test_entry_ages_are_six_eleven_and_fifteen():
    year = 2025
    assert ages.rule_of(Level.PRIMARY, year).entry_age == 6
    assert ages.rule_of(Level.LOWER_SECONDARY, year).entry_age == 11
    assert ages.rule_of(Level.UPPER_SECONDARY, year).entry_age == 15
    assert list(ages.rule_of(Level.PRIMARY, year).grades) == [1, 2, 3, 4, 5]
    assert list(ages.rule_of(Level.LOWER_SECONDARY, year).grades) == [6, 7, 8, 9]
    assert list(ages.rule_of(Level.UPPER_SECONDARY, year).grades) == [10, 11, 12]


def test_a_grade_outside_its_level_does_not_exist():
    assert not ages.grade_exists(Level.PRIMARY, 6, 2025)
    assert not ages.grade_exists(Level.LOWER_SECONDARY, 5, 2025)
    assert ages.grade_exists(Level.UPPER_SECONDARY, 12, 2025)


def test_a_first_grade_up_to_three_years_late_needs_a_lawful_basis_only():
    # Born 2016: 9 by year in 2025, three years over the standard 6.
    found = ages.check(2016, 2025, Level.PRIMARY, 1)
    assert found.over_by == 3 and found.needs_basis and not found.needs_authority
    assert AgeBasis.ORPHAN in found.bases and AgeBasis.DISABILITY in found.bases
    # A repeater cannot enter grade 1 late, nor is a poor household among the art. 33(1) groups.
    assert AgeBasis.REPEATER not in found.bases and AgeBasis.POOR_HOUSEHOLD not in found.bases


def test_a_first_grade_four_years_late_is_the_authoritys_decision():
    found = ages.check(2015, 2025, Level.PRIMARY, 1)
    assert found.over_by == 4 and found.needs_basis and found.needs_authority


def test_an_older_child_in_a_later_grade_needs_a_basis_from_the_law_on_education():
    found = ages.check(2012, 2025, Level.PRIMARY, 4)  # 13 by year in grade 4: 4 years over
    assert found.over_by == 4 and found.needs_basis and not found.needs_authority
    assert AgeBasis.REPEATER in found.bases


def test_a_child_of_the_standard_age_needs_nothing():
    found = ages.check(2019, 2025, Level.PRIMARY, 1)
    assert found.over_by == 0 and not found.needs_basis and not found.needs_authority


def test_the_school_year_turns_on_the_first_of_august():
    assert ages.school_year_of(dt.date(2025, 7, 31)) == 2024
    assert ages.school_year_of(dt.date(2025, 8, 1)) == 2025
    assert ages.school_year_of(dt.date(2026, 5, 31)) == 2025


def test_days_out_of_school_count_only_teaching_months():
    # From 20 May to 10 September 2025: 12 days of May (20–31) and 9 of September (1–9).
    assert ages.term_days(dt.date(2025, 5, 20), dt.date(2025, 9, 10)) == 12 + 9
    assert ages.term_days(dt.date(2025, 9, 10), dt.date(2025, 9, 10)) == 0


def test_a_rule_that_changes_is_a_new_dated_row():
    # Preschool for 3–5 is universal from Resolution 218/2025/QH15 (26 June 2025): not before.
    assert ages.rule_of(Level.PRESCHOOL, 2024) is None
    assert ages.rule_of(Level.PRESCHOOL, 2025).entry_age == 3
    assert ages.expected(2021, 2024) is None  # 3 by year in 2024–2025, before the resolution
