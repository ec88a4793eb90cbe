"""Search is diacritic-insensitive and tolerant of name order, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.people import services
from haven.people.selectors import children_matching


@pytest.fixture
def an(world):
    return services.child_create(
        actor=world.officer_a,
        family_name="Nguyễn",
        middle_name="Văn",
        given_name="Ân",
        sex="male",
        current_commune=world.commune_a,
    )


@pytest.fixture
def others(world):
    return [
        services.child_create(
            actor=world.officer_a,
            family_name="Đặng",
            middle_name="Thị",
            given_name="Hoà",
            sex="female",
            current_commune=world.commune_a,
        ),
        services.child_create(
            actor=world.officer_a,
            family_name="Nguyễn",
            middle_name="Thị",
            given_name="Anh",
            sex="female",
            current_commune=world.commune_a,
        ),
    ]


def names(user, query):
    return sorted(c.full_name for c in children_matching(user, query))


@pytest.mark.parametrize("query", ["nguyen van an", "Nguyễn Văn Ân", "NGUYEN VAN AN", "an nguyen", "van an"])
def test_a_name_typed_without_diacritics_or_in_another_order_finds_the_child(world, an, others, query):
    assert "Nguyễn Văn Ân" in names(world.officer_a, query)


def test_every_word_must_match(world, an, others):
    assert names(world.officer_a, "nguyen thi") == ["Nguyễn Thị Anh"]


def test_a_word_matches_the_beginning_of_a_name(world, an, others):
    assert names(world.officer_a, "ng an") == ["Nguyễn Thị Anh", "Nguyễn Văn Ân"]


def test_d_with_stroke_is_searched_as_d(world, an, others):
    assert names(world.officer_a, "dang thi hoa") == ["Đặng Thị Hòa"]


def test_the_old_tone_placement_finds_the_new_one(world, an, others):
    # Stored in one convention ("Hòa"), found whichever way it is typed.
    assert names(world.officer_a, "Hoà") == names(world.officer_a, "Hòa") == ["Đặng Thị Hòa"]


def test_search_never_reaches_beyond_what_the_user_may_see(world, an):
    assert names(world.officer_b, "nguyen van an") == []


def test_a_pin_finds_its_child_exactly(world):
    child = services.child_create(
        actor=world.officer_a,
        family_name="Lê",
        given_name="Minh",
        sex="male",
        date_of_birth=dt.date(2018, 3, 4),
        current_commune=world.commune_a,
        pin="001218000123",
    )
    assert list(children_matching(world.officer_a, "001218000123")) == [child]
    assert list(children_matching(world.officer_a, "001218000124")) == []
