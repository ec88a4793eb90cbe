"""The Vietnamese linkage benchmark: children's records made from a synthetic population, with the
errors that real records carry (anchors.md §E), and the ground truth.

Input is `haven.population.generate.population()` output. A share of the sampled children is taken
out of the register, so that some records have no person to find; a share is recorded twice (the same
child registered at two places). Seeded: the same seed gives the same benchmark.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, fields

import pandas as pd

from haven.lib import vnnames
from haven.lib.vietnamese import fold
from haven.linkage.features import INPUT_COLUMNS

__all__ = ["KIND_COLUMNS", "Benchmark", "Rates", "corrupt"]

_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_TELEX_TONES = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_TELEX_LETTERS = {"đ": "dd", "â": "aa", "ă": "aw", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw"}
_LETTERS = "abcdeghiklmnopqrstuvxy"


@dataclass(frozen=True)
class Rates:
    """Share of records with each error. Rough guesses from anchors.md §E; change them to test."""

    no_pin: float = 0.5
    wrong_pin_digit: float = 0.03
    wrong_pin_prefix: float = 0.01  # a wrong digit in the province, sex/century or year part
    typo: float = 0.06
    no_diacritics: float = 0.15
    wrong_tone: float = 0.05
    swapped_order: float = 0.03
    concatenated: float = 0.02
    telex: float = 0.02
    telex_mid_word: float = 0.01  # the tone key typed before the final consonant: "Nguyeexn"
    day_month_swap: float = 0.03
    dob_typo: float = 0.02
    year_off: float = 0.03  # the year of birth one off, day and month right (an ordinary record)
    estimated_dob: float = 0.04  # found children (below: how their records differ)
    estimated_far: float = 0.25  # of dates found kept as such: 61 to 300 days off
    # Of found children: the day and month unknown, the year off by up to one, written as the year
    # alone or as 1 January of it (a placeholder); the others keep the date they were found.
    estimated_year_only: float = 0.5
    estimated_placeholder: float = 0.2
    found_no_commune: float = 0.4  # of found children: no commune at all
    found_discovery_commune: float = 0.4  # of found children: the commune where they were found
    discovery_same_province: float = 0.7  # of those: a commune of the province they were born in
    found_with_pin: float = 0.1  # of found children: a PIN (known later) in the record
    old_address: float = 0.5  # of people whose household still has a pre-2025 commune
    moved: float = 0.05
    no_commune: float = 0.05  # of ordinary records: no commune (the province kept)
    no_parent_name: float = 0.3
    no_sex: float = 0.01
    twins: float = 0.01  # of drawn children: a twin (same parents, date, place; other name) is added
    # Of the children in the population: the mother's surname after the father's ("Nguyễn Phạm Minh
    # Anh"), a naming that is becoming common; a guess, no published share.
    dual_surname: float = 0.03
    dual_surname_dropped: float = 0.3  # of their records: written without the second surname
    dual_surname_unregistered: float = 0.1  # of them: the register has only the first surname
    # As a spreadsheet writes them (haven.linkage.linkfile reads them back): codes kept as numbers,
    # without their leading zeros; dates day first.
    numeric_codes: float = 0.3
    day_first_dates: float = 0.3

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# The kinds of record that recall is reported by (evaluate.by_kind).
KIND_COLUMNS = ("found", "pin", "commune", "parents", "year_off")


@dataclass(frozen=True)
class Benchmark:
    records: pd.DataFrame  # link-file columns, written as a spreadsheet would (linkfile.read_frame)
    register: pd.DataFrame  # the population without the children who are not to be found
    truth: pd.DataFrame  # record_id, person_id for every record whose person is in the register
    clusters: pd.DataFrame  # record_id, person_id for every record (the truth for deduplication)
    # record_id and what kind of record it is: found (a found child's), pin (has one), commune
    # ("birth", "other", "none"), parents ("both", "one", "none"), year_off (an ordinary record's
    # year one off).
    kinds: pd.DataFrame | None = None


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 2:
        return s
    i = rng.randrange(len(s))
    kind = rng.choice(("substitute", "delete", "insert", "transpose"))
    if kind == "substitute":
        return s[:i] + rng.choice(_LETTERS) + s[i + 1 :]
    if kind == "delete":
        return s[:i] + s[i + 1 :]
    if kind == "insert":
        return s[:i] + rng.choice(_LETTERS) + s[i:]
    i = min(i, len(s) - 2)
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def _strip_diacritics(s: str) -> str:
    folded = fold(s)
    return " ".join(w[:1].upper() + w[1:] for w in folded.split())


def _wrong_tone(rng: random.Random, s: str) -> str:
    """Change or drop the tone of one syllable (hỏi/ngã confusion and the like)."""
    decomposed = unicodedata.normalize("NFD", s)
    positions = [i for i, c in enumerate(decomposed) if c in _TONES]
    if not positions:
        return s
    i = rng.choice(positions)
    replacement = rng.choice([t for t in _TONES if t != decomposed[i]] + [""])
    return unicodedata.normalize("NFC", decomposed[:i] + replacement + decomposed[i + 1 :])


def _telex(s: str, *, mid_word: bool = False) -> str:
    """Write the syllables as Telex keystrokes: "Nguyễn" → "Nguyeenx" ("Nguyeexn" with `mid_word`:
    the tone key right after the vowels, before the final consonant)."""
    words = []
    for word in s.split():
        tone = ""
        out = []
        for c in unicodedata.normalize("NFD", word):
            if c in _TELEX_TONES:
                tone = _TELEX_TONES[c]
            elif unicodedata.combining(c):
                base = out.pop()
                composed = unicodedata.normalize("NFC", base + c)
                out.append(_TELEX_LETTERS.get(composed.lower(), composed))
            else:
                out.append(_TELEX_LETTERS.get(c.lower(), c) if c in "đĐ" else c)
        text = "".join(out)
        text = text[:1].upper() + text[1:] if word[:1].isupper() else text
        end = len(text.rstrip("bcdghklmnpqrstvx")) if mid_word and tone else len(text)
        words.append(text[:end] + tone + text[end:])
    return " ".join(words)


def _shift(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def _without_second_surname(middle: str) -> str:
    """The middle name field of a child with two surnames, the second (its first word) left out."""
    return middle.split(" ", 1)[1] if " " in middle else middle


def _dual_surnames(
    rng: random.Random, population: pd.DataFrame, children: pd.Index, share: float
) -> tuple[pd.DataFrame, dict[str, str]]:
    """`share` of the `children` (row labels) given their mother's surname as a second surname, at
    the start of the middle name field; a child whose mother has the father's surname (or is not
    known) gets another one. Returns the population and each such child's second surname by id."""
    if not share or children.empty:
        return population, {}
    picked = population.loc[children].sample(frac=share, random_state=rng.randrange(2**31))
    surnames = [s for s, _ in vnnames.SURNAMES]
    weights = [w for _, w in vnnames.SURNAMES]
    second = {}
    for pid, family, mother in picked[["id", "family_name", "mother_name"]].itertuples(index=False):
        surname = (mother or "").split(" ", 1)[0]
        while not surname or surname == family:
            surname = rng.choices(surnames, weights)[0]
        second[pid] = surname
    middle = population["middle_name"].copy()
    middle.loc[picked.index] = picked["id"].map(second) + " " + picked["middle_name"]
    return population.assign(middle_name=middle), second


def _ordinary_address(
    rng: random.Random, rec: dict, rates: Rates, communes_by_province: dict, kind: dict
) -> None:
    if rec.get("old_commune_code") and rng.random() < rates.old_address:
        rec["commune_code"] = rec["old_commune_code"]
    elif rng.random() < rates.moved:
        rec["commune_code"] = rng.choice(
            communes_by_province.get(rec["province_code"], [rec["commune_code"]])
        )
        kind["commune"] = "other"
    elif rng.random() < rates.no_commune:
        rec["commune_code"] = ""
        kind["commune"] = "none"


def _corrupt_one(
    rng: random.Random, row: dict, rates: Rates, communes_by_province: dict, today: dt.date
) -> tuple[dict, dict]:
    rec = dict(row)
    names = ["family_name", "middle_name", "given_name"]
    if rec.pop("second_surname", "") and rng.random() < rates.dual_surname_dropped:
        rec["middle_name"] = _without_second_surname(rec["middle_name"])
    if rng.random() < rates.typo:
        field = rng.choice(names)
        rec[field] = _typo(rng, rec[field])
    if rng.random() < rates.wrong_tone:
        field = rng.choice(names)
        rec[field] = _wrong_tone(rng, rec[field])
    if rng.random() < rates.telex:
        field = rng.choice(names)
        rec[field] = _telex(rec[field])
    elif rng.random() < rates.telex_mid_word:
        field = rng.choice(names)
        rec[field] = _telex(rec[field], mid_word=True)
    if rng.random() < rates.no_diacritics:
        for field in [*names, "mother_name", "father_name"]:
            rec[field] = _strip_diacritics(rec[field])
    if rng.random() < rates.concatenated and rec["middle_name"]:
        rec["given_name"] = rec["middle_name"].replace(" ", "") + rec["given_name"]
        rec["middle_name"] = ""
    if rng.random() < rates.swapped_order:
        # Western order in the fields: given name first, family name last.
        rec["family_name"], rec["given_name"] = rec["given_name"], rec["family_name"]
    dob = rec["date_of_birth"]
    found = rng.random() < rates.estimated_dob
    kind = {"found": found, "year_off": False, "commune": "birth"}
    if found:
        # A found child: the date found, or only a year, stands in for the date of birth (Decree
        # 123/2015 art. 14); no parents' names; often no commune, or the commune where it was found.
        rec["dob_estimated"] = "1"
        rec["mother_name"] = rec["father_name"] = ""
        # Found today at the latest: an estimate is never after the day it is made.
        year = str(min(int(dob[:4]) + rng.choice((-1, 0, 1)), today.year))
        what = rng.random()
        if what < rates.estimated_year_only:
            rec["date_of_birth"] = year
        elif what < rates.estimated_year_only + rates.estimated_placeholder:
            rec["date_of_birth"] = f"{year}-01-01"
        else:
            far = rng.random() < rates.estimated_far
            shifted = _shift(dob, rng.choice((-1, 1)) * rng.randint(61, 300) if far else rng.randint(-45, 45))
            rec["date_of_birth"] = min(shifted, today.isoformat())
        where = rng.random()
        if where < rates.found_no_commune:
            rec["commune_code"] = rec["province_code"] = ""
            kind["commune"] = "none"
        elif where < rates.found_no_commune + rates.found_discovery_commune:
            province = rec["province_code"]
            if rng.random() >= rates.discovery_same_province:
                province = rng.choice(sorted(communes_by_province))
            rec["commune_code"] = rng.choice(communes_by_province[province])
            rec["province_code"] = province
            kind["commune"] = "other"
    elif rng.random() < rates.day_month_swap and int(dob[8:]) <= 12 and dob[5:7] != dob[8:]:
        rec["date_of_birth"] = f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"
    elif rng.random() < rates.dob_typo:
        rec["date_of_birth"] = _shift(dob, rng.choice((-3, -2, -1, 1, 2, 3)))
    elif rng.random() < rates.year_off and dob[5:] != "02-29":
        rec["date_of_birth"] = f"{int(dob[:4]) + rng.choice((-1, 1))}{dob[4:]}"
        kind["year_off"] = True
    if not found:
        _ordinary_address(rng, rec, rates, communes_by_province, kind)
    pin = rec["pin"]
    if rng.random() < (1 - rates.found_with_pin if found else rates.no_pin):
        rec["pin"] = ""
    elif rng.random() < rates.wrong_pin_digit:
        i = rng.randrange(6, 12)
        rec["pin"] = pin[:i] + str((int(pin[i]) + rng.randint(1, 9)) % 10) + pin[i + 1 :]
    elif pin and rng.random() < rates.wrong_pin_prefix:
        i = rng.randrange(0, 6)
        rec["pin"] = pin[:i] + str((int(pin[i]) + rng.randint(1, 9)) % 10) + pin[i + 1 :]
    for parent in ("mother_name", "father_name"):
        if rng.random() < rates.no_parent_name:
            rec[parent] = ""
        elif rec[parent] and rng.random() < rates.typo:
            rec[parent] = _typo(rng, rec[parent])
    if rng.random() < rates.no_sex:
        rec["sex"] = ""
    kind["pin"] = bool(rec["pin"])
    kind["parents"] = ("none", "one", "both")[bool(rec["mother_name"]) + bool(rec["father_name"])]
    _as_a_spreadsheet_writes(rng, rec, rates)
    return rec, kind


def _as_a_spreadsheet_writes(rng: random.Random, rec: dict, rates: Rates) -> None:
    """Codes kept as numbers (the leading zeros gone) and dates day first, as many files come."""
    if rng.random() < rates.numeric_codes:
        for column in ("commune_code", "province_code"):
            if rec[column]:
                rec[column] = str(int(rec[column]))
    date = rec["date_of_birth"]
    if len(date) == 10 and rng.random() < rates.day_first_dates:
        rec["date_of_birth"] = f"{date[8:]}/{date[5:7]}/{date[:4]}"


def _twins(rng: random.Random, population: pd.DataFrame, chosen: pd.DataFrame, share: float) -> pd.DataFrame:
    """A twin in the register for `share` of the chosen children: the same parents, date of birth,
    sex, place and family and middle name, another given name and its own PIN."""
    taken = set(population["pin"])
    # Given names by sex, drawn by position: sampling a series of millions per twin took minutes.
    given_by_sex = {sex: names.to_numpy() for sex, names in population.groupby("sex")["given_name"]}
    rows = []
    for row in chosen.sample(frac=share, random_state=rng.randrange(2**31)).to_dict("records"):
        same_sex = given_by_sex[row["sex"]]
        names = [
            n for n in (same_sex[rng.randrange(len(same_sex))] for _ in range(20)) if n != row["given_name"]
        ]
        pin = ""
        while row["pin"] and (not pin or pin in taken):
            pin = row["pin"][:6] + f"{rng.randrange(10**6):06d}"
        taken.add(pin)
        rows.append({**row, "id": f"{row['id']}T", "given_name": names[0], "pin": pin})
    return pd.DataFrame(rows, columns=population.columns)


def corrupt(
    population: pd.DataFrame,
    size: int,
    *,
    seed: int = 0,
    rates: Rates = Rates(),
    unmatched: float = 0.05,
    duplicates: float = 0.02,
    today: dt.date,
) -> Benchmark:
    """`size` children's records drawn from the under-18s of `population`, with errors.

    `unmatched` of them are of children removed from the register; `duplicates` are a second record of
    an already drawn child (another place, other errors), for deduplication. Ages are counted to
    ``today``, given by the caller: this module reads no clock.
    """
    rng = random.Random(seed)
    adult_from = today.replace(year=today.year - 18).isoformat()
    under_18 = population.index[population["date_of_birth"] > adult_from]
    population, second = _dual_surnames(rng, population, under_18, rates.dual_surname)
    children = population.loc[under_18]
    n_unique = size - int(size * duplicates)
    if n_unique > len(children):
        raise ValueError(f"the population has {len(children)} children, fewer than {n_unique}")
    chosen = children.sample(n=n_unique, random_state=seed)
    drawn = pd.concat([chosen, chosen.sample(n=size - n_unique, random_state=seed + 1)])
    gone = set(chosen["id"].sample(frac=unmatched, random_state=seed + 2))
    communes_by_province = population.groupby("province_code")["commune_code"].unique().map(list).to_dict()
    population = pd.concat([population, _twins(rng, population, chosen, rates.twins)], ignore_index=True)
    rows, kinds = [], []
    drawn = drawn.assign(second_surname=drawn["id"].map(second).fillna(""))
    for number, row in enumerate(drawn.to_dict("records"), 1):
        rec, kind = _corrupt_one(rng, row, rates, communes_by_province, today)
        rec["person_id"] = row["id"]
        rec["id"] = f"C{number:08d}"
        rows.append(rec)
        kinds.append({"record_id": rec["id"], **kind})
    all_records = pd.DataFrame(rows)
    order = all_records.sample(frac=1.0, random_state=seed + 3)
    records = order[list(INPUT_COLUMNS)].reset_index(drop=True)
    truth = order.loc[~order["person_id"].isin(gone), ["id", "person_id"]].rename(columns={"id": "record_id"})
    register = population[~population["id"].isin(gone)].reset_index(drop=True)
    # Some children's second surname is in their records but not (yet) in the register.
    unregistered = [p for p in sorted(second) if rng.random() < rates.dual_surname_unregistered]
    rows_without = register["id"].isin(unregistered)
    register.loc[rows_without, "middle_name"] = register.loc[rows_without, "middle_name"].map(
        _without_second_surname
    )
    clusters = order[["id", "person_id"]].rename(columns={"id": "record_id"}).reset_index(drop=True)
    return Benchmark(
        records=records,
        register=register,
        truth=truth.reset_index(drop=True),
        clusters=clusters,
        kinds=pd.DataFrame(kinds, columns=["record_id", *KIND_COLUMNS]),
    )
