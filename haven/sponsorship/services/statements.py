"""A campaign's bank statement, imported as receipts (CSV or XLSX).

Columns (a header row, in Vietnamese or English, in any order): date (dd/mm/yyyy or yyyy-mm-dd),
reference, amount (đồng; "500.000" and "500,000" both read as 500000), payer, and optionally memo,
payer type ("cá nhân"/"individual" or "tổ chức"/"organisation") and publish ("có"/"yes" if the payer
asked to be named). Every row is checked first: if any row is wrong, nothing is imported and each
problem is reported with its row number; otherwise every row becomes a receipt, in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused
from haven.sponsorship.models import Campaign, Entry, EntryKind, PayerKind, StatementImport
from haven.sponsorship.services.ledger import MAX_AMOUNT, entry_record, keeping

MAX_ROWS = 20_000
HEADERS = {
    "date": {"date", "ngay", "ngay giao dich", "transaction date"},
    "reference": {"reference", "so tham chieu", "ma giao dich", "so but toan", "ref"},
    "amount": {"amount", "so tien", "so tien ghi co", "credit"},
    "payer": {"payer", "nguoi chuyen", "ten nguoi chuyen", "don vi chuyen"},
    "memo": {"memo", "noi dung", "dien giai", "description"},
    "payer_type": {"payer type", "loai", "loai nguoi chuyen"},
    "publish": {"publish", "cong khai ten", "cong khai"},
}
REQUIRED = ("date", "reference", "amount")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").lower().split())


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


class StatementRefused(Refused):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(
            _("The statement was not imported: %(n)s row(s) need correcting.") % {"n": len(problems)},
            code="statement_rows",
        )
        self.problems = problems


def _table(name: str, content: bytes) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as error:
            raise Refused(_("This file is not a workbook Haven can read."), code="unreadable") from error
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Refused(_("Save the statement as CSV in UTF-8, or as XLSX."), code="encoding") from error
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)][: MAX_ROWS + 2]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(value: str) -> dt.date | None:
    value = value.strip()[:10]
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _amount(value: str) -> int | None:
    digits = re.sub(r"[.,\s]|VND|đ", "", str(value).strip(), flags=re.I)
    return int(digits) if digits.isdigit() and 0 < int(digits) <= MAX_AMOUNT else None


def parse(campaign: Campaign, name: str, content: bytes) -> Parsed:
    table = [row for row in _table(name, content) if any(str(c).strip() for c in row)]
    parsed = Parsed()
    if not table:
        raise Refused(_("The file is empty."), code="empty")
    if len(table) > MAX_ROWS + 1:
        raise Refused(_("At most %(n)s rows at a time.") % {"n": f"{MAX_ROWS:,}"}, code="too_many")
    columns: dict[str, int] = {}
    for i, heading in enumerate(table[0]):
        for key, names in HEADERS.items():
            if _plain(heading) in names:
                columns.setdefault(key, i)
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        raise Refused(
            _("The first row must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)},
            code="columns",
        )
    seen: set[str] = set()
    known = set(
        Entry.objects.filter(campaign=campaign, kind=EntryKind.RECEIPT).values_list(
            "bank_reference", flat=True
        )
    )
    today = clock.today()
    for number, row in enumerate(table[1:], start=2):

        def cell(key: str, row: list = row) -> str:
            return str(row[columns[key]]).strip() if key in columns and columns[key] < len(row) else ""

        problems = []
        on = _date(cell("date"))
        amount = _amount(cell("amount"))
        reference = cell("reference")[:40]
        if on is None:
            problems.append(_("the date is not a date (dd/mm/yyyy)"))
        elif on > today:
            problems.append(_("the date is in the future"))
        elif not campaign.receives_from <= on <= campaign.receives_until:
            problems.append(_("the date is outside the campaign's committed period (Decree 93/2021/NĐ-CP)"))
        if amount is None:
            problems.append(_("the amount is not a whole number of đồng above 0"))
        if not reference:
            problems.append(_("the reference is missing"))
        elif reference in seen:
            problems.append(_("the reference appears twice in the file"))
        elif reference in known:
            problems.append(_("this transfer is already in the ledger"))
        seen.add(reference)
        kind_text = _plain(cell("payer_type"))
        payer_kind = (
            PayerKind.ORGANISATION
            if kind_text in {"to chuc", "organisation", "organization", "doanh nghiep"}
            else PayerKind.INDIVIDUAL
        )
        if problems:
            parsed.problems.append(RowProblem(number, "; ".join(problems)))
            continue
        parsed.rows.append(
            {
                "occurred_on": on,
                "amount": amount,
                "bank_reference": reference,
                "payer_name": cell("payer")[:200],
                "memo": cell("memo")[:300],
                "payer_kind": payer_kind,
                "payer_publish": _plain(cell("publish")) in {"co", "yes", "x", "1"},
            }
        )
    return parsed


@transaction.atomic
def statement_import(
    *, actor: User, campaign: Campaign, commune: Area, name: str, content: bytes
) -> StatementImport:
    membership = keeping(actor, campaign)
    parsed = parse(campaign, name, content)
    if parsed.problems:
        raise StatementRefused(parsed.problems)
    if not parsed.rows:
        raise Refused(_("The statement has no rows."), code="empty")
    for row in parsed.rows:
        entry_record(
            actor=actor,
            campaign=campaign,
            kind=EntryKind.RECEIPT,
            commune=commune,
            document=_("Bank statement %(file)s") % {"file": name[:50]},
            **row,
        )
    done = StatementImport.objects.create(
        campaign=campaign, filename=name[:200], rows=len(parsed.rows), imported_by=actor
    )
    record(
        actor=actor,
        action="sponsorship.statement_import",
        obj=done,
        organisation=membership.organisation,
        data={"rows": len(parsed.rows)},
    )
    return done
