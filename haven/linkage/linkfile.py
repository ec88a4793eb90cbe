"""Reading and checking link files (issue #5 item 6: `haven link files`).

Bad input is reported with the file's line numbers, never guessed: a malformed row (wrong number of
fields) stops the run unless the user asked to skip such rows; an invalid PIN, an impossible date or
an unknown commune code is reported and the value is left out of the comparison (treated as unknown),
so the record is still linked on what is sound. A well-formed PIN that disagrees with the record's sex
or year of birth is reported and kept: the model weighs it as suspect.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from haven.core import clock
from haven.lib import pin as pinlib
from haven.linkage.features import INPUT_COLUMNS, OPTIONAL_COLUMNS

__all__ = ["Problem", "ReadResult", "commune_provinces", "known_commune_codes", "read"]

LEGACY_COMMUNES = Path(__file__).resolve().parent.parent / "population" / "data" / "legacy_communes.csv.gz"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# Dates are written YYYY-MM-DD and nothing else (fromisoformat also reads week dates: "2015-W10-1").
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_COLUMNS = ("id", "family_name", "middle_name", "given_name", "mother_name", "father_name")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ReadResult:
    frame: pd.DataFrame
    malformed: list[Problem] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)


class LinkFileError(ValueError):
    """The file cannot be used at all (missing columns, or malformed rows the user did not skip)."""


@cache
def commune_provinces() -> dict[str, frozenset[str]]:
    """Each commune code (the 3,321 since 1 July 2025 and the pre-2025 ones they replaced) with the
    province codes it may be written with: its own, and for a pre-2025 commune also the province of
    the commune that replaced it."""
    import vietnam_provinces

    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces: dict[str, set[str]] = {
        f"{w['code']:05d}": {f"{p['code']:02d}"} for p in data for w in p["wards"]
    }
    with gzip.open(LEGACY_COMMUNES, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            now = provinces.get(row["commune_code"], set())
            provinces.setdefault(row["old_commune_code"], set()).update({row["old_province_code"], *now})
    return {code: frozenset(p) for code, p in provinces.items()}


@cache
def known_province_codes() -> frozenset[str]:
    return frozenset(p for codes in commune_provinces().values() for p in codes)


def known_commune_codes() -> frozenset[str]:
    """The 3,321 communes since 1 July 2025 and the pre-2025 communes they replaced."""
    return frozenset(commune_provinces())


def _control_character(row: dict[str, str]) -> str | None:
    """The first text column holding a NUL or another control character, if any."""
    for column in TEXT_COLUMNS:
        if any(unicodedata.category(c) == "Cc" for c in row.get(column, "")):
            return column
    return None


def _undecodable_line(path: Path | str) -> int:
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _check(
    row: dict[str, str], line: int, today: dt.date, communes: dict[str, frozenset[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    born: dt.date | None = None
    value = row["date_of_birth"]
    if value:
        try:
            born = dt.date.fromisoformat(value) if DATE.fullmatch(value) else None
        except ValueError:
            born = None
        if born is None or not (EARLIEST_BIRTH <= born <= today):
            problems.append(
                Problem(line, _("impossible date of birth %(value)r, left out") % {"value": value})
            )
            row["date_of_birth"] = ""
            born = None
    if row["sex"] not in ("M", "F", "U", ""):
        problems.append(Problem(line, _("sex %(value)r is not M, F or U, left out") % {"value": row["sex"]}))
        row["sex"] = ""
    row["pin"] = "".join(row["pin"].split())  # "001 215 123 456" is the PIN 001215123456
    if row["pin"]:
        try:
            number = pinlib.parse(row["pin"])
        except pinlib.InvalidPin as refused:
            reason = {
                "digits": _("not 12 digits"),
                "length": _("not 12 digits"),
                "province": _("unknown province code"),
            }[refused.reason]
            problems.append(
                Problem(
                    line,
                    _("invalid PIN %(value)r (%(reason)s), left out")
                    % {"value": row["pin"], "reason": reason},
                )
            )
            row["pin"] = ""
        else:
            # Kept: the model treats a PIN that disagrees with the record as suspect evidence.
            expected_sex = {"M": "male", "F": "female"}.get(row["sex"])
            if expected_sex and number.sex != expected_sex:
                problems.append(
                    Problem(
                        line,
                        _("PIN %(value)r: its sex digit disagrees with the record") % {"value": row["pin"]},
                    )
                )
            if born and row["dob_estimated"] != "1" and number.birth_year != born.year:
                problems.append(
                    Problem(
                        line,
                        _("PIN %(value)r: its year disagrees with the date of birth") % {"value": row["pin"]},
                    )
                )
    for column in ("commune_code", "old_commune_code"):
        code = row.get(column, "")
        if code and code not in communes:
            problems.append(Problem(line, _("unknown commune code %(value)r, left out") % {"value": code}))
            row[column] = ""
    province = row["province_code"]
    if province and province not in known_province_codes():
        problems.append(Problem(line, _("unknown province code %(value)r, left out") % {"value": province}))
        row["province_code"] = ""
    elif province and row["commune_code"] and province not in communes[row["commune_code"]]:
        # One of the two is wrong and nothing says which: both are left out.
        problems.append(
            Problem(
                line,
                _("commune %(commune)r is not in province %(province)r, both left out")
                % {"commune": row["commune_code"], "province": province},
            )
        )
        row["province_code"] = row["commune_code"] = ""
    return problems


def read(path: Path | str, *, skip_malformed: bool = False, today: dt.date | None = None) -> ReadResult:
    """Read a link file. Raises LinkFileError when it cannot be used."""
    # A file is checked against the machine's day: it comes from outside Haven, and `haven link files`
    # reads it without Haven's database (where a demo's moved clock is kept).
    today = today or clock.real_today()
    try:
        return _read(path, skip_malformed=skip_malformed, today=today)
    except UnicodeDecodeError:
        raise LinkFileError(
            _("%(path)s is not UTF-8 text (line %(line)d); save it as UTF-8 and try again")
            % {"path": path, "line": _undecodable_line(path)}
        ) from None


def _read(path: Path | str, *, skip_malformed: bool, today: dt.date) -> ReadResult:
    communes = commune_provinces()
    rows: list[dict[str, str]] = []
    malformed: list[Problem] = []
    invalid: list[Problem] = []
    pins: dict[str, tuple[str, int]] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise LinkFileError(_("%(path)s is empty") % {"path": path}) from None
        missing = [c for c in INPUT_COLUMNS if c not in header]
        if missing:
            raise LinkFileError(
                _("%(path)s lacks the columns: %(columns)s") % {"path": path, "columns": ", ".join(missing)}
            )
        wanted = [c for c in (*INPUT_COLUMNS, *OPTIONAL_COLUMNS) if c in header]
        positions = [header.index(c) for c in wanted]
        seen: set[str] = set()
        for fields in reader:
            line = reader.line_num
            if not fields:
                continue
            if len(fields) != len(header):
                malformed.append(
                    Problem(
                        line,
                        _("%(found)d fields where the header has %(expected)d")
                        % {"found": len(fields), "expected": len(header)},
                    )
                )
                continue
            row = {c: fields[i].strip() for c, i in zip(wanted, positions, strict=True)}
            if not row["id"]:
                malformed.append(Problem(line, _("no id")))
                continue
            if row["id"] in seen:
                malformed.append(Problem(line, _("id %(value)r appears twice") % {"value": row["id"]}))
                continue
            if row["dob_estimated"] not in ("0", "1", ""):
                malformed.append(
                    Problem(
                        line,
                        _("dob_estimated %(value)r is not 0, 1 or empty") % {"value": row["dob_estimated"]},
                    )
                )
                continue
            column = _control_character(row)
            if column:
                malformed.append(Problem(line, _("a control character in %(column)s") % {"column": column}))
                continue
            seen.add(row["id"])
            invalid.extend(_check(row, line, today, communes))
            if row["pin"] in pins:
                first_id, first_line = pins[row["pin"]]
                invalid.append(
                    Problem(
                        line,
                        _("PIN %(value)r is also given to %(other)r (line %(first)d)")
                        % {"value": row["pin"], "other": first_id, "first": first_line},
                    )
                )
            elif row["pin"]:
                pins[row["pin"]] = (row["id"], line)
            rows.append(row)
    if malformed and not skip_malformed:
        shown = "\n".join(str(p) for p in malformed[:20])
        raise LinkFileError(
            _("%(path)s has %(count)d malformed rows (use --skip-malformed to leave them out):\n%(rows)s")
            % {"path": path, "count": len(malformed), "rows": shown}
        )
    frame = pd.DataFrame(rows, columns=wanted) if rows else pd.DataFrame(columns=wanted)
    return ReadResult(frame=frame, malformed=malformed, invalid=invalid)
