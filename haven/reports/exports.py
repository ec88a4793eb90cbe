"""Every table as CSV and XLSX, the same cells the page shows (hidden ones stay hidden), with
Vietnamese headers and dates written dd/mm/yyyy, as the reports sent up the chain are.

A spreadsheet runs a cell that starts with "=", "+", "-" or "@" as a formula (CSV injection, OWASP):
every text cell that does is written with a leading apostrophe, so an area or category name can never
become a formula on the reader's machine. XLSX text is also written as text, never as a formula.
"""

from __future__ import annotations

import csv
import io

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from haven.core import calendar
from haven.reports.tables import Release, Value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _date(day) -> str:
    return day.strftime("%d/%m/%Y")


def _cells(value: Value, share: bool) -> list:
    if value.hidden:
        return [_("hidden")] * (3 if share else 1)
    if share:
        return [value.numerator, value.denominator, value.figure if value.figure is not None else ""]
    figure = value.figure
    return [figure if figure is not None else ""]


def rows(rel: Release, dimension: str) -> list[list]:
    """The table as rows of cells: a heading block, the column headers, one row per area, the total."""
    table = rel.tables[dimension]
    ind = rel.indicator
    share = ind.is_share
    computed = rel.computed_at
    head = [
        [f"{ind.name} ({ind.code})"],
        [_("Area"), table.total.label],
        [_("Period"), f"{_date(rel.period.start)} – {_date(rel.period.last_day)}"],
        [_("Legal basis"), str(ind.legal_basis)],
        [
            _("Counted at"),
            computed.astimezone(calendar.VIETNAM).strftime("%d/%m/%Y %H:%M") if computed else "",
        ],
        [],
    ]
    headers = [_("Area")]
    for _code, label in table.categories:
        if share:
            headers += [f"{label}: {_('counted')}", f"{label}: {_('out of')}", f"{label}: %"]
        else:
            headers.append(label)
    body = []
    for row in [*table.rows, table.total]:
        line = [row.label]
        for code, _label in table.categories:
            line += _cells(row.cells[code], share)
        body.append(line)
    foot = [
        [],
        [_("Hidden: a count that could let someone be recognised, or that would give such a count away.")],
    ]
    return head + [headers] + body + (foot if rel.hidden_count and not rel.exact else [])


def export(rel: Release, dimension: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, MIME type, file name) of one table of ``rel``."""
    with translation.override("vi"):
        lines = [[neutralise(c) if isinstance(c, str) else c for c in line] for line in rows(rel, dimension)]
    area = rel.scope.code if rel.scope is not None else "VN"
    name = f"{rel.indicator.code}_{area}_{rel.period.key}{'_' + dimension if dimension else ''}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(lines)
        # With a byte-order mark, spreadsheet programs read the Vietnamese letters as UTF-8.
        return ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", name
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(rel.indicator.code.replace(".", "_")[:31])
    bold = book.add_format({"bold": True})
    for r, line in enumerate(lines):
        for c, cell in enumerate(line):
            if isinstance(cell, str):
                sheet.write_string(r, c, cell, bold if r == 0 else None)
            else:
                sheet.write_number(r, c, cell)
    sheet.set_column(0, 0, 36)
    book.close()
    return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name
