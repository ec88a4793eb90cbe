"""The register's people within reach of a run's records (issue #20 item 4, at small scale).

Every blocking rule but the PIN's pairs a record with people born within two years of it (the widest
is a found child's date within 400 days; docs/decisions/0021). A run of children's records against a
national register therefore needs only the people born in the records' years, two on either side,
and those who share a PIN with a record: a quarter of the population instead of all of it, and the
same candidate pairs. u is still estimated on random pairs of the whole register (u_sample); term
frequencies and m are those of the people within reach.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["U_SAMPLE", "YEAR_MARGIN", "birth_years", "u_sample", "within_reach"]

YEAR_MARGIN = 2
# People of the whole register for estimating u by random sampling: Splink samples at most two million
# pairs, which a few hundred thousand people already give.
U_SAMPLE = 200_000


def birth_years(frame: pd.DataFrame) -> pd.Series:
    """Each row's year of birth (from YYYY-MM-DD or YYYY), NA where there is none."""
    text = frame["date_of_birth"].fillna("").astype(str).str[:4]
    return pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}")), errors="coerce").astype("Int64")


def within_reach(records: pd.DataFrame, register: pd.DataFrame, *, margin: int = YEAR_MARGIN) -> pd.DataFrame:
    """The rows of `register` that some blocking rule can pair with a row of `records`."""
    years = {int(y) + d for y in birth_years(records).dropna().unique() for d in range(-margin, margin + 1)}
    pins = set(records["pin"].fillna("").astype(str)) - {""}
    keep = birth_years(register).isin(years).fillna(False) | register["pin"].fillna("").astype(str).isin(pins)
    return register[keep.to_numpy()].reset_index(drop=True)


def u_sample(register: pd.DataFrame, *, size: int = U_SAMPLE, seed: int = 0) -> pd.DataFrame:
    """A random sample of the whole register, for random pairs."""
    return (
        register
        if len(register) <= size
        else register.sample(n=size, random_state=seed).reset_index(drop=True)
    )
