"""The synthetic population: exact size, lawful unique PINs, families that hang together, old addresses."""

from __future__ import annotations

import csv
import datetime as dt
import gzip

import pytest

from haven.lib import pin as pins
from haven.population.generate import COLUMNS, LEGACY_COMMUNES, LINK_COLUMNS, population, write_link_csv

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def people():
    return population(6_000, seed=7, today=TODAY)


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1_000])
def test_exactly_the_size_asked_for(size):
    df = population(size, seed=size, today=TODAY)
    assert len(df) == size and list(df.columns) == COLUMNS
    assert df["id"].is_unique


def test_the_same_seed_makes_the_same_people():
    first = population(500, seed=3, today=TODAY)
    assert first.equals(population(500, seed=3, today=TODAY))
    assert not first.equals(population(500, seed=4, today=TODAY))


def test_every_pin_is_unique_and_agrees_with_sex_and_year_of_birth(people):
    assert people["pin"].is_unique
    for row in people.itertuples():
        sex = "male" if row.sex == "M" else "female"
        parsed = pins.parse(row.pin, sex=sex, birth_year=int(row.date_of_birth[:4]))
        assert parsed.value == row.pin


def test_pins_are_unique_across_chunks():
    from haven.population.generate import population_chunks

    chunks = list(population_chunks(3_000, seed=1, today=TODAY, chunk=1_000))
    assert [len(c) for c in chunks] == [1_000, 1_000, 1_000]
    numbers = [p for c in chunks for p in c["pin"]]
    assert len(set(numbers)) == 3_000
    ids = [i for c in chunks for i in c["id"]]
    assert len(set(ids)) == 3_000


def test_births_after_the_reform_carry_a_2025_province_code(people):
    recent = people[people["date_of_birth"] >= "2025-07-01"]
    assert len(recent) > 0
    assert (recent["pin"].str[:3] == "0" + recent["province_code"]).all()


def test_parents_are_in_the_household_and_old_enough(people):
    by_id = people.set_index("id")
    children = people[people["mother_id"] != ""]
    assert 0.2 < len(children) / len(people) < 0.6
    for row in children.itertuples():
        mother = by_id.loc[row.mother_id]
        assert mother["sex"] == "F" and mother["household_id"] == row.household_id
        born, mother_born = (
            dt.date.fromisoformat(row.date_of_birth),
            dt.date.fromisoformat(mother["date_of_birth"]),
        )
        assert 16 <= (born - mother_born).days / 365.2425 <= 46
        assert row.mother_name == f"{mother['family_name']} {mother['middle_name']} {mother['given_name']}"
        if row.father_id:
            father = by_id.loc[row.father_id]
            assert father["sex"] == "M" and row.family_name == father["family_name"]
        else:  # a single mother's child carries her surname
            assert row.family_name == mother["family_name"]
    single_mothers = children[children["father_id"] == ""]
    assert len(single_mothers) > 0 and (single_mothers["father_name"] == "").all()


def test_names_follow_the_national_frequencies(people):
    shares = people["family_name"].value_counts(normalize=True)
    assert 0.33 < shares["Nguyễn"] < 0.43
    assert people["sex"].isin(["M", "F"]).all()
    assert (people["middle_name"] != people["given_name"]).all()
    assert people.loc[people["sex"] == "F", "middle_name"].str.startswith("Văn").sum() == 0


def test_addresses_cover_the_provinces_and_some_are_still_old(people):
    with gzip.open(LEGACY_COMMUNES, "rt", encoding="utf-8") as f:
        became = {r["old_commune_code"]: r["commune_code"] for r in csv.DictReader(f)}
    assert people["province_code"].nunique() == 34
    old = people[people["old_commune_code"] != ""]
    assert 0.08 < len(old) / len(people) < 0.16
    assert (old["old_commune_code"].map(became) == old["commune_code"]).all()
    # a household lives in one place
    assert (people.groupby("household_id")["commune_code"].nunique() == 1).all()


def test_the_link_file_has_the_agreed_columns_in_order(people, tmp_path):
    path = tmp_path / "register.csv"
    write_link_csv(people.head(20), path)
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == LINK_COLUMNS == [
        "id", "family_name", "middle_name", "given_name", "sex", "date_of_birth", "dob_estimated", "pin",
        "commune_code", "province_code", "mother_name", "father_name",
    ]  # fmt: skip
    assert len(rows) == 21 and rows[1][0] == people["id"].iloc[0]
