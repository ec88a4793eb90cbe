"""The Splink model on DuckDB: children's records against the register, and against each other."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from haven.linkage import evaluate, model
from haven.linkage.corrupt import corrupt
from haven.linkage.features import prepare
from haven.population.generate import population

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def bench():
    return corrupt(population(20_000, seed=21, today=TODAY), 600, seed=22, today=TODAY)


@pytest.fixture(scope="module")
def linked(bench):
    return model.link(bench.records, bench.register)


def test_links_records_to_the_register(bench, linked):
    scores = evaluate.score(
        method="haven",
        dataset="test",
        decisions=linked,
        truth=bench.truth.itertuples(index=False, name=None),
        records=bench.records["id"],
        seconds=0,
    )
    assert scores.precision >= 0.99
    assert scores.recall >= 0.97
    assert list(linked.columns[:5]) == [
        "record_id",
        "register_id",
        "match_weight",
        "match_probability",
        "decision",
    ]
    assert linked.attrs["candidate_pairs"] >= len(linked)


def test_at_most_one_link_per_record_and_the_review_band(linked):
    links = linked[linked["decision"] == "link"]
    assert not links["record_id"].duplicated().any()
    assert (links["match_probability"] >= model.DEFAULT_UPPER).all()
    assert (linked["match_probability"] >= model.DEFAULT_LOWER).all()


def test_each_comparison_contributes_its_weight(linked):
    parts = [c for c in linked.columns if c.startswith("mw_") and not c.startswith("mw_tf_")]
    assert {"mw_pin", "mw_given_name", "mw_family_name", "mw_date_of_birth", "mw_place"} <= set(parts)
    # match weight = prior weight + the sum of the parts, the same prior for every pair
    prior = linked["match_weight"] - linked[[c for c in linked.columns if c.startswith("mw_")]].sum(axis=1)
    assert prior.round(6).nunique() == 1
    assert prior.iloc[0] < 0


def test_a_pin_that_disagrees_with_sex_is_suspect():
    frame = pd.DataFrame(
        [
            {"id": "a", "sex": "M", "date_of_birth": "2015-03-04", "pin": "001215123456"},
            {"id": "b", "sex": "F", "date_of_birth": "2015-03-04", "pin": "001215123456"},
            {"id": "c", "sex": "M", "date_of_birth": "2016-03-04", "pin": "001215123456"},
            {
                "id": "d",
                "sex": "M",
                "date_of_birth": "2016-03-04",
                "pin": "001215123456",
                "dob_estimated": "1",
            },
        ]
    )
    for column in (
        "family_name",
        "middle_name",
        "given_name",
        "commune_code",
        "province_code",
        "mother_name",
        "father_name",
    ):
        frame[column] = ""
    frame["dob_estimated"] = frame["dob_estimated"].fillna("0")
    assert list(prepare(frame)["pin_ok"]) == [1, 0, 0, 1]


def test_blocking_never_on_the_family_name_alone():
    for rule in model.blocking_rules():
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        assert sql.replace(" ", "") != 'l."family_f"=r."family_f"'.replace(" ", "")
        assert "AND" in sql.upper() or "pin" in sql


def test_the_same_child_registered_twice_is_found(bench):
    pairs = model.dedupe(bench.records)
    truth = dict(bench.clusters.itertuples(index=False, name=None))
    twice = set(bench.clusters.loc[bench.clusters["person_id"].duplicated(), "person_id"])
    found = {
        truth.get(a)
        for a, b in zip(pairs["record_id"], pairs["register_id"], strict=True)
        if truth.get(a) and truth.get(a) == truth.get(b)
    }
    assert len(found & twice) >= 0.8 * len(twice)
    wrong = [
        (a, b)
        for a, b, d in zip(pairs["record_id"], pairs["register_id"], pairs["decision"], strict=True)
        if d == "link" and truth[a] != truth[b]
    ]
    assert len(wrong) <= 1
