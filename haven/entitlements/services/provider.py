"""The payment provider's side of a payroll (Decree 20/2021/NĐ-CP art. 34): the list it is sent, as
CSV or XLSX, and the return file it sends back, imported whole or not at all.

The list names every line by its number (``Mã dòng``) and leaves four columns for the provider to fill
in — outcome, date, amount paid, note — so the provider's return may be the list itself, filled in.
A return file is checked row by row; any problem (a line that is not in this payroll, an outcome
Haven cannot read, a date before the list was sent...) is reported with the row's number, and nothing
is saved until the whole file is right. A line's outcome, once recorded, is never changed: the same
file imported again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.core import clock
from haven.entitlements import workflow
from haven.entitlements.models import Confirmation, Outcome, PaymentLine, PayrollRun, ProviderReturn
from haven.lib.vietnamese import fold
from haven.workflow.engine import Firing

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# Reported at most, so that a wholly wrong file gives a readable page.
MAX_PROBLEMS = 200

COLUMNS = (
    ("line", gettext_lazy("Line number")),
    ("child", gettext_lazy("Child")),
    ("born", gettext_lazy("Date of birth")),
    ("receiver", gettext_lazy("Receiver")),
    ("method", gettext_lazy("How it is paid")),
    ("institution", gettext_lazy("Bank or post office")),
    ("account", gettext_lazy("Account number")),
    ("address", gettext_lazy("Address for a payment at home")),
    ("month", gettext_lazy("Month paid for")),
    ("kind", gettext_lazy("Kind of payment")),
    ("amount", gettext_lazy("Amount (đồng)")),
    ("decision", gettext_lazy("Decision number")),
    ("decided_on", gettext_lazy("Decided on")),
    ("outcome", gettext_lazy("Outcome (paid / failed / returned)")),
    ("paid_on", gettext_lazy("Date paid")),
    ("paid_amount", gettext_lazy("Amount paid (đồng)")),
    ("note", gettext_lazy("Provider's note")),
)

# Headers a return file may use, folded (no diacritics, lower case), in Vietnamese or in English.
HEADERS = {
    "line": ("ma dong", "so dong", "line", "line number", "line id", "ma tham chieu"),
    "outcome": ("ket qua", "trang thai", "outcome", "status", "ket qua chi tra"),
    "paid_on": ("ngay chi tra", "ngay tra", "date paid", "paid on"),
    "paid_amount": ("so tien da chi", "so tien da tra", "so tien thuc chi", "amount paid", "paid amount"),
    "note": ("ghi chu", "ly do", "note", "reason", "ghi chu cua don vi chi tra"),
}
OUTCOMES = {
    Outcome.PAID: ("da chi tra", "da chi", "da tra", "paid", "thanh cong", "da nhan"),
    Outcome.FAILED: (
        "khong thanh cong",
        "that bai",
        "failed",
        "khong chi tra duoc",
        "loi",
        "chua chi tra duoc",
    ),
    Outcome.RETURNED: ("hoan tra", "tra lai", "returned", "tra ve", "khong nhan", "hoan lai"),
}
_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def _key(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", fold(text or "")).split())


def _column_of(header: str) -> str:
    """The return file's column a header names: one of the names, or a name followed by more words
    ("Kết quả (đã chi trả / không thành công / hoàn trả)")."""
    key = _key(header)
    for column, names in HEADERS.items():
        if any(key == name or key.startswith(name + " ") for name in names):
            return column
    return ""


def _outcome_of(text: str) -> str:
    key = _key(text)
    for outcome, names in OUTCOMES.items():
        if key in names or key == outcome:
            return outcome
    return ""


# --- The list sent to the provider -----------------------------------------------------------------


def list_lines(run: PayrollRun) -> list[PaymentLine]:
    """The lines the provider pays: every payment of the run (a recovery is the commune's to collect)."""
    return list(
        run.lines.filter(amount__gt=0)
        .select_related("child", "decision", "payee")
        .order_by("child__family_name", "child__given_name", "month", "pk")
    )


def list_rows(run: PayrollRun, lines: list[PaymentLine]) -> list[list]:
    """The list as rows, headers first, in the reader's language; the account numbers in full (the
    provider pays into them)."""
    rows: list[list] = [[str(label) for _c, label in COLUMNS]]
    for line in lines:
        payee = line.payee
        rows.append(
            [
                line.pk,
                line.child.full_name,
                line.child.date_of_birth.strftime("%d/%m/%Y") if line.child.date_of_birth else "",
                payee.receiver_name if payee else line.decision.applicant_name,
                payee.get_method_display() if payee else _("not recorded"),
                payee.institution if payee else "",
                payee.account_number if payee else "",
                payee.address if payee else "",
                line.month.strftime("%m/%Y"),
                line.get_kind_display(),
                line.amount,
                line.decision.decision_number,
                line.decision.decided_on.strftime("%d/%m/%Y") if line.decision.decided_on else "",
                "",
                "",
                "",
                "",
            ]
        )
    return rows


def neutralise(value) -> object:
    """A text cell a spreadsheet will not read as a formula."""
    if not isinstance(value, str):
        return value
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([[neutralise(c) for c in row] for row in rows])
    # With a byte-order mark, spreadsheet programs read the Vietnamese letters as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list], title: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, str):
                # Account numbers stay text: a spreadsheet would drop their leading zeros.
                sheet.write_string(r, c, cell, bold if r == 0 else None)
            else:
                sheet.write_number(r, c, cell)
    sheet.freeze_panes(1, 0)
    sheet.set_column(1, 1, 28)
    sheet.set_column(3, 7, 22)
    book.close()
    return buffer.getvalue()


# --- The return file ---------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(name: str, content: bytes) -> Iterator[tuple[int, list[str]]]:
    """The file's rows with their numbers (the line of a CSV, the row of a sheet); raises
    ValidationError on "file" for a file Haven cannot read."""
    unreadable = ValidationError(
        {
            "file": ValidationError(
                _("Haven cannot read this file: send the provider's CSV or XLSX file."), code="unreadable"
            )
        }
    )
    if name.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [
                (n, [_cell(v) for v in values])
                for n, values in enumerate(sheet.iter_rows(values_only=True), 1)
            ]
            book.close()
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            IndexError,
            OSError,
            TypeError,
        ):
            raise unreadable from None
        yield from rows
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": ValidationError(_("Save the CSV file as UTF-8, then send it again."), code="encoding")}
        ) from None
    if "\x00" in text:
        raise unreadable
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for fields in reader:
            yield reader.line_num, [f.strip() for f in fields]
    except csv.Error:
        raise unreadable from None


def _day(text: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _amount(text: str) -> int | None:
    cleaned = re.sub(r"[\s.,đ₫]|VND|vnd|dong", "", text)
    return int(cleaned) if cleaned.isdigit() and len(cleaned) <= 12 else None


@dataclass(frozen=True)
class Row:
    number: int
    line: PaymentLine
    outcome: str
    on: dt.date
    amount: int
    note: str


def read_return(run: PayrollRun, name: str, content: bytes) -> tuple[list[Row], int]:
    """The rows of a return file checked against the run: (the rows to record, the rows read). Every
    problem is raised at once, each with its row number."""
    if not content:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": ValidationError(_("The file is larger than 5 MB."), code="too_large")})
    rows = _rows(name, content)
    header = next(((n, fields) for n, fields in rows if any(fields)), None)
    if header is None:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    columns = {}
    for index, title in enumerate(header[1]):
        column = _column_of(title)
        if column and column not in columns:
            columns[column] = index
    lacking = [c for c in ("line", "outcome", "paid_on") if c not in columns]
    if lacking:
        raise ValidationError(
            {
                "file": ValidationError(
                    _(
                        "The file lacks the columns %(columns)s: use the list Haven produced, with its line "
                        "numbers, filled in by the provider."
                    )
                    % {"columns": ", ".join(str(dict(COLUMNS)[c]) for c in lacking)},
                    code="columns",
                )
            }
        )
    lines = {line.pk: line for line in run.lines.select_related("confirmation__provider_return")}
    today = clock.today()
    problems: list[str] = []
    found: list[Row] = []
    seen: dict[int, int] = {}
    read = 0

    def problem(number: int, text: str) -> None:
        problems.append(_("Row %(row)s: %(problem)s") % {"row": number, "problem": text})

    def field(fields: list[str], column: str) -> str:
        index = columns.get(column)
        return fields[index].strip() if index is not None and index < len(fields) else ""

    for number, fields in rows:
        if not any(f.strip() for f in fields):
            continue
        read += 1
        if read > MAX_ROWS:
            raise ValidationError(
                {"file": ValidationError(_("The file has more than 50,000 rows."), code="too_many")}
            )
        if len(problems) >= MAX_PROBLEMS:
            continue
        ref, said = field(fields, "line"), field(fields, "outcome")
        if not said:
            continue  # the provider has not answered for this line yet
        if not ref.isdigit() or len(ref) > 18:
            problem(number, _("give the line number from the list (a whole number)."))
            continue
        line = lines.get(int(ref))
        if line is None:
            problem(number, _("there is no line %(line)s in this payroll.") % {"line": ref})
            continue
        if line.amount <= 0:
            problem(
                number, _("line %(line)s is a recovery: it is not on the provider's list.") % {"line": ref}
            )
            continue
        if line.pk in seen:
            problem(
                number,
                _("line %(line)s was already given in row %(row)s.") % {"line": ref, "row": seen[line.pk]},
            )
            continue
        seen[line.pk] = number
        outcome = _outcome_of(said)
        if not outcome:
            problem(
                number,
                _("“%(value)s” is not an outcome: write paid, failed or returned.") % {"value": said[:40]},
            )
            continue
        on = _day(field(fields, "paid_on"))
        if on is None:
            problem(number, _("give the date as dd/mm/yyyy."))
            continue
        if on > today:
            problem(number, _("the date is in the future."))
            continue
        if run.sent_on is not None and on < run.sent_on:
            problem(
                number,
                _("the date is before the list was sent (%(day)s).")
                % {"day": run.sent_on.strftime("%d/%m/%Y")},
            )
            continue
        paid = field(fields, "paid_amount")
        amount = _amount(paid) if paid else (line.amount if outcome == Outcome.PAID else 0)
        if amount is None:
            problem(number, _("the amount paid is not a whole number of đồng."))
            continue
        note = field(fields, "note")[:300]
        known = getattr(line, "confirmation", None)
        if known is not None:
            if (known.outcome, known.on, known.amount) == (outcome, on, amount):
                continue  # the same answer, from a file imported before
            problem(
                number,
                _(
                    "line %(line)s was already confirmed “%(outcome)s” on %(day)s: a recorded outcome is not "
                    "changed."
                )
                % {"line": ref, "outcome": known.get_outcome_display(), "day": known.on.strftime("%d/%m/%Y")},
            )
            continue
        found.append(Row(number, line, outcome, on, amount, note))
    if problems:
        raise ValidationError({"file": [ValidationError(p, code="row") for p in problems]})
    return found, read


@transaction.atomic
def provider_return_import(*, actor: User, run: PayrollRun, file_name: str, content: bytes) -> ProviderReturn:
    """Import the provider's return file of ``run`` (sent to the provider): every row right, or
    nothing saved. Returns the import, with how many lines it confirmed."""
    name = (file_name or "").strip()[:200] or "return"

    def effect(firing: Firing) -> ProviderReturn:
        found, read = read_return(run, name, content)
        imported = ProviderReturn.objects.create(
            run=run,
            file_name=name,
            digest=hashlib.sha256(content).hexdigest(),
            rows=read,
            recorded=len(found),
            imported_by=actor,
        )
        Confirmation.objects.bulk_create(
            Confirmation(
                line=row.line,
                provider_return=imported,
                outcome=row.outcome,
                on=row.on,
                amount=row.amount,
                reason=row.note,
            )
            for row in found
        )
        outcomes: dict[str, int] = {}
        for row in found:
            outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
        firing.data.update({"file": name, "rows": read, "recorded": len(found), "outcomes": outcomes})
        return imported

    return workflow.PAYROLL.fire(run, "payroll_return", actor=actor, effect=effect)
