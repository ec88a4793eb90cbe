"""The rows of a link file as people send it: CSV saved by Excel (a byte-order mark, semicolons or
tabs instead of commas, CRLF line ends) or an Excel workbook (XLSX, read directly), with the column
names in English or in Vietnamese ("Họ và tên", "Ngày sinh", "Mã xã").

A row is a line number (the file's line, or the sheet's row) and its fields as text, the way they
would have been written in CSV: a whole number as its digits, a date as YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from haven.lib.vietnamese import fold

__all__ = ["WORKBOOK_SUFFIXES", "Unreadable", "column_of", "rows"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Excel writes ";" where the list separator of the system is ";" (a decimal comma, as in Vietnam).
DELIMITERS = (",", ";", "\t")

# Column names people use, folded (no diacritics, lower case, punctuation as spaces), by the link
# file's column. "stt" (số thứ tự, the row number) serves as the id only when there is no other.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("ma", "ma ho so", "ma so", "ma tre", "so ho so", "ma ban ghi"),
    "family_name": ("ho",),
    "middle_name": ("ten dem", "dem", "ten lot", "chu lot"),
    "given_name": ("ten", "ten goi"),
    "full_name": ("ho va ten", "ho ten", "ho ten tre", "ho va ten tre", "ten day du"),
    "sex": ("gioi tinh", "gioi", "nam nu", "nam/nu"),
    "date_of_birth": ("ngay sinh", "ngay thang nam sinh", "sinh ngay", "ngay sinh du lieu"),
    "dob_estimated": ("ngay sinh uoc tinh", "uoc tinh", "ngay sinh la uoc tinh"),
    "pin": (
        "so dinh danh",
        "so dinh danh ca nhan",
        "ma dinh danh",
        "ma so dinh danh",
        "so cccd",
        "cccd",
        "ma so dinh danh ca nhan",
    ),
    "commune_code": ("ma xa", "xa", "xa phuong", "phuong xa", "ma phuong xa", "ma xa phuong"),
    "province_code": ("ma tinh", "tinh", "tinh thanh pho", "tinh tp", "ma tinh thanh pho"),
    "mother_name": ("ho ten me", "ho va ten me", "ten me", "me"),
    "father_name": ("ho ten cha", "ho va ten cha", "ten cha", "cha", "ho ten bo", "ten bo", "bo"),
    "old_commune_code": ("ma xa cu", "xa cu"),
}
ROW_NUMBER = "stt"
_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def _header_key(name: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", fold(name)).split())


def column_of(name: str) -> str:
    """The link file's column a header names ("Ngày sinh" → "date_of_birth"), or "" if none."""
    key = _header_key(name)
    if key.replace(" ", "_") in ALIASES:
        return key.replace(" ", "_")
    for column, names in ALIASES.items():
        if key in names:
            return column
    return ""


def _cell(value: object) -> str:
    """A workbook cell as CSV would have it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Unreadable(ValueError):
    """The file is not a workbook openpyxl can open."""


def _workbook_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as error:
        raise Unreadable(str(error)) from None

    def each() -> Iterator[tuple[int, list[str]]]:
        try:
            sheet = book.worksheets[0]
            width = 0
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                fields = [_cell(v) for v in values]
                while fields and not fields[-1].strip():
                    fields.pop()  # a sheet's rows run as far as any cell was ever touched
                width = width or len(fields)  # the header's
                # Empty cells at the end of a row are empty fields, not missing ones.
                yield number, fields + [""] * (width - len(fields))
        finally:
            book.close()

    return each()


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        delimiter = _delimiter(f.readline())
        f.seek(0)  # the decoder starts again and leaves the byte-order mark out again
        reader = csv.reader(f, delimiter=delimiter)
        for fields in reader:
            yield reader.line_num, fields


def rows(path: Path | str) -> Iterator[tuple[int, list[str]]]:
    """Every row of the file, the header first. Raises FileNotFoundError, Unreadable for a workbook
    that cannot be opened and (while rows are read) UnicodeDecodeError for CSV that is not UTF-8."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _workbook_rows(path)
    return _csv_rows(path)
