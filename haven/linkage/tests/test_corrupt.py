"""The corruption generator: seeded, with ground truth."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from haven.linkage.corrupt import Rates, corrupt
from haven.linkage.normalise import canonical
from haven.population.generate import population

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def people():
    return population(4_000, seed=3, today=TODAY)


def test_seeded_with_truth(people):
    a = corrupt(people, 300, seed=1, today=TODAY)
    b = corrupt(people, 300, seed=1, today=TODAY)
    assert a.records.equals(b.records)
    assert len(a.records) == 300
    # Every true person is in the register; the removed children are not.
    assert set(a.truth["person_id"]) <= set(a.register["id"])
    assert len(a.register) < len(people)
    assert 0.9 * 300 < len(a.truth) < 300
    # Some children are recorded twice (for deduplication).
    assert a.truth["person_id"].duplicated().any()
    born = a.records["date_of_birth"].str[:4].astype(int)
    assert (born >= TODAY.year - 19).all()


def _only(**rate) -> Rates:
    return Rates(**{name: 0.0 for name in Rates().as_dict()} | rate)


def test_errors_are_the_ones_asked_for(people):
    clean = corrupt(people, 200, seed=2, rates=_only(), today=TODAY)
    by_id = people.set_index("id")
    for record_id, person_id in clean.truth.itertuples(index=False):
        record = clean.records.set_index("id").loc[record_id]
        assert record["given_name"] == by_id.loc[person_id, "given_name"]
        assert record["pin"] == by_id.loc[person_id, "pin"]

    folded = corrupt(people, 200, seed=2, rates=_only(no_diacritics=1.0), today=TODAY)
    assert all(name.isascii() for name in folded.records["family_name"])

    swapped = corrupt(people, 200, seed=2, rates=_only(day_month_swap=1.0), today=TODAY)
    changed = (swapped.records["date_of_birth"] != clean.records["date_of_birth"]).sum()
    assert changed > 50

    no_pin = corrupt(people, 200, seed=2, rates=_only(no_pin=1.0), today=TODAY)
    assert (no_pin.records["pin"] == "").all()

    telex = corrupt(people, 200, seed=2, rates=_only(telex=1.0), today=TODAY)
    names = telex.records[["family_name", "middle_name", "given_name"]].agg(" ".join, axis=1)
    assert (
        names != clean.records[["family_name", "middle_name", "given_name"]].agg(" ".join, axis=1)
    ).sum() > 100
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    # The normaliser undoes what Telex left behind.
    assert (
        names.map(canonical)
        == clean.records[["family_name", "middle_name", "given_name"]].agg(" ".join, axis=1).map(canonical)
    ).mean() > 0.97

    estimated = corrupt(people, 200, seed=2, rates=_only(estimated_dob=1.0), today=TODAY)
    assert (estimated.records["dob_estimated"] == "1").all()
