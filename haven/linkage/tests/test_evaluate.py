"""Scoring against ground truth, pairwise and per cluster."""

from __future__ import annotations

import pandas as pd

from haven.linkage.evaluate import febrl4, score


def test_scores_pairwise_and_per_cluster():
    decisions = pd.DataFrame(
        [
            ("r1", "p1", "link"),  # right
            ("r2", "p9", "link"),  # wrong person
            ("r3", "p3", "review"),  # not decided: not a link
            ("r4", "p4", "link"),  # r4 has nobody in the register
        ],
        columns=["record_id", "register_id", "decision"],
    )
    truth = [("r1", "p1"), ("r2", "p2"), ("r3", "p3")]
    s = score(
        method="m",
        dataset="d",
        decisions=decisions,
        truth=truth,
        records=["r1", "r2", "r3", "r4", "r5"],
        seconds=0,
    )
    assert (s.links, s.true_links, s.reviews) == (3, 1, 1)
    assert s.precision == 1 / 3 and s.recall == 1 / 3
    # Clusters: r1, r2 and r4 were linked, only r1 rightly; r1, r2 and r3 have a person.
    assert s.cluster_precision == 1 / 3
    assert s.cluster_recall == 1 / 3


def test_a_record_with_several_links_is_clustered_with_its_best_then_smallest_id():
    decisions = pd.DataFrame(
        [
            ("r1", "p9", 0.7, "link"),
            ("r1", "p1", 0.9, "link"),
            ("r2", "p8", 0.8, "link"),
            ("r2", "p2", 0.8, "link"),  # tied: the smaller id
        ],
        columns=["record_id", "register_id", "match_probability", "decision"],
    )
    for order in (decisions, decisions.iloc[::-1]):
        s = score(
            method="m",
            dataset="d",
            decisions=order,
            truth=[("r1", "p1"), ("r2", "p2"), ("r3", "p3")],
            records=["r1", "r2", "r3"],
            seconds=0,
        )
        assert (s.cluster_precision, s.cluster_recall) == (1.0, 2 / 3)
        assert s.precision == 2 / 4


def test_febrl4_in_link_file_columns():
    records, register, truth = febrl4()
    assert len(records) == len(register) == len(truth) == 5000
    assert set(records["id"]).isdisjoint(register["id"])
    assert {b for _, b in truth} == set(register["id"])


def test_recall_with_review_and_review_load_count_what_a_person_is_shown():
    decisions = pd.DataFrame(
        [
            ("r1", "p1", 0.999, "link"),
            ("r2", "p7", 0.6, "review"),  # its true person p2 is offered too
            ("r2", "p2", 0.55, "review"),
            ("r3", "p8", 0.7, "review"),  # r3's person is not offered
        ],
        columns=["record_id", "register_id", "match_probability", "decision"],
    )
    truth = [("r1", "p1"), ("r2", "p2"), ("r3", "p3"), ("r4", "p4")]
    s = score(
        method="m", dataset="d", decisions=decisions, truth=truth, records=["r1", "r2", "r3", "r4"], seconds=0
    )
    assert s.recall == 1 / 4 and s.recall_with_review == 2 / 4
    assert s.review_load == 2 / 4  # r2 and r3 wait for a person


def test_recall_is_reported_by_kind_of_record():
    from haven.linkage.evaluate import by_kind

    decisions = pd.DataFrame(
        [("r1", "p1", "link"), ("r2", "p2", "review"), ("r3", "p9", "review")],
        columns=["record_id", "register_id", "decision"],
    )
    truth = pd.DataFrame([("r1", "p1"), ("r2", "p2"), ("r3", "p3")], columns=["record_id", "person_id"])
    kinds = pd.DataFrame(
        [("r1", False, "birth"), ("r2", True, "none"), ("r3", True, "other"), ("r4", True, "none")],
        columns=["record_id", "found", "commune"],
    )
    table = by_kind(decisions, truth, kinds).set_index(["kind", "value"])
    assert table.loc[("found", "True"), ["records", "recall", "recall with review"]].tolist() == [2, 0.0, 0.5]
    assert table.loc[("found", "False"), ["records", "recall", "recall with review"]].tolist() == [
        1,
        1.0,
        1.0,
    ]
    assert table.loc[("commune", "other"), "review load"] == 1.0
