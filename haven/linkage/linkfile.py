"""Reading and checking link files (`haven link files`, `haven link run --register`).

Files come as people send them (docs/decisions/0021-linkage-files-and-found-children.md): CSV saved
by Excel or an XLSX workbook (haven.linkage.sheets), English or Vietnamese column names, a full-name
column instead of three, codes that lost their leading zeros or carry spaces, provinces and communes
by name (haven.linkage.places), dates as dd/mm/yyyy or the year alone, sex as "Nam"/"Nữ".

What is read in another form is *repaired* and counted; what cannot be read is *refused*: reported
with the file's line and left out of the comparison (treated as unknown), so that the record is still
linked on what is sound; nothing is guessed. An ambiguous name is refused with the places it could
mean. A malformed row (wrong number of fields, no or repeated id, a control character in a name, an
unclear estimate flag) stops the run unless the user asked to skip such rows. A well-formed PIN that
disagrees with the record's sex or year of birth is reported and kept: the model weighs it as suspect.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core import clock
from haven.lib import pin as pinlib
from haven.lib.vietnamese import fold
from haven.linkage import places, sheets
from haven.linkage.features import INPUT_COLUMNS, OPTIONAL_COLUMNS

__all__ = ["LinkFileError", "Problem", "ReadResult", "read", "read_frame"]

EARLIEST_BIRTH = dt.date(1900, 1, 1)
# ISO dates, YYYY-MM-DD (fromisoformat alone would also read week dates: "2015-W10-1"), with a time of
# day some exports add; the Vietnamese way, day first (d/m/yyyy, with "/", "-" or "."); the year alone
# for a date whose day and month are not known (also written 00/00/yyyy).
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
YEAR_ONLY = re.compile(r"(?:0{1,2}[/.-]0{1,2}[/.-])?(\d{4})")
# Spreadsheets show a long number as 1.21512E+11: the PIN's last digits are gone.
SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d+")
TEXT_COLUMNS = ("id", "family_name", "middle_name", "given_name", "mother_name", "father_name")
REQUIRED = ("id", "family_name", "given_name", "date_of_birth")
# Sex as written in Vietnamese and English forms, folded.
SEX_WORDS = {"nam": "M", "male": "M", "nu": "F", "female": "F", "khac": "U", "khong ro": "U"}
ESTIMATED = {"1": "1", "0": "0", "": "", "co": "1", "khong": "0"}
PIN_LENGTH = 12
# How many of a kind's line numbers the summary names before "…".
SUMMARY_LINES = 5

# What the reader repaired and what it refused, by kind, for the summary at the end.
REPAIRED = {
    "zeros": gettext_lazy("codes written without their leading zeros"),
    "spaces": gettext_lazy("codes written with spaces"),
    "name": gettext_lazy("provinces or communes written by name"),
    "day_first": gettext_lazy("dates written day first (dd/mm/yyyy)"),
    "year_only": gettext_lazy("dates of birth with the year only, read as estimated"),
    "sex_word": gettext_lazy("sexes written as words (Nam, Nữ)"),
}
REFUSED = {
    "date": gettext_lazy("impossible dates of birth"),
    "sex": gettext_lazy("sexes that are not M, F or U"),
    "pin": gettext_lazy("invalid PINs"),
    "pin_twice": gettext_lazy("PINs given to two records"),
    "unknown_place": gettext_lazy("unknown province or commune codes or names"),
    "ambiguous_place": gettext_lazy("ambiguous province or commune names"),
    "outside": gettext_lazy("communes outside the record's province"),
}
FLAGGED = {
    "pin_disagrees": gettext_lazy("PINs that disagree with the sex or the year (weighed as suspect)"),
}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    kind: str = ""

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ReadResult:
    frame: pd.DataFrame
    malformed: list[Problem] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)  # refused values, and PINs kept as suspect
    repaired: list[Problem] = field(default_factory=list)  # values read in another form
    rows: int = 0  # data rows in the file, malformed ones included
    notes: list[str] = field(default_factory=list)  # how the columns were read

    def summary(self) -> list[str]:
        """What was read, repaired and refused, by kind, with the first lines of each."""
        lines = [
            _("%(rows)d rows read, %(records)d records kept, %(malformed)d malformed rows")
            % {"rows": self.rows, "records": len(self.frame), "malformed": len(self.malformed)}
        ]
        lines.extend(self.notes)
        for title, problems, labels in (
            (_("repaired"), self.repaired, REPAIRED),
            (_("refused (left out)"), self.invalid, REFUSED),
            (_("kept, flagged"), self.invalid, FLAGGED),
        ):
            for kind, label in labels.items():
                found = [p.line for p in problems if p.kind == kind]
                if found:
                    shown = ", ".join(str(n) for n in found[:SUMMARY_LINES])
                    more = " …" if len(found) > SUMMARY_LINES else ""
                    lines.append(
                        _("%(title)s: %(what)s: %(count)d (lines %(lines)s)")
                        % {"title": title, "what": label, "count": len(found), "lines": shown + more}
                    )
        return lines


class LinkFileError(ValueError):
    """The file cannot be used at all (missing columns, or malformed rows the user did not skip)."""


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


def _date(value: str) -> tuple[str, str] | None:
    """(the date as YYYY-MM-DD, or YYYY when only the year is known; the repair's kind) or None."""
    iso, day_first, year = ISO_DATE.fullmatch(value), DAY_FIRST.fullmatch(value), YEAR_ONLY.fullmatch(value)
    if year:
        return year.group(1), "year_only"
    try:
        if iso:
            return dt.date(*map(int, iso.groups())).isoformat(), ""
        if day_first:
            day, _sep, month, year_ = day_first.groups()
            return dt.date(int(year_), int(month), int(day)).isoformat(), "day_first"
    except ValueError:
        return None
    return None


def _check_date(row: dict[str, str], line: int, today: dt.date, out: _Findings) -> int | None:
    """Reads the date of birth in place; returns the year of birth when it is known."""
    value = row["date_of_birth"]
    if not value:
        return None
    read = _date(value)
    year = int(read[0][:4]) if read else 0
    if read is None or not (EARLIEST_BIRTH.year <= year <= today.year) or read[0] > today.isoformat():
        out.refuse(line, "date", _("impossible date of birth %(value)r, left out") % {"value": value})
        row["date_of_birth"] = ""
        return None
    row["date_of_birth"], kind = read
    if kind == "year_only":
        # The day and month are not known: the date is an estimate (a found child's, most often).
        row["dob_estimated"] = "1"
    if kind:
        out.repair(line, kind, value, row["date_of_birth"])
    return year


def _check_sex(row: dict[str, str], line: int, out: _Findings) -> None:
    value = row["sex"]
    if value.upper() in ("M", "F", "U", ""):
        row["sex"] = value.upper()
    elif fold(value) in SEX_WORDS:
        row["sex"] = SEX_WORDS[fold(value)]
        out.repair(line, "sex_word", value, row["sex"])
    else:
        out.refuse(line, "sex", _("sex %(value)r is not M, F or U, left out") % {"value": value})
        row["sex"] = ""


def _check_pin(row: dict[str, str], line: int, born: int | None, out: _Findings) -> None:
    written = row["pin"]
    row["pin"] = "".join(written.split())  # "001 215 123 456" is the PIN 001215123456
    if not row["pin"]:
        return
    if SCIENTIFIC.fullmatch(row["pin"]):
        out.refuse(
            line,
            "pin",
            _("PIN %(value)r was written as a rounded number by a spreadsheet, left out")
            % {"value": written},
        )
        row["pin"] = ""
        return
    if row["pin"].isdigit() and PIN_LENGTH - 3 <= len(row["pin"]) < PIN_LENGTH:
        # Every province code starts with 0, so a PIN kept as a number loses it (and more for 001…).
        padded = row["pin"].rjust(PIN_LENGTH, "0")
        try:
            pinlib.parse(padded)
        except pinlib.InvalidPin:
            pass
        else:
            out.repair(line, "zeros", written, padded)
            row["pin"] = padded
    try:
        number = pinlib.parse(row["pin"])
    except pinlib.InvalidPin as refused:
        reason = {
            "digits": _("not 12 digits"),
            "length": _("not 12 digits"),
            "province": _("unknown province code"),
        }[refused.reason]
        out.refuse(
            line,
            "pin",
            _("invalid PIN %(value)r (%(reason)s), left out") % {"value": row["pin"], "reason": reason},
        )
        row["pin"] = ""
        return
    # Kept: the model treats a PIN that disagrees with the record as suspect evidence.
    expected_sex = {"M": "male", "F": "female"}.get(row["sex"])
    if expected_sex and number.sex != expected_sex:
        out.refuse(
            line,
            "pin_disagrees",
            _("PIN %(value)r: its sex digit disagrees with the record") % {"value": row["pin"]},
        )
    if born and row["dob_estimated"] != "1" and number.birth_year != born:
        out.refuse(
            line,
            "pin_disagrees",
            _("PIN %(value)r: its year disagrees with the date of birth") % {"value": row["pin"]},
        )


def _check_place(
    row: dict[str, str], line: int, column: str, reading: places.Reading, out: _Findings
) -> None:
    written = row.get(column, "")
    if reading.candidates:
        out.refuse(
            line,
            "ambiguous_place",
            _("%(value)r could be any of: %(candidates)s; left out")
            % {"value": written, "candidates": places.describe(reading.candidates)},
        )
    elif reading.unknown:
        message = (
            _("unknown province %(value)r, left out")
            if column == "province_code"
            else _("unknown commune %(value)r, left out")
        )
        out.refuse(line, "unknown_place", message % {"value": written})
    elif reading.repair:
        out.repair(line, reading.repair, written, reading.code)
    row[column] = reading.code


def _check_places(row: dict[str, str], line: int, out: _Findings) -> None:
    _check_place(row, line, "province_code", places.read_province(row["province_code"]), out)
    province = row["province_code"]
    for column in ("commune_code", "old_commune_code"):
        if row.get(column):
            _check_place(row, line, column, places.read_commune(row[column], province), out)
    commune = row["commune_code"]
    if province and commune and province not in places.provinces_of(commune):
        # One of the two is wrong and nothing says which: both are left out.
        out.refuse(
            line,
            "outside",
            _("commune %(commune)r is not in province %(province)r, both left out")
            % {"commune": commune, "province": province},
        )
        row["province_code"] = row["commune_code"] = ""


@dataclass
class _Findings:
    invalid: list[Problem] = field(default_factory=list)
    repaired: list[Problem] = field(default_factory=list)

    def refuse(self, line: int, kind: str, message: str) -> None:
        self.invalid.append(Problem(line, message, kind))

    def repair(self, line: int, kind: str, written: str, read: str) -> None:
        message = _("%(written)r read as %(read)r") % {"written": written, "read": read}
        self.repaired.append(Problem(line, message, kind))


def read(path: Path | str, *, skip_malformed: bool = False, today: dt.date | None = None) -> ReadResult:
    """Read a link file (CSV or XLSX). Raises LinkFileError when it cannot be used."""
    # A file is checked against the machine's day: it comes from outside Haven, and `haven link files`
    # reads it without Haven's database (where a demo's moved clock is kept).
    today = today or clock.real_today()
    try:
        rows = sheets.rows(path)
        header = next(rows, None)
        if header is None:
            raise LinkFileError(_("%(path)s is empty") % {"path": path})
        return _read(path, header[1], rows, skip_malformed=skip_malformed, today=today)
    except UnicodeDecodeError:
        raise LinkFileError(
            _("%(path)s is not UTF-8 text (line %(line)d); save it as CSV UTF-8 and try again")
            % {"path": path, "line": _undecodable_line(path)}
        ) from None
    except sheets.Unreadable:
        raise LinkFileError(
            _("%(path)s cannot be opened as an Excel workbook (XLSX)") % {"path": path}
        ) from None


def read_frame(frame: pd.DataFrame, *, today: dt.date) -> ReadResult:
    """The same reading for records already in memory (the benchmark's, written as a spreadsheet
    would have them); line 2 is the first row, as in the file they would make."""
    columns = [str(c) for c in frame.columns]
    values = frame.fillna("").astype(str).itertuples(index=False, name=None)
    return _read("<frame>", columns, ((n, list(v)) for n, v in enumerate(values, 2)), today=today)


def _columns(path: Path | str, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Where each link-file column is in the file, and notes on how the header was read."""
    found: dict[str, int] = {}
    notes: list[str] = []
    for position, name in enumerate(header):
        column = sheets.column_of(name)
        if column and column not in found:
            found[column] = position
    keys = [fold(h).strip() for h in header]
    if "id" not in found and sheets.ROW_NUMBER in keys:
        found["id"] = keys.index(sheets.ROW_NUMBER)
        notes.append(_("the row number (STT) column is the records' id"))
    if "full_name" in found and not {"family_name", "given_name"} <= set(found):
        notes.append(_("full names are split: the first word is the family name, the last the given name"))
    missing = [
        c
        for c in REQUIRED
        if c not in found and not (c in ("family_name", "given_name") and "full_name" in found)
    ]
    if missing:
        raise LinkFileError(
            _("%(path)s lacks the columns: %(columns)s") % {"path": path, "columns": ", ".join(missing)}
        )
    absent = [c for c in INPUT_COLUMNS if c not in found and c not in REQUIRED]
    absent = [c for c in absent if not (c == "middle_name" and "full_name" in found)]
    if absent:
        notes.append(
            _("columns not in the file, read as empty: %(columns)s") % {"columns": ", ".join(absent)}
        )
    return found, notes


def _split_full_name(row: dict[str, str]) -> None:
    words = row.pop("full_name", "").split()
    if words and not row.get("given_name"):
        row["family_name"] = row.get("family_name") or (words[0] if len(words) > 1 else "")
        row["middle_name"] = row.get("middle_name") or " ".join(words[1:-1])
        row["given_name"] = words[-1]


def _malformed(row: dict[str, str], seen: set[str]) -> str | None:
    if not row["id"]:
        return _("no id")
    if row["id"] in seen:
        return _("id %(value)r appears twice") % {"value": row["id"]}
    if fold(row["dob_estimated"]) not in ESTIMATED:
        return _("dob_estimated %(value)r is not 0, 1 or empty") % {"value": row["dob_estimated"]}
    column = _control_character(row)
    if column:
        return _("a control character in %(column)s") % {"column": column}
    return None


def _read(
    path: Path | str,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]] | Iterator[tuple[int, list[str]]],
    *,
    today: dt.date,
    skip_malformed: bool = False,
) -> ReadResult:
    header = [h.strip() for h in header]
    positions, notes = _columns(path, header)
    wanted = [c for c in (*INPUT_COLUMNS, *OPTIONAL_COLUMNS) if c in positions or c in INPUT_COLUMNS]
    records: list[dict[str, str]] = []
    malformed: list[Problem] = []
    out = _Findings()
    pins: dict[str, tuple[str, int]] = {}
    seen: set[str] = set()
    count = 0
    for line, fields in rows:
        if not any(f.strip() for f in fields):
            continue
        count += 1
        if len(fields) != len(header):
            malformed.append(
                Problem(
                    line,
                    _("%(found)d fields where the header has %(expected)d")
                    % {"found": len(fields), "expected": len(header)},
                )
            )
            continue
        row = {c: fields[i].strip() for c, i in positions.items()}
        _split_full_name(row)
        row = {c: row.get(c, "") for c in wanted}
        problem = _malformed(row, seen)
        if problem:
            malformed.append(Problem(line, problem))
            continue
        seen.add(row["id"])
        row["dob_estimated"] = ESTIMATED[fold(row["dob_estimated"])]
        born = _check_date(row, line, today, out)
        _check_sex(row, line, out)
        _check_pin(row, line, born, out)
        _check_places(row, line, out)
        if row["pin"] in pins:
            first_id, first_line = pins[row["pin"]]
            out.refuse(
                line,
                "pin_twice",
                _("PIN %(value)r is also given to %(other)r (line %(first)d)")
                % {"value": row["pin"], "other": first_id, "first": first_line},
            )
        elif row["pin"]:
            pins[row["pin"]] = (row["id"], line)
        records.append(row)
    if malformed and not skip_malformed:
        shown = "\n".join(str(p) for p in malformed[:20])
        raise LinkFileError(
            _("%(path)s has %(count)d malformed rows (use --skip-malformed to leave them out):\n%(rows)s")
            % {"path": path, "count": len(malformed), "rows": shown}
        )
    frame = pd.DataFrame(records, columns=wanted) if records else pd.DataFrame(columns=wanted)
    return ReadResult(
        frame=frame, malformed=malformed, invalid=out.invalid, repaired=out.repaired, rows=count, notes=notes
    )
