"""The Splink model that links children's records to the population register, and to each other.

Comparisons and blocking follow anchors.md §E.7. The model's SQL is plain enough to run unchanged
on DuckDB (the default) and on Spark: Vietnamese normalisation is done beforehand in
`haven.linkage.features`. Parameters: u by random sampling of the data, m from the priors below
refined by expectation maximisation, and the prior match probability from the fact that a record
has at most one person in the register (see docs/decisions/0009-linkage.md).

The Django side calls `link()` and `dedupe()`; both return pandas DataFrames that keep each
comparison's match-weight contribution (`mw_<comparison>`) for the review screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.comparison_library import CustomComparison

from haven.linkage.features import FOUND_KEYS, prepare

__all__ = [
    "Thresholds",
    "blocking_rules",
    "comparisons",
    "decide",
    "dedupe",
    "empty_result",
    "found_child_candidates",
    "link",
    "settings",
]

# Operating thresholds on the match probability: at or above `upper` the best candidate of a record
# is linked; between `lower` and `upper` a person reviews it.
DEFAULT_UPPER = 0.99
DEFAULT_LOWER = 0.5

# Comparison vector values (Splink's gamma: the levels counted from the last, null is -1) that
# decide() reads: a suspect PIN, two PINs more than one digit apart, sex that disagrees, and given
# names that are not alike at all.
PIN_VALID_AGREES = 3
PIN_SUSPECT = 2
PIN_DISAGREES = 0
SEX_DISAGREES = 0
GIVEN_NAME_DISAGREES = 0
PARENT_AGREES = 1  # the same or a similar name (the parents' comparisons: null, else, similar, same)
GIVEN_NAME_SWAPPED = 2  # given and family name swapped; the levels above it are alike or the same
FAMILY_NAME_SIMILAR = 1  # Jaro-Winkler ≥ 0.88; above it a variant, the same without or with diacritics
DOB_DISAGREES = 0

# A found child (an estimated date of birth: the day it was found, or the year alone) has no PIN, no
# parents' names and often no commune of birth: its true person has little more than the name and a
# birth year within one to show, and namesakes of the same years have as much. Every such candidate
# is put in front of a person, the most likely first (docs/decisions/0021): at most this many per
# found child, each within FOUND_SPREAD match-weight points of the best, and none with less evidence
# than FOUND_EVIDENCE points before the prior (a name that agrees gives about 10 to 20).
FOUND_CANDIDATES = 20
BEST_FIRST = ["record_id", "match_weight", "register_id"]  # sorted by record, falling weight, then id
FOUND_SPREAD = 10.0
FOUND_EVIDENCE = 5.0


@dataclass(frozen=True)
class Thresholds:
    upper: float = DEFAULT_UPPER
    lower: float = DEFAULT_LOWER


def _level(sql: str, label: str, m: float, **options: Any) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label, base_dialect_str="duckdb").configure(m_probability=m, **options)


def _null(*columns: str) -> cll.CustomLevel:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return cll.CustomLevel(sql, "null").configure(is_null_level=True)


def _else(m: float) -> cll.ElseLevel:
    return cll.ElseLevel().configure(m_probability=m)


def _jw(column: str, threshold: float, m: float) -> cll.JaroWinklerLevel:
    return cll.JaroWinklerLevel(column, threshold).configure(m_probability=m)


def comparisons() -> list[CustomComparison]:
    """The comparisons of anchors.md §E.7, top level first, each with its prior m probability."""
    either_estimated = "(dob_estimated_l = 1 OR dob_estimated_r = 1)"
    return [
        CustomComparison(
            output_column_name="pin",
            comparison_description="Personal identification number",
            comparison_levels=[
                _null("pin"),
                # A PIN that breaks its structure or disagrees with sex/birth year is suspect (§E.3).
                # PINs are unique, so two random people share one about once in a population: random
                # sampling rarely meets these levels, and their u is set from that fact.
                _level(
                    "pin_l = pin_r AND pin_ok_l = 1 AND pin_ok_r = 1",
                    "same valid PIN",
                    0.80,
                    u_probability=1e-7,
                ),
                # A suspect PIN is often a sibling's or a parent's, so it is weak evidence whatever
                # EM would make of it: fixed m and u, about +3 match-weight points (decide() also
                # never links on it).
                _level(
                    "pin_l = pin_r",
                    "same PIN, suspect",
                    0.01,
                    u_probability=0.001,
                    fix_m_probability=True,
                    fix_u_probability=True,
                ),
                cll.LevenshteinLevel("pin", 1).configure(
                    m_probability=0.08, u_probability=1e-5, label_for_charts="one digit apart"
                ),
                _else(0.07),
            ],
        ),
        CustomComparison(
            output_column_name="given_name",
            comparison_description="Given name (the last syllable of the name)",
            comparison_levels=[
                _null("given_f"),
                _level("given_a_l = given_a_r", "same given name", 0.80, tf_adjustment_column="given_a"),
                _level("given_f_l = given_f_r", "same given name without diacritics", 0.08),
                _jw("given_f", 0.92, 0.04),
                # Jaro-Winkler is harsh on the short given names ("Vân" typed "Vnâ", "Hải" as "Hi"):
                # one letter inserted, left out or changed, or two letters exchanged.
                _level(
                    "levenshtein(given_f_l, given_f_r) <= 1 OR given_letters_l = given_letters_r",
                    "one letter apart",
                    0.02,
                ),
                _level(
                    "given_f_l = family_f_r OR family_f_l = given_f_r",
                    "given and family name swapped",
                    0.02,
                ),
                _jw("given_f", 0.8, 0.01),
                _else(0.03),
            ],
        ),
        CustomComparison(
            output_column_name="family_name",
            comparison_description="Family name; Nguyễn is common, so term frequencies matter",
            comparison_levels=[
                _null("family_f"),
                _level(
                    "family_a_l = family_a_r",
                    "same family name",
                    0.85,
                    tf_adjustment_column="family_a",
                    tf_minimum_u_value=0.001,
                ),
                _level("family_f_l = family_f_r", "same family name without diacritics", 0.05),
                _level("family_class_l = family_class_r", "variant of one surname (Vũ/Võ)", 0.03),
                _jw("family_f", 0.88, 0.03),
                _else(0.04),
            ],
        ),
        CustomComparison(
            output_column_name="middle_name",
            comparison_description=("Middle name without Văn and Thị (weak evidence), and a second surname"),
            comparison_levels=[
                _null("middle_core_f"),
                _level(
                    "middle_core_f_l = middle_core_f_r AND surname2_f_l = surname2_f_r",
                    "same middle name and second surname",
                    0.05,
                ),
                # A second surname is often left out of one record ("Nguyễn Minh Anh" for
                # "Nguyễn Phạm Minh Anh"): that is no evidence against the pair. Two different
                # second surnames fall to the Jaro-Winkler level.
                _level(
                    "middle_core_f_l = middle_core_f_r AND (surname2_f_l IS NULL OR surname2_f_r IS NULL)",
                    "same middle name",
                    0.80,
                ),
                _jw("middle_core_f", 0.88, 0.07),
                _else(0.08),
            ],
        ),
        CustomComparison(
            output_column_name="date_of_birth",
            comparison_description="Date of birth; estimated dates get wide windows",
            comparison_levels=[
                # A date with the year alone (a found child's) still compares by its year.
                _null("birth_year"),
                _level(f"dob_l = dob_r AND NOT {either_estimated}", "same date", 0.82),
                _level(
                    "(dob_swapped_l = dob_r OR abs(dob_days_l - dob_days_r) <= 1) "
                    f"AND NOT {either_estimated}",
                    "day and month swapped, or one day apart",
                    0.06,
                ),
                # The year mistyped by one: the day and month say more than a year alone.
                _level(
                    "birthday_l = birthday_r AND abs(birth_year_l - birth_year_r) = 1 "
                    f"AND NOT {either_estimated}",
                    "same day and month, the year one apart",
                    0.02,
                ),
                _level(
                    f"{either_estimated} AND abs(dob_days_l - dob_days_r) <= 60",
                    "estimated, within 60 days",
                    0.03,
                ),
                _level("birth_month_l = birth_month_r", "same month", 0.03),
                # A found child's year is an estimate, off by up to one, whatever the day and month.
                _level(
                    f"{either_estimated} AND abs(birth_year_l - birth_year_r) <= 1",
                    "estimated, the year within one",
                    0.02,
                ),
                _level("birth_year_l = birth_year_r", "same year", 0.02),
                _else(0.03),
            ],
        ),
        CustomComparison(
            output_column_name="sex",
            comparison_description="Sex",
            comparison_levels=[
                _null("sex"),
                _level("sex_l = sex_r", "same sex", 0.97),
                _else(0.03),
            ],
        ),
        CustomComparison(
            output_column_name="place",
            comparison_description="Commune (current or pre-2025) and province",
            comparison_levels=[
                # Without a commune, the province still says something.
                cll.CustomLevel(
                    "(commune_code_l IS NULL OR commune_code_r IS NULL) "
                    "AND (province_code_l IS NULL OR province_code_r IS NULL)",
                    "null",
                ).configure(is_null_level=True),
                _level(
                    "commune_code_l = commune_code_r OR commune_code_l = old_commune_code_r "
                    "OR old_commune_code_l = commune_code_r",
                    "same commune (old or new code)",
                    0.80,
                ),
                _level("province_code_l = province_code_r", "same province", 0.10),
                # A found child's commune is where it was found, not where it was born: another
                # place is weak evidence against it, not the ordinary record's strong one.
                _level(either_estimated, "estimated date of birth, another place", 0.02),
                _else(0.08),
            ],
        ),
        CustomComparison(
            output_column_name="mother_name",
            comparison_description="Mother's full name",
            comparison_levels=[
                _null("mother_f"),
                _level("mother_f_l = mother_f_r", "same name", 0.85),
                _jw("mother_f", 0.9, 0.08),
                _else(0.07),
            ],
        ),
        CustomComparison(
            output_column_name="father_name",
            comparison_description="Father's full name",
            comparison_levels=[
                _null("father_f"),
                _level("father_f_l = father_f_r", "same name", 0.85),
                _jw("father_f", 0.9, 0.08),
                _else(0.07),
            ],
        ),
    ]


def blocking_rules() -> list:
    """Rules that generate candidate pairs (an OR of them). None is on the family name alone (§E.7:
    Nguyễn is 38 % of people), and each keeps blocks small at national scale."""
    either_estimated = "(l.dob_estimated = 1 OR r.dob_estimated = 1)"
    return [
        block_on("pin"),
        block_on("given_f", "dob"),
        block_on("family_f", "given_f", "birth_month"),
        block_on("commune_code", "dob"),
        block_on("commune_code", "given_f", "birth_year"),
        block_on("given_f", "dob_swapped"),
        block_on("family_f", "dob"),
        block_on("mother_f", "birth_year"),
        block_on("father_f", "birth_year"),
        # The year mistyped by one: the name and the day and month still agree.
        block_on("family_f", "given_f", "birthday"),
        # Foundlings: the date of birth is the date found, so neither the date nor the year is sure.
        CustomRule(
            f"l.province_code = r.province_code AND l.given_f = r.given_f AND {either_estimated} "
            "AND abs(l.dob_days - r.dob_days) <= 400",
            sql_dialect="duckdb",
        ),
        # A found child's true person has its name, born within a year of the estimate, whatever the
        # day and month and wherever it was found: the family and given name, or (for a typo in one
        # of them) the given and middle name, or the family and middle name and the given name's
        # initial (features.prepare). `found_*` keys are set on estimated rows only, so the joins stay
        # small; one rule for each side the found child may be on.
        *(
            CustomRule(
                f"{a}.found_{key} = {b}.{key} AND abs(l.birth_year - r.birth_year) <= 1", sql_dialect="duckdb"
            )
            for key in FOUND_KEYS
            for a, b in (("l", "r"), ("r", "l"))
        ),
    ]


def settings(*, link_type: str = "link_only", prior: float = 1e-4) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        probability_two_random_records_match=prior,
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        unique_id_column_name="unique_id",
    )


def _duckdb_api() -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI()


# An EM session on fewer pairs than this keeps the prior m values: a handful of pairs (or none, as
# when no record has a PIN) cannot estimate some forty parameters, and Splink refuses zero pairs.
MIN_EM_PAIRS = 50
# The EM sessions: each fixes what it blocks on; together they estimate every comparison's m.
EM_SESSIONS: tuple[tuple[str, ...], ...] = (("pin",), ("given_f", "dob"))


def _training_pairs(tables: list[pd.DataFrame], columns: tuple[str, ...], link_type: str) -> int:
    """How many pairs blocking on equal, non-null `columns` gives."""
    counts = [t[list(columns)].dropna().value_counts() for t in tables]
    if link_type == "dedupe_only" or len(counts) == 1:
        c = counts[0]
        return int((c * (c - 1) // 2).sum())
    left, right = counts[0], counts[1]
    return int((left * right.reindex(left.index, fill_value=0)).sum())


@dataclass
class Model:
    """A trained linker over prepared tables; `predict` gives scored pairs. `skipped_em` names the
    EM sessions left out for lack of pairs (their comparisons keep the prior m values)."""

    linker: Linker
    tables: list[Any] = field(default_factory=list)
    skipped_em: list[str] = field(default_factory=list)
    prior: float = 1e-4

    def predict(self, threshold: float) -> pd.DataFrame:
        """Scored pairs at or above the match probability `threshold`, and the pairs of a record with an
        estimated date of birth (a found child) from FOUND_EVIDENCE points of evidence, for decide()
        to choose from; `attrs["candidate_pairs"]` counts the blocked pairs."""
        blocked = self.linker.inference.compute_blocked_pairs_for_predict()
        count = blocked.query_sql("SELECT count(*) AS n FROM {this}").as_record_list()[0]["n"]
        prior_weight = math.log2(self.prior / (1 - self.prior))
        floor = min(prior_weight + FOUND_EVIDENCE, math.log2(threshold / (1 - threshold)))
        scored = self.linker.inference.predict(threshold_match_weight=floor)
        lower = float(threshold)  # a number, never text, in the SQL below
        result = scored.query_sql(
            f"SELECT * FROM {{this}} WHERE match_probability >= {lower} "  # noqa: S608
            "OR dob_estimated_l = 1 OR dob_estimated_r = 1"
        ).as_pandas_dataframe()
        result.attrs["candidate_pairs"] = int(count)
        return result


def train(
    tables: list[pd.DataFrame],
    *,
    link_type: str,
    prior: float,
    db_api: Any | None = None,
    em: bool = True,
    u_pairs: float = 2e6,
    seed: int = 0,
    u_tables: list[pd.DataFrame] | None = None,
) -> Model:
    """Build a linker on prepared tables and estimate its parameters without labels. With `u_tables`
    (the records and a sample of the whole register, when `tables` hold only the part of it within
    reach) u is estimated on those: random pairs of the whole register, as without the cut."""
    api = db_api if db_api is not None else _duckdb_api()
    model_settings: Any = settings(link_type=link_type, prior=prior)
    if u_tables is not None:
        sampled = [api.register(t, dataset_display_name=f"sample_{i}") for i, t in enumerate(u_tables)]
        sampler = Linker(sampled, model_settings, log_level=None)
        sampler.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
        model_settings = sampler.misc.save_model_to_json()
        model_settings["probability_two_random_records_match"] = prior
    registered = [api.register(t, dataset_display_name=f"input_{i}") for i, t in enumerate(tables)]
    linker = Linker(registered, model_settings, log_level=None)
    if u_tables is None:
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    skipped = []
    for columns in EM_SESSIONS if em else ():
        if _training_pairs(tables, columns, link_type) < MIN_EM_PAIRS:
            skipped.append("+".join(columns))
            continue
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*columns), fix_u_probabilities=True
        )
    return Model(linker=linker, tables=registered, skipped_em=skipped, prior=prior)


def decide(pairs: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """At most one `link` per record: its best candidate, when at or above the upper threshold and
    not tied with another candidate above it, and neither carrying a suspect PIN nor disagreeing on
    sex (a sibling's PIN otherwise links the wrong child), on the PIN or outright on the given name
    (a twin's); every other candidate above the lower threshold is `review`, and so are a found
    child's plausible candidates below it (found_child_candidates)."""
    # Ties (namesakes of a found child) in the register's order, so that a run gives the same list.
    pairs = pairs.sort_values(BEST_FIRST, ascending=[True, False, True], kind="stable")
    offered = found_child_candidates(pairs)
    pairs = pairs[(pairs["match_probability"] >= thresholds.lower) | offered].copy()
    rank = pairs.groupby("record_id").cumcount()
    above = pairs["match_probability"] >= thresholds.upper
    contested = pairs.assign(above=above).groupby("record_id")["above"].transform("sum") > 1
    runner_up = pairs.groupby("record_id")["match_weight"].shift(-1).fillna(-99.0)
    # Two candidates above the threshold: link the best only if it is far ahead (32 times as likely).
    link = (rank == 0) & above & (~contested | (pairs["match_weight"] - runner_up >= 5)) & _linkable(pairs)
    pairs.insert(4, "decision", link.map({True: "link", False: "review"}))
    return pairs


def found_child_candidates(pairs: pd.DataFrame) -> pd.Series:
    """True for the candidates of a found child (`found`: the record's date of birth is an estimate)
    that a person should see, whatever their probability: the given name alike (or swapped with the
    family name), the family name alike, the sex and the birth year window not against the pair; the
    FOUND_CANDIDATES most likely, within FOUND_SPREAD points of the best. `pairs` is sorted by record
    and falling match weight."""
    if "found" not in pairs or pairs.empty:
        return pd.Series(False, index=pairs.index)
    plausible = pairs["found"].astype(bool)
    given = pairs.get("gamma_given_name")
    if given is not None:
        plausible &= given >= GIVEN_NAME_SWAPPED
        if "gamma_family_name" in pairs:
            family = pairs["gamma_family_name"]
            plausible &= (family >= FAMILY_NAME_SIMILAR) | (family == -1) | (given == GIVEN_NAME_SWAPPED)
    if "gamma_sex" in pairs:
        plausible &= pairs["gamma_sex"] != SEX_DISAGREES
    if "gamma_date_of_birth" in pairs:
        plausible &= pairs["gamma_date_of_birth"] != DOB_DISAGREES
    candidates = pairs[plausible]
    rank = candidates.groupby("record_id").cumcount()
    best = candidates.groupby("record_id")["match_weight"].transform("max")
    near = (rank < FOUND_CANDIDATES) & (candidates["match_weight"] >= best - FOUND_SPREAD)
    return near.reindex(pairs.index, fill_value=False)


def _linkable(pairs: pd.DataFrame) -> pd.Series:
    """False where a pair may not be linked automatically, whatever its probability.

    A brother, sister or twin shares the parents' names, the place, the family name and (a twin) the
    date of birth: those comparisons are not independent for siblings, and together they outweigh
    any one disagreement. What tells siblings apart is the given name and the PIN, so a pair whose
    given names are not alike at all, or whose PINs are both present and more than one digit apart,
    goes to a person (decision 0009) when a parent's name agrees, which is what makes a sibling look
    like the child; the same valid PIN outweighs a given name typed badly."""
    ok = pd.Series(True, index=pairs.index)
    if "gamma_pin" in pairs:
        ok &= pairs["gamma_pin"] != PIN_SUSPECT
    if "gamma_sex" in pairs:
        ok &= pairs["gamma_sex"] != SEX_DISAGREES
    # What makes a sibling look like the child: a parent's name agrees (without the parents' names
    # the other comparisons are not inflated, and their weights decide as usual).
    parents = [pairs[c] >= PARENT_AGREES for c in ("gamma_mother_name", "gamma_father_name") if c in pairs]
    sibling_like = pd.concat(parents, axis=1).any(axis=1) if parents else pd.Series(True, index=pairs.index)
    if "gamma_pin" in pairs:
        ok &= ~(sibling_like & (pairs["gamma_pin"] == PIN_DISAGREES))
    if "gamma_given_name" in pairs:
        # A twin has a PIN of its own: the same valid PIN outweighs a given name typed badly.
        same_pin = pairs["gamma_pin"] == PIN_VALID_AGREES if "gamma_pin" in pairs else False
        ok &= ~(sibling_like & (pairs["gamma_given_name"] == GIVEN_NAME_DISAGREES) & ~same_pin)
    return ok


def _output(raw: pd.DataFrame, *, left: str, right: str) -> pd.DataFrame:
    # Every comparison's level (gamma_*) and contribution (mw_*, bf_*): the review screen shows them
    # and the labels people's decisions leave keep them (haven.linkage.services).
    mw_columns = [c for c in raw.columns if c.startswith(("mw_", "bf_", "gamma_"))]
    out = pd.DataFrame(
        {
            "record_id": raw[f"unique_id_{left}"].astype(str),
            "register_id": raw[f"unique_id_{right}"].astype(str),
            "match_weight": raw["match_weight"].astype(float),
            "match_probability": raw["match_probability"].astype(float),
        }
    )
    for c in mw_columns:
        out[c] = raw[c]
    # A found child's pair (its date of birth is an estimate): decide() offers its candidates.
    out["found"] = (raw[f"dob_estimated_{left}"] == 1).to_numpy()
    return out


def link(
    records: pd.DataFrame,
    register: pd.DataFrame,
    *,
    thresholds: Thresholds = Thresholds(),
    check_pin_structure: bool = True,
    db_api: Any | None = None,
    em: bool = True,
    prepared: bool = False,
    within_reach: bool = False,
) -> pd.DataFrame:
    """Link children's `records` to the `register` (both with the link-file columns).

    Returns one row per candidate above the lower threshold: record_id, register_id, match_weight,
    match_probability, decision (link|review) and each comparison's contribution (`mw_*`, `bf_*`).
    With `within_reach` (unprepared inputs only) only the register's people that a blocking rule can
    pair with a record are prepared and compared (haven.linkage.reach), u is estimated on a sample
    of the whole register and the prior is the whole register's: the same candidate pairs, in a
    fraction of the memory when the records are children and the register is everyone (the weights
    move a little: term frequencies and m are those of the people within reach).
    """
    if within_reach and not prepared:
        return _link_within_reach(
            records,
            register,
            thresholds=thresholds,
            check_pin_structure=check_pin_structure,
            db_api=db_api,
            em=em,
        )
    left = records if prepared else prepare(records, check_pin_structure=check_pin_structure)
    right = register if prepared else prepare(register, check_pin_structure=check_pin_structure)
    # Each record has at most one person in the register.
    prior = min(1.0, len(left) / max(1, len(left) * len(right)))
    model = train([left, right], link_type="link_only", prior=prior, db_api=db_api, em=em)
    return _scored(model, thresholds)


def _link_within_reach(
    records: pd.DataFrame,
    register: pd.DataFrame,
    *,
    thresholds: Thresholds,
    check_pin_structure: bool,
    db_api: Any | None,
    em: bool,
) -> pd.DataFrame:
    from haven.linkage import reach

    left = prepare(records, check_pin_structure=check_pin_structure)
    right = prepare(reach.within_reach(records, register), check_pin_structure=check_pin_structure)
    sample = prepare(reach.u_sample(register), check_pin_structure=check_pin_structure)
    prior = min(1.0, 1 / max(1, len(register)))
    model = train(
        [left, right], link_type="link_only", prior=prior, db_api=db_api, em=em, u_tables=[left, sample]
    )
    result = _scored(model, thresholds)
    result.attrs["register_within_reach"] = len(right)
    return result


def _scored(model: Model, thresholds: Thresholds) -> pd.DataFrame:
    raw = model.predict(thresholds.lower)
    candidates = raw.attrs.get("candidate_pairs", 0)
    if raw.empty:
        result = empty_result()
        result.attrs.update(candidate_pairs=candidates, skipped_em=model.skipped_em)
        return result
    # Splink orders the two datasets by name; input_0 holds the records.
    swap = (raw["source_dataset_l"] != "input_0").to_numpy()
    for column in [c for c in raw.columns if c.endswith("_l")]:
        other = column[:-2] + "_r"
        if other in raw.columns:
            a, b = raw[column].copy(), raw[other].copy()
            raw.loc[swap, column], raw.loc[swap, other] = b[swap], a[swap]
    result = decide(_output(raw, left="l", right="r"), thresholds).reset_index(drop=True)
    result.attrs.update(candidate_pairs=candidates, skipped_em=model.skipped_em)
    return result


def dedupe(
    records: pd.DataFrame,
    *,
    thresholds: Thresholds = Thresholds(),
    check_pin_structure: bool = True,
    db_api: Any | None = None,
    expected_duplicates: float = 0.01,
) -> pd.DataFrame:
    """Pairs of `records` that may be the same child registered at two places (never merged here)."""
    table = prepare(records, check_pin_structure=check_pin_structure)
    n = len(table)
    prior = min(1.0, max(1.0, expected_duplicates * n) / max(1, n * (n - 1) / 2))
    model = train([table], link_type="dedupe_only", prior=prior, db_api=db_api)
    raw = model.predict(thresholds.lower)
    candidates = raw.attrs.get("candidate_pairs", 0)
    if raw.empty:
        result = empty_result()
        result.attrs["candidate_pairs"] = candidates
        return result
    out = _output(raw, left="l", right="r")
    out["found"] |= (raw["dob_estimated_r"] == 1).to_numpy()
    out = out[
        (out["match_probability"] >= thresholds.lower)
        | found_child_candidates(
            out.sort_values(BEST_FIRST, ascending=[True, False, True], kind="stable")
        ).reindex(out.index)
    ]
    link = (out["match_probability"] >= thresholds.upper) & _linkable(out)
    out.insert(4, "decision", link.map({True: "link", False: "review"}))
    out = out.reset_index(drop=True)
    out.attrs["candidate_pairs"] = candidates
    return out


def empty_result() -> pd.DataFrame:
    """The result of a run with nothing to link."""
    return pd.DataFrame(columns=["record_id", "register_id", "match_weight", "match_probability", "decision"])
