"""A synthetic national population for the register service, demos and linkage benchmarks.

Framework-free (numpy and pandas only) so that a benchmark can make ten million people without Django.
Everything is drawn with numpy in whole arrays, one chunk of people at a time; a seed reproduces the
same population.

What is modelled, roughly (approximations, good for synthetic data, not for statistics):

- households: a couple with children at home (55 %), a single mother with children (7 %), a couple
  alone (18 %), a person alone (20 %); one to four children, 1.5 to 5 years apart; mothers are 17 to 40
  at a first birth and at most 45 at the last, fathers about three years older than mothers;
- names by the frequency tables of haven.lib.vnnames (surname, middle and given name by sex, "Văn" and
  "Thị" more common in older cohorts); children carry their father's surname, or their mother's when
  she raises them alone;
- sex ratio at birth 112 boys to 100 girls (Vietnam, 2019 census);
- the 34 provinces and 3,321 communes of 2025 (wards weighted twice a rural commune); 12 % of households
  still give their pre-2025 commune (old_commune_code), from the old-to-new list in
  data/legacy_communes.csv.gz;
- the PIN (haven.lib.pin): the 3-digit code of the province where the birth was registered (the old
  province of the household's old commune for births before 1 July 2025, 20 % of adults born in
  another province, the 2025 province afterwards), the century-and-sex digit, the year of birth and six
  random digits, unique across the population.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from haven.lib import vnnames
from haven.lib.pin import FIRST_CENTURY_YEAR

COLUMNS = [
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
    "old_commune_code",
    "household_id",
    "mother_id",
    "father_id",
    "mother_name",
    "father_name",
]
LINK_COLUMNS = [
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
]

LEGACY_COMMUNES = Path(__file__).resolve().parent / "data" / "legacy_communes.csv.gz"
# 1 July 2025: the 34 provinces and 3,321 communes replace the 63 provinces and their districts.
TWO_TIER_REFORM = dt.date(2025, 7, 1)

HOUSEHOLD_KINDS = np.array([0.55, 0.07, 0.18, 0.20])  # family, single mother, couple, alone
COUPLE_WITH_CHILDREN, SINGLE_MOTHER, COUPLE, ALONE = range(4)
CHILDREN_PROBABILITY = np.array([0.32, 0.45, 0.16, 0.07])  # 1, 2, 3, 4 children
MALE_AT_BIRTH = 112 / 212
LAST_BIRTH_AGE = 45.0
OLD_ADDRESS_SHARE = 0.12
BORN_ELSEWHERE_SHARE = 0.20
WARD_WEIGHT = 2.0
CHUNK = 250_000
DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class _Geography:
    commune: np.ndarray  # 2025 commune codes, str
    province: np.ndarray  # the commune's 2025 province code, str
    weight: np.ndarray  # drawing probability of each commune
    legacy_start: np.ndarray  # per commune: first row in legacy_* of the old communes it took over
    legacy_count: np.ndarray
    legacy_commune: np.ndarray  # old commune codes, grouped by 2025 commune
    legacy_province: np.ndarray  # int: old province code of each old commune
    old_provinces: np.ndarray  # int: the 63 pre-2025 province codes


@cache
def _geography() -> _Geography:
    import vietnam_provinces  # the reference list Haven loads into haven.areas

    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    communes, provinces, weights = [], [], []
    for p in data:
        for w in p["wards"]:
            communes.append(f"{w['code']:05d}")
            provinces.append(f"{p['code']:02d}")
            weights.append(WARD_WEIGHT if w["division_type"] == "phường" else 1.0)
    index = {code: i for i, code in enumerate(communes)}
    with gzip.open(LEGACY_COMMUNES, "rt", encoding="utf-8") as f:
        legacy = sorted(
            (index[r["commune_code"]], r["old_commune_code"], int(r["old_province_code"]))
            for r in csv.DictReader(f)
        )
    owner = np.array([r[0] for r in legacy])
    count = np.bincount(owner, minlength=len(communes))
    weight = np.array(weights)
    return _Geography(
        commune=np.array(communes, dtype=object),
        province=np.array(provinces, dtype=object),
        weight=weight / weight.sum(),
        legacy_start=np.concatenate([[0], np.cumsum(count)[:-1]]),
        legacy_count=count,
        legacy_commune=np.array([r[1] for r in legacy], dtype=object),
        legacy_province=np.array([r[2] for r in legacy]),
        old_provinces=np.unique([r[2] for r in legacy]),
    )


@dataclass(frozen=True)
class _Names:
    surnames: np.ndarray
    surname_p: np.ndarray
    middle: dict[str, np.ndarray]  # by sex: the modern middle names
    middle_p: dict[str, np.ndarray]
    given: dict[str, np.ndarray]
    given_p: dict[str, np.ndarray]


def _table(pairs) -> tuple[np.ndarray, np.ndarray]:
    weights = np.array([w for _, w in pairs], dtype=float)
    return np.array([v for v, _ in pairs], dtype=object), weights / weights.sum()


@cache
def _names() -> _Names:
    surnames, surname_p = _table(vnnames.SURNAMES)
    middle, middle_p, given, given_p = {}, {}, {}, {}
    for sex, m, g in (
        ("M", vnnames.MALE_MIDDLE, vnnames.MALE_GIVEN),
        ("F", vnnames.FEMALE_MIDDLE, vnnames.FEMALE_GIVEN),
    ):
        middle[sex], middle_p[sex] = _table(m)
        given[sex], given_p[sex] = _table(g)
    return _Names(surnames, surname_p, middle, middle_p, given, given_p)


TRADITIONAL_MIDDLE = {"M": "Văn", "F": "Thị"}


def _traditional_share(years: np.ndarray) -> np.ndarray:
    """vnnames' chance of "Văn"/"Thị" for each birth year, computed once per distinct year."""
    distinct, inverse = np.unique(years, return_inverse=True)
    return np.array([vnnames._traditional_share(int(y)) for y in distinct])[inverse]


def _draw_names(
    rng: np.random.Generator, sex: np.ndarray, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Middle and given names for people of ``sex`` ("M"/"F") born in ``years``, like vnnames.person_name."""
    names = _names()
    n = len(sex)
    middle = np.empty(n, dtype=object)
    given = np.empty(n, dtype=object)
    traditional = rng.random(n) < _traditional_share(years)
    two_syllables = traditional & (rng.random(n) < vnnames._TWO_SYLLABLE_MIDDLE)
    for s in ("M", "F"):
        mine = sex == s
        k = int(mine.sum())
        modern = names.middle[s][rng.choice(len(names.middle[s]), size=k, p=names.middle_p[s])]
        trad = traditional[mine]
        two = two_syllables[mine]
        m = np.where(trad, TRADITIONAL_MIDDLE[s], modern)
        m[two] = TRADITIONAL_MIDDLE[s] + " " + modern[two]
        last = np.where(trad & ~two, TRADITIONAL_MIDDLE[s], modern)
        g = names.given[s][rng.choice(len(names.given[s]), size=k, p=names.given_p[s])]
        clash = g == last  # "Nguyễn Minh Minh" does not occur: draw the given name again
        while clash.any():
            g[clash] = names.given[s][
                rng.choice(len(names.given[s]), size=int(clash.sum()), p=names.given_p[s])
            ]
            clash = g == last
        middle[mine], given[mine] = m, g
    return middle, given


def _surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    names = _names()
    return names.surnames[rng.choice(len(names.surnames), size=n, p=names.surname_p)]


def _days(today: dt.date) -> int:
    return (today - dt.date(1970, 1, 1)).days


def _households(rng: np.random.Generator, size: int, today: int) -> dict[str, np.ndarray]:
    """Exactly ``size`` people in whole households: one row per person, as arrays."""
    # Enough households on average, then cut at the last whole household and top up with people alone.
    kinds = rng.choice(4, size=int(size / 2.6) + 16, p=HOUSEHOLD_KINDS)
    h = len(kinds)
    with_children = (kinds == COUPLE_WITH_CHILDREN) | (kinds == SINGLE_MOTHER)
    # The mother's (or the one adult's) age today and the children she has at home.
    first_birth_age = np.clip(rng.normal(25.0, 4.0, h), 17.0, 40.0)
    mother_age = np.where(
        with_children,
        first_birth_age + rng.uniform(0.0, 22.0, h),
        np.where(kinds == COUPLE, rng.uniform(21.0, 88.0, h), rng.uniform(18.0, 92.0, h)),
    )
    wanted = np.where(with_children, rng.choice(4, size=h, p=CHILDREN_PROBABILITY) + 1, 0)
    gaps = np.cumsum(np.column_stack([np.zeros(h), rng.uniform(1.5, 5.0, (h, 3))]), axis=1)
    child_age = (mother_age - first_birth_age)[:, None] - gaps  # years; < 0 is not born yet
    has_child = (
        (np.arange(4)[None, :] < wanted[:, None])
        & (child_age >= 0)
        & (first_birth_age[:, None] + gaps <= LAST_BIRTH_AGE)
    )
    children = has_child.sum(axis=1)
    adults = np.select([kinds == SINGLE_MOTHER, kinds == ALONE], [1, 1], 2)
    people = adults + children
    keep = int(np.searchsorted(np.cumsum(people), size, side="right"))
    alone = size - int(people[:keep].sum())
    kinds = np.concatenate([kinds[:keep], np.full(alone, ALONE)])
    mother_age = np.concatenate([mother_age[:keep], rng.uniform(18.0, 92.0, alone)])
    has_child = np.concatenate([has_child[:keep], np.zeros((alone, 4), dtype=bool)])
    child_age = np.concatenate([child_age[:keep], np.zeros((alone, 4))])
    adults = np.concatenate([adults[:keep], np.ones(alone, dtype=int)])
    h = len(kinds)

    # The first adult: a woman in a family, either sex alone; the second: her husband, ~3 years older.
    first_sex = np.where((kinds == ALONE) & (rng.random(h) < 0.5), "M", "F").astype(object)
    husband_age = np.maximum(18.0, mother_age + np.clip(rng.normal(3.0, 3.0, h), -3.0, 15.0))
    first_dob = today - np.floor(mother_age * DAYS_PER_YEAR).astype(np.int64)
    second_dob = today - np.floor(husband_age * DAYS_PER_YEAR).astype(np.int64)
    household = np.arange(h)

    # One row per person: first adults, then husbands, then children by birth order.
    parts_household = [household, household[adults == 2]]
    parts_role = [np.zeros(h, dtype=np.int8), np.ones(int((adults == 2).sum()), dtype=np.int8)]
    parts_sex = [first_sex, np.full(int((adults == 2).sum()), "M", dtype=object)]
    parts_dob = [first_dob, second_dob[adults == 2]]
    for k in range(4):
        born = has_child[:, k]
        n = int(born.sum())
        parts_household.append(household[born])
        parts_role.append(np.full(n, 2 + k, dtype=np.int8))
        parts_sex.append(np.where(rng.random(n) < MALE_AT_BIRTH, "M", "F").astype(object))
        parts_dob.append(today - np.floor(child_age[born, k] * DAYS_PER_YEAR).astype(np.int64))
    person_household = np.concatenate(parts_household)
    order = np.lexsort((np.concatenate(parts_role), person_household))
    return {
        "kind": kinds,
        "household": person_household[order],
        "role": np.concatenate(parts_role)[order],  # 0 first adult, 1 husband, 2.. children
        "sex": np.concatenate(parts_sex)[order],
        "dob": np.concatenate(parts_dob)[order],
    }


def _chunk(
    rng: np.random.Generator, size: int, today: dt.date, first_id: int, first_household: int
) -> pd.DataFrame:
    geo = _geography()
    t = _days(today)
    people = _households(rng, size, t)
    kinds, household, role, sex, dob = (people[k] for k in ("kind", "household", "role", "sex", "dob"))
    h = len(kinds)
    n = len(household)
    index = np.arange(n)
    dates = dob.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970

    # Where each household lives, the old commune it may still give, and where its members were born.
    commune = rng.choice(len(geo.commune), size=h, p=geo.weight)
    has_legacy = geo.legacy_count[commune] > 0
    pick = geo.legacy_start[commune] + np.floor(
        rng.random(h) * np.maximum(geo.legacy_count[commune], 1)
    ).astype(np.int64)
    pick = np.where(has_legacy, pick, 0)
    old_commune = np.where(has_legacy & (rng.random(h) < OLD_ADDRESS_SHARE), geo.legacy_commune[pick], "")
    home_old_province = np.where(
        has_legacy, geo.legacy_province[pick], geo.province[commune].astype(np.int64)
    )
    birth_province = home_old_province[household]
    elsewhere = (role < 2) & (rng.random(n) < BORN_ELSEWHERE_SHARE)
    birth_province[elsewhere] = rng.choice(geo.old_provinces, size=int(elsewhere.sum()))
    after_reform = dob >= _days(TWO_TIER_REFORM)
    birth_province[after_reform] = geo.province[commune[household[after_reform]]].astype(np.int64)

    # Names: a family's surname is the father's, or the mother's when she is alone with her children.
    family = _surnames(rng, n)
    head = np.searchsorted(household, np.arange(h))  # row of each household's first adult
    has_husband = (kinds == COUPLE_WITH_CHILDREN) | (kinds == COUPLE)
    father_row = np.where(has_husband, head + 1, -1)
    is_child = role >= 2
    child_father = father_row[household]
    inherits = np.where(
        is_child & (child_father >= 0), child_father, np.where(is_child, head[household], index)
    )
    family = family[inherits]
    middle, given = _draw_names(rng, sex, years)
    ids = _codes("P", index + first_id, 9)
    mother = np.where(is_child, head[household], -1)
    father = np.where(is_child, child_father, -1)

    def linked(rows: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
        """The parent's identifier (or full name when ``values`` is None) for each row, "" if none."""
        out = np.full(n, "", dtype=object)
        known = rows >= 0
        parent = rows[known]
        if values is None:
            out[known] = family[parent] + " " + middle[parent] + " " + given[parent]
        else:
            out[known] = values[parent]
        return out

    df = pd.DataFrame(
        {
            "id": ids,
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "sex": sex,
            "date_of_birth": np.datetime_as_string(dates, unit="D"),
            "dob_estimated": "0",
            "birth_province": birth_province,
            "commune_code": geo.commune[commune[household]],
            "province_code": geo.province[commune[household]],
            "old_commune_code": old_commune[household],
            "household_id": _codes("H", household + first_household, 9),
            "mother_id": linked(mother, ids),
            "father_id": linked(father, ids),
            "mother_name": linked(mother),
            "father_name": linked(father),
        }
    )
    df.attrs["years"] = years
    return df


def _codes(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + each number zero-padded to ``width`` digits, as an array of str."""
    text = np.strings.zfill(numbers.astype(np.int64).astype(np.dtypes.StringDType()), width)
    return np.strings.add(prefix, text).astype(object) if prefix else text.astype(object)


class _PinIssuer:
    """Issues the six random digits of each PIN so that no PIN is issued twice in the population.

    Within one prefix (province, century-and-sex digit, year) the n-th person gets a secret
    permutation of n: a random offset per prefix, then four Feistel rounds on the two 3-digit halves.
    A permutation never repeats, so uniqueness needs no look-up, and the digits still look random.
    """

    ROUNDS = 4

    def __init__(self, rng: np.random.Generator) -> None:
        self.issued = np.zeros(10_000_000, dtype=np.int32)  # per prefix (7 digits): how many so far
        self.offset = rng.integers(0, 1_000_000, size=10_000_000, dtype=np.int32)
        self.rounds = rng.integers(0, 1000, size=(self.ROUNDS, 1000))

    def issue(self, province: np.ndarray, sex: np.ndarray, years: np.ndarray) -> np.ndarray:
        digit = 2 * ((years - FIRST_CENTURY_YEAR) // 100) + (sex == "F")
        prefix = (province.astype(np.int64) * 10 + digit) * 100 + years % 100
        order = np.argsort(prefix, kind="stable")
        ordered = prefix[order]
        starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
        sizes = np.diff(np.r_[starts, len(ordered)])
        rank = np.empty(len(prefix), dtype=np.int64)
        rank[order] = np.arange(len(prefix)) - np.repeat(starts, sizes) + self.issued[ordered]
        if len(prefix):
            np.add.at(self.issued, ordered[starts], sizes)
            if self.issued.max() > 1_000_000:
                raise OverflowError("more than a million people share a PIN prefix")
        x = (rank + self.offset[prefix]) % 1_000_000
        left, right = x // 1000, x % 1000
        for table in self.rounds:
            left, right = right, (left + table[right]) % 1000
        return prefix * 1_000_000 + left * 1000 + right


def population_chunks(
    size: int, *, today: dt.date, seed: int = 0, progress: bool = False, chunk: int = CHUNK
) -> Iterator[pd.DataFrame]:
    """The population of ``population`` in pieces of about ``chunk`` people (whole households), for
    writers that must not hold ten million rows at once. Ages are counted to ``today``, given by the
    caller (Haven's clock, or a fixed day for a reproducible benchmark): this module reads no clock."""
    if size < 0:
        raise ValueError("size must not be negative")
    sequence = np.random.SeedSequence(seed)
    pins = _PinIssuer(np.random.default_rng(sequence.spawn(1)[0]))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=size, unit=" people", unit_scale=True, desc="population")
    made = households = 0
    try:
        for child_seed in sequence.spawn(max(1, -(-size // chunk))):
            n = min(chunk, size - made)
            if n <= 0:
                break
            df = _chunk(np.random.default_rng(child_seed), n, today, made + 1, households + 1)
            years = df.attrs.pop("years")
            numbers = pins.issue(df.pop("birth_province").to_numpy(), df["sex"].to_numpy(), years)
            df.insert(7, "pin", _codes("", numbers, 12))
            made += n
            households = int(df["household_id"].iloc[-1][1:])
            if bar is not None:
                bar.update(n)
            yield df[COLUMNS].astype("str")
    finally:
        if bar is not None:
            bar.close()


def population(size: int, *, today: dt.date, seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """``size`` people in households, one row per person, with the columns of ``COLUMNS``."""
    chunks = list(population_chunks(size, seed=seed, today=today, progress=progress))
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return pd.concat(chunks, ignore_index=True)


def write_link_csv(df: pd.DataFrame, path) -> None:
    """Write the columns of the link files (``haven link files``), in their order, as UTF-8 CSV."""
    df[LINK_COLUMNS].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
