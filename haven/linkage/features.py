"""Turn input records (the link-file columns) into the columns the linkage model compares.

Everything Vietnamese happens here, in Python, once per distinct value, so that the model's SQL
stays plain (equality, Jaro-Winkler on ASCII, integer differences) and runs the same on DuckDB and
on Spark. Edit distances and Jaro-Winkler are computed on the folded ASCII forms, where a byte is a
character (anchors.md §E.2: DuckDB's `levenshtein` counts bytes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from haven.lib import pin as pinlib
from haven.linkage.normalise import WEAK_MIDDLE, canonical, fold_word, parse_name, surname_class

# The columns of a link file (issue #5 item 6); `old_commune_code` is optional, for registers that
# keep a person's pre-2025 commune.
INPUT_COLUMNS: tuple[str, ...] = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "pin",
    "commune_code",
    "province_code",
    "mother_name",
    "father_name",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("old_commune_code",)
# The blocking keys of found children (prepare, model.blocking_rules).
FOUND_KEYS: tuple[str, ...] = ("name_key", "given_middle_key", "family_middle_key")

_EPOCH = pd.Timestamp("1970-01-01")


def _blank_to_none(series: pd.Series) -> pd.Series:
    s = series.fillna("").astype(str).str.strip()
    return s.astype("object").where(s != "", None)


def _fold(text: str) -> str:
    return " ".join(fold_word(w) for w in text.split())


def _names(df: pd.DataFrame) -> pd.DataFrame:
    parts = df[["family_name", "middle_name", "given_name"]].fillna("").astype(str)
    distinct = parts.drop_duplicates()
    rows = []
    for family, middle, given in distinct.itertuples(index=False):
        parsed = parse_name(family, middle, given)
        family_f, given_f, full_f = fold_word(parsed.family), fold_word(parsed.given), _fold(parsed.full)
        rows.append(
            (
                family,
                middle,
                given,
                parsed.family or None,
                family_f or None,
                surname_class(family_f) or None,
                fold_word(parsed.second_surname) or None,
                " ".join(t for t in _fold(parsed.middle).split() if t not in WEAK_MIDDLE) or None,
                _fold(parsed.middle) or None,
                parsed.given or None,
                given_f or None,
                "".join(sorted(given_f)) or None,
                full_f or None,
                " ".join(sorted(full_f.split())) or None,
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "family_name",
            "middle_name",
            "given_name",
            "family_a",
            "family_f",
            "family_class",
            "surname2_f",
            "middle_core_f",
            "middle_f",
            "given_a",
            "given_f",
            "given_letters",
            "full_f",
            "name_set_f",
        ],
    )
    return parts.merge(table, how="left", on=["family_name", "middle_name", "given_name"]).drop(
        columns=["family_name", "middle_name", "given_name"]
    )


def _folded_names(series: pd.Series) -> pd.Series:
    values = series.fillna("").astype(str)
    mapping = {v: (_fold(canonical(v)) or None) for v in values.unique()}
    return values.map(mapping)


def _pin_ok(pins: pd.Series, sex: pd.Series, year: pd.Series, estimated: pd.Series) -> pd.Series:
    """True where the PIN's structure holds and agrees with the record's sex and birth year
    (the rules of haven.lib.pin, on whole columns). An estimated date of birth says nothing sure
    about the year."""
    p = pins.fillna("").astype(str)
    well_formed = p.str.fullmatch(r"\d{12}") & p.str[:3].isin(pinlib.PROVINCE_CODES)
    digit = pd.to_numeric(p.str[3].where(well_formed), errors="coerce")
    yy = pd.to_numeric(p.str[4:6].where(well_formed), errors="coerce")
    pin_year = pinlib.FIRST_CENTURY_YEAR + 100 * (digit // 2) + yy
    pin_sex = (digit % 2).map({0: "M", 1: "F"})
    sex_agrees = sex.isna() | (pin_sex == sex)
    year_agrees = year.isna() | estimated | (pin_year == year.astype("float"))
    return (well_formed & sex_agrees & year_agrees).fillna(False)


def prepare(df: pd.DataFrame, *, check_pin_structure: bool = True) -> pd.DataFrame:
    """The model's input table for `df` (link-file columns, strings, empty where unknown).

    With ``check_pin_structure`` a PIN that breaks the legal structure or disagrees with the record's
    sex or birth year is flagged as suspect (anchors.md §E.3); for identifiers of other countries
    (FEBRL's social security numbers) there is no structure to check.
    """
    out = pd.DataFrame(index=df.index)
    out["unique_id"] = df["id"].astype(str)
    out = pd.concat([out, _names(df).set_index(df.index)], axis=1)
    sex = _blank_to_none(df["sex"]).map(lambda s: s.upper() if s else None)
    out["sex"] = sex.where(sex.isin(["M", "F"]), None)
    dob = pd.to_datetime(df["date_of_birth"], format="%Y-%m-%d", errors="coerce")
    out["dob"] = df["date_of_birth"].astype("object").where(dob.notna(), None)
    out["dob_days"] = ((dob - _EPOCH).dt.days).astype("Int64")
    # A date with the year alone ("2015": the day and month are not known) still gives the year.
    year_only = df["date_of_birth"].fillna("").astype(str).str.fullmatch(r"\d{4}")
    year = pd.to_numeric(df["date_of_birth"].where(year_only), errors="coerce")
    out["birth_year"] = dob.dt.year.astype("Int64").fillna(year.astype("Int64"))
    out["birth_month"] = out["dob"].str[:7]
    out["birthday"] = out["dob"].str[5:]  # the day and month, "03-04"
    swappable = dob.notna() & (dob.dt.day <= 12) & (dob.dt.day != dob.dt.month)
    swapped = pd.to_datetime(
        dob.dt.year.astype("Int64").astype(str)
        + "-"
        + dob.dt.day.astype("Int64").astype(str)
        + "-"
        + dob.dt.month.astype("Int64").astype(str),
        format="%Y-%m-%d",
        errors="coerce",
    )
    out["dob_swapped"] = swapped.dt.strftime("%Y-%m-%d").where(swappable, None)
    # A date with the year alone is an estimate whatever the flag says (linkfile sets it too).
    estimated = df["dob_estimated"].fillna("").astype(str).str.strip().isin(["1", "true", "True"]) | year_only
    out["dob_estimated"] = estimated.astype("int64")
    out["pin"] = _blank_to_none(df["pin"])
    if check_pin_structure:
        out["pin_ok"] = _pin_ok(out["pin"], out["sex"], out["birth_year"], estimated).astype("int64")
    else:
        out["pin_ok"] = out["pin"].notna().astype("int64")
    out["commune_code"] = _blank_to_none(df["commune_code"])
    old = df["old_commune_code"] if "old_commune_code" in df else pd.Series(None, index=df.index)
    out["old_commune_code"] = _blank_to_none(old)
    out["province_code"] = _blank_to_none(df["province_code"])
    # Blocking keys for found children (model.blocking_rules): parts of the name on every row, and
    # the same on the rows with an estimated date of birth only (found_*), so that the join is small.
    # The family and given name; the given and middle name (a typo in the family name); the family
    # and middle name and the given name's first letter (a typo in the given name).
    keys = {  # in the order of FOUND_KEYS
        "name_key": [out["family_f"], out["given_f"]],
        "given_middle_key": [out["given_f"], out["middle_f"]],
        "family_middle_key": [out["family_f"], out["middle_f"], out["given_f"].str[:1]],
    }
    for key, parts in keys.items():
        known = pd.concat(parts, axis=1).notna().all(axis=1)
        out[key] = pd.concat(parts, axis=1).where(known).fillna("").agg("|".join, axis=1).where(known, None)
        out[f"found_{key}"] = out[key].where(out["dob_estimated"] == 1, None)
    out["mother_f"] = _folded_names(df["mother_name"])
    out["father_f"] = _folded_names(df["father_name"])
    return out.replace({np.nan: None}).reset_index(drop=True)
