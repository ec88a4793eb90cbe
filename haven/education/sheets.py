"""An attendance file as a school sends it: CSV saved by Excel (a byte-order mark, semicolons or tabs,
CRLF line ends) or an Excel workbook (XLSX), with the column names in Vietnamese or in English. Each row
keeps the line number of the file (the sheet's row), so a problem is reported where the school can find
it. Reading never writes: the service checks every line before anything is saved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.education.services.attendance import Line, mark_of
from haven.lib.vietnamese import fold

MAX_BYTES = 2 * 1024 * 1024
COLUMNS = {
    "enrolment": (
        "ma ghi danh",
        "so ghi danh",
        "enrolment",
        "enrolment id",
        "enrolment number",
        "ma hoc sinh",
    ),
    "day": ("ngay", "date", "day", "ngay diem danh"),
    "mark": ("diem danh", "mark", "trang thai", "attendance", "chuyen can"),
}
_PUNCT = re.compile(r"[^0-9a-z]+")


def _key(name: str) -> str:
    return " ".join(_PUNCT.sub(" ", fold(name or "")).split())


def _day(text: str) -> dt.date | None:
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _table(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    if name.lower().endswith((".xlsx", ".xlsm")):
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise ValidationError(
                {"file": [ValidationError(_("The workbook cannot be read."), code="unreadable")]}
            ) from error
        sheet = book.worksheets[0]
        rows = [
            (n, [_cell(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        book.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {
                "file": [
                    ValidationError(_("Save the file as CSV UTF-8 or as an Excel workbook."), code="encoding")
                ]
            }
        ) from error
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]


def read(data: bytes, name: str) -> list[Line]:
    """The lines of an attendance file; a file without the three columns is refused whole."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {"file": [ValidationError(_("The file is larger than 2 MB."), code="too_large")]}
        )
    table = [(n, cells) for n, cells in _table(data, name) if any(c.strip() for c in cells)]
    if not table:
        raise ValidationError({"file": [ValidationError(_("The file is empty."), code="empty")]})
    header_line, header = table[0]
    where: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = _key(cell)
        for column, aliases in COLUMNS.items():
            if key in aliases and column not in where:
                where[column] = i
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _("Line %(line)s must name the columns: enrolment number, date, mark.")
                        % {"line": header_line},
                        code="no_header",
                    )
                ]
            }
        )

    def cell(cells: list[str], column: str) -> str:
        i = where[column]
        return cells[i].strip() if i < len(cells) else ""

    return [
        Line(
            number=n,
            enrolment_id=cell(cells, "enrolment"),
            day=_day(cell(cells, "day")),
            mark=mark_of(cell(cells, "mark")) or "",
        )
        for n, cells in table[1:]
    ]
