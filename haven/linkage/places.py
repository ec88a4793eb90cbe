"""Reading a province or commune as people write it in a spreadsheet: a code that lost its leading
zeros ("8", "1075"), a code with spaces ("01 075"), or a name ("Hà Nội", "Phường Ba Đình", "P. Ba
Đình"). A value is read when it means exactly one place, and refused with the places it could mean
when it does not; nothing is guessed (docs/decisions/0021-linkage-files-and-found-children.md).

Places are those of `vietnam-provinces` (the 34 provinces and 3,321 communes since 1 July 2025) and of
the pre-2025 division (haven/population/data/legacy_communes.csv.gz). A name shared by a 2025 unit and
a pre-2025 one that it took over means one place and reads as the 2025 unit; a pre-2025 name that no
2025 unit carries reads as the pre-2025 code, which the model compares with the register's old code.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from haven.lib.vietnamese import fold, nfc, normalise_tone_placement

__all__ = ["Place", "Reading", "describe", "provinces_of", "read_commune", "read_province"]

LEGACY_COMMUNES = Path(__file__).resolve().parent.parent / "population" / "data" / "legacy_communes.csv.gz"
PROVINCE_WIDTH = 2
COMMUNE_WIDTH = 5
# How many of the places an ambiguous name could mean are named in the message.
SHOWN_CANDIDATES = 5

# Spreadsheets store codes as numbers ("8", "1075", "1075.0"); people type them with spaces.
_NUMERIC = re.compile(r"\d[\d\s.]*")
_TRAILING_ZERO_DECIMAL = re.compile(r"(\d+)\.0+")
# The kind of unit written before its name, with the abbreviations of forms and letters
# (anchors.md §E.5: "Tp.", "P.", "X.", "Tt.").
_COMMUNE_KINDS = {
    **{k: "phường" for k in ("phường", "phuong", "p")},
    **{k: "xã" for k in ("xã", "xa", "x")},
    **{k: "thị trấn" for k in ("thị trấn", "thi tran", "tt")},
    **{k: "đặc khu" for k in ("đặc khu", "dac khu")},
}
_PROVINCE_KINDS = {
    **{k: "thành phố" for k in ("thành phố", "thanh pho", "tp")},
    **{k: "tỉnh" for k in ("tỉnh", "tinh", "t")},
}
# Names of Hồ Chí Minh City that are not its official name.
_PROVINCE_ALIASES = {"hcm": "hồ chí minh", "tphcm": "hồ chí minh", "sài gòn": "hồ chí minh"}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    province: str  # the province's name, to tell namesakes apart in a message
    current: bool  # a unit of the division in force since 1 July 2025


@dataclass(frozen=True)
class Reading:
    """What a written value was read as: a code (`repair` says how it was rewritten, if it was), or
    nothing, with the candidates when the value could mean several places."""

    code: str = ""
    repair: str = ""  # "" (as written), "zeros", "spaces" or "name"
    unknown: bool = False
    candidates: tuple[Place, ...] = ()


def _key(text: str, kinds: dict[str, str]) -> tuple[str, str]:
    """(kind, name) of a written name, lower case, NFC, new-style tones; kind is "" when not written."""
    words = normalise_tone_placement(nfc(text)).lower().replace(".", ". ").split()
    text = " ".join(words)
    for written in sorted(kinds, key=len, reverse=True):
        for form in (written + ".", written):
            if text.startswith(form + " "):
                return kinds[written], text[len(form) :].strip(" .")
    return "", text.strip(" .")


@dataclass
class _Index:
    places: dict[str, Place]  # by code; the 2025 unit where a pre-2025 one had the same code
    by_name: dict[tuple[str, str], set[Place]]  # (kind, name) and ("", name), accented and folded
    successor: dict[str, str]  # pre-2025 commune → the 2025 commune that took it over
    provinces_of: dict[str, frozenset[str]]  # commune → province codes it may be written with


def _add(index: _Index, place: Place, kind: str, name: str) -> None:
    for written in {name, fold(name)}:
        index.by_name[(kind, written)].add(place)
        index.by_name[("", written)].add(place)


@cache
def _provinces() -> _Index:
    import vietnam_provinces

    index = _Index({}, defaultdict(set), {}, {})
    for p in json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        code = f"{p['code']:0{PROVINCE_WIDTH}d}"
        index.places[code] = Place(code, p["name"], p["name"], True)
        kind, name = _key(p["name"], _PROVINCE_KINDS)
        _add(index, index.places[code], kind or "tỉnh", name)
    with gzip.open(LEGACY_COMMUNES, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["old_province_code"]
            kind, name = _key(row["old_province_name"], _PROVINCE_KINDS)
            current = index.by_name.get(("", name))
            place = Place(code, row["old_province_name"], row["old_province_name"], False)
            index.places.setdefault(code, place)
            if not current:  # a 2025 province of that name contains the old one: one place
                _add(index, place, kind, name)
    return index


@cache
def _communes() -> _Index:
    import vietnam_provinces

    index = _Index({}, defaultdict(set), {}, {})
    for p in json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        province = f"{p['code']:0{PROVINCE_WIDTH}d}"
        for w in p["wards"]:
            code = f"{w['code']:0{COMMUNE_WIDTH}d}"
            index.places[code] = Place(code, w["name"], p["name"], True)
            index.provinces_of[code] = frozenset({province})
            _add(index, index.places[code], *_key(w["name"], _COMMUNE_KINDS))
    with gzip.open(LEGACY_COMMUNES, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, now = row["old_commune_code"], row["commune_code"]
            index.successor[code] = now
            index.provinces_of[code] = frozenset(
                {row["old_province_code"], *index.provinces_of.get(code, ()), *index.provinces_of[now]}
            )
            if code not in index.places or not index.places[code].current:
                index.places[code] = Place(code, row["old_commune_name"], row["old_province_name"], False)
            _add(index, Place(code, row["old_commune_name"], row["old_province_name"], False),
                 *_key(row["old_commune_name"], _COMMUNE_KINDS))  # fmt: skip
    return index


def _numeric(value: str, width: int, known: dict[str, Place]) -> Reading | None:
    """A code written as digits: spaces taken out, the leading zeros put back. None if not digits."""
    if not _NUMERIC.fullmatch(value):
        return None
    digits = "".join(value.split())
    repair = "spaces" if digits != value else ""
    decimal = _TRAILING_ZERO_DECIMAL.fullmatch(digits)
    if decimal:  # 1075.0: a number a spreadsheet wrote with its decimals
        digits, repair = decimal.group(1), "zeros"
    if not digits.isdigit():
        return Reading(unknown=True)
    code = digits.lstrip("0").rjust(width, "0")
    if len(code) > width or code not in known:
        return Reading(unknown=True)
    if code != digits:
        repair = "zeros"
    return Reading(code=code, repair=repair)


def _by_name(value: str, index: _Index, kinds: dict[str, str], codes: set[str] | None = None) -> Reading:
    kind, name = _key(value, kinds)
    if kinds is _PROVINCE_KINDS:
        # No two provinces differ only by their kind: "Tỉnh Hà Nội" is still Hà Nội.
        kind, name = "", _PROVINCE_ALIASES.get(name, name)
    # Written with diacritics, a name is compared with them ("Bà Đính" is not "Ba Đình"); without,
    # or when nothing has those diacritics, without.
    found: set[Place] = set()
    for written in (name, fold(name)):
        found = {p for p in index.by_name.get((kind, written), ()) if codes is None or p.code in codes}
        if found:
            break
    # A pre-2025 commune taken over by a 2025 one of the same name is that one place.
    current = {p.code for p in found if p.current}
    found = {
        p
        for p in found
        if p.current or (p.code not in current and index.successor.get(p.code) not in current)
    }
    if len({p.code for p in found}) == 1:
        return Reading(code=found.pop().code, repair="name")
    if not found:
        return Reading(unknown=True)
    return Reading(unknown=True, candidates=tuple(sorted(found, key=lambda p: (not p.current, p.code))))


def read_province(value: str) -> Reading:
    """A province as written: its code (leading zeros or not) or its name."""
    value = value.strip()
    if not value:
        return Reading()
    index = _provinces()
    return _numeric(value, PROVINCE_WIDTH, index.places) or _by_name(value, index, _PROVINCE_KINDS)


def read_commune(value: str, province: str = "") -> Reading:
    """A commune as written: its code (leading zeros or not) or its name, looked for in `province`
    (a code already read) when there is one."""
    value = value.strip()
    if not value:
        return Reading()
    index = _communes()
    numeric = _numeric(value, COMMUNE_WIDTH, index.places)
    if numeric is not None:
        return numeric
    return _by_name(value, index, _COMMUNE_KINDS, _communes_in(province) if province else None)


@cache
def _communes_in(province: str) -> set[str]:
    return {c for c, p in _communes().provinces_of.items() if province in p}


def describe(candidates: tuple[Place, ...]) -> str:
    """The places an ambiguous value could mean, for the message that refuses it."""
    shown = ", ".join(f"{p.code} {p.name} ({p.province})" for p in candidates[:SHOWN_CANDIDATES])
    more = len(candidates) - SHOWN_CANDIDATES
    return shown + (f", … (+{more})" if more > 0 else "")


def provinces_of(commune: str) -> frozenset[str]:
    """The province codes a commune code may be written with (a pre-2025 commune: its old province
    and the 2025 province of the commune that took it over)."""
    return _communes().provinces_of.get(commune, frozenset())
