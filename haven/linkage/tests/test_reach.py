"""A run needs only the register's people within reach of its records: born within two years of one
of them, or sharing a PIN with one. The candidate pairs are the same."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from haven.linkage import model
from haven.linkage.corrupt import corrupt
from haven.linkage.linkfile import read_frame
from haven.linkage.reach import within_reach
from haven.population.generate import population

TODAY = dt.date(2026, 6, 1)


def _people(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "date_of_birth", "pin"])


def test_only_people_born_near_a_record_or_sharing_its_pin_are_within_reach():
    records = _people([("C1", "2015-03-04", ""), ("C2", "2020", ""), ("C3", "", "001215123456")])
    register = _people(
        [
            ("P1", "2013-01-01", ""),  # two years before C1: a found child's 400 days reach it
            ("P2", "2012-12-31", ""),  # three years before: no rule pairs it
            ("P3", "2022-06-30", ""),  # two years after C2
            ("P4", "1980-05-05", "001215123456"),  # C3's PIN
            ("P5", "1980-05-05", ""),
            ("P6", "", ""),
        ]
    )
    assert list(within_reach(records, register)["id"]) == ["P1", "P3", "P4"]


def test_linking_within_reach_gives_the_same_pairs():
    people = population(20_000, seed=41, today=TODAY)
    made = corrupt(people, 300, seed=42, today=TODAY)
    bench = dataclasses.replace(made, records=read_frame(made.records, today=TODAY).frame)
    everyone = model.link(bench.records, bench.register)
    near = model.link(bench.records, bench.register, within_reach=True)
    assert near.attrs["register_within_reach"] < 0.5 * len(bench.register)
    key = ["record_id", "register_id"]
    both = everyone.merge(near, on=key, suffixes=("", "_near"), how="outer", indicator=True)
    assert (both["_merge"] == "both").all()
    # The weights move a little: term frequencies are those of the people within reach, and the
    # m values are estimated on them; a pair near a threshold may change sides.
    assert ((both["match_weight"] - both["match_weight_near"]).abs() < 2).all()
    assert (both["decision"] == both["decision_near"]).mean() >= 0.98
