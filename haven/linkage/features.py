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
from haven.lib.vietnamese import fold
from haven.linkage.normalise import WEAK_MIDDLE, canonical, parse_name, surname_class

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

_EPOCH = pd.Timestamp("1970-01-01")


def _blank_to_none(series: pd.Series) -> pd.Series:
    s = series.astype("object").where(series.notna(), None)
    return s.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())


def _names(df: pd.DataFrame) -> pd.DataFrame:
    parts = df[["family_name", "middle_name", "given_name"]].fillna("").astype(str)
    distinct = parts.drop_duplicates()
    rows = []
    for family, middle, given in distinct.itertuples(index=False):
        parsed = parse_name(family, middle, given)
        family_f, given_f = fold(parsed.family), fold(parsed.given)
        middle_tokens = fold(parsed.middle).split()
        rows.append(
            (
                family,
                middle,
                given,
                parsed.family or None,
                family_f or None,
                surname_class(family_f) or None,
                " ".join(t for t in middle_tokens if t not in WEAK_MIDDLE) or None,
                parsed.given or None,
                given_f or None,
                fold(parsed.full) or None,
                " ".join(sorted(fold(parsed.full).split())) or None,
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
            "middle_core_f",
            "given_a",
            "given_f",
            "full_f",
            "name_set_f",
        ],
    )
    return parts.merge(table, how="left", on=["family_name", "middle_name", "given_name"]).drop(
        columns=["family_name", "middle_name", "given_name"]
    )


def _folded_names(series: pd.Series) -> pd.Series:
    values = series.fillna("").astype(str)
    mapping = {v: (fold(canonical(v)) or None) for v in values.unique()}
    return values.map(mapping)


def _pin_ok(pins: pd.Series, sex: pd.Series, year: pd.Series) -> pd.Series:
    """True where the PIN's structure holds and agrees with the record's sex and birth year."""

    def check(value: str | None, s: str | None, y: float) -> bool:
        if value is None:
            return False
        try:
            pinlib.parse(
                value,
                sex={"M": "male", "F": "female"}.get(s or ""),
                birth_year=None if pd.isna(y) else int(y),
            )
        except pinlib.InvalidPin:
            return False
        return True

    return pd.Series([check(p, s, y) for p, s, y in zip(pins, sex, year, strict=True)], index=pins.index)


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
    out["dob"] = dob.dt.strftime("%Y-%m-%d").where(dob.notna(), None)
    out["dob_days"] = ((dob - _EPOCH).dt.days).astype("Int64")
    out["birth_year"] = dob.dt.year.astype("Int64")
    out["birth_month"] = dob.dt.strftime("%Y-%m").where(dob.notna(), None)
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
    estimated = df["dob_estimated"].fillna("").astype(str).str.strip().isin(["1", "true", "True"])
    out["dob_estimated"] = estimated.astype("int64")
    out["pin"] = _blank_to_none(df["pin"])
    if check_pin_structure:
        out["pin_ok"] = _pin_ok(out["pin"], out["sex"], out["birth_year"]).astype("int64")
    else:
        out["pin_ok"] = out["pin"].notna().astype("int64")
    out["commune_code"] = _blank_to_none(df["commune_code"])
    old = df["old_commune_code"] if "old_commune_code" in df else pd.Series(None, index=df.index)
    out["old_commune_code"] = _blank_to_none(old)
    out["province_code"] = _blank_to_none(df["province_code"])
    out["mother_f"] = _folded_names(df["mother_name"])
    out["father_f"] = _folded_names(df["father_name"])
    return out.replace({np.nan: None}).reset_index(drop=True)
