"""Vietnamese administrative documents as PDF: one way to print a notice, a record (biên bản) or a
decision, always in Vietnamese whatever the interface language.

The layout follows Decree 30/2020/NĐ-CP, Appendix I (the format of an administrative document): the
issuing body and the number on the left; the national title and the motto, underlined, on the right,
then the place-and-date line; the title and its subject; the text; "Nơi nhận" and the signature of
the person who signs, with the place of the seal. The fonts are Be Vietnam Pro (OFL, in fonts/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.http import HttpResponse
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from haven.core import calendar
from haven.core.errors import Refused

FONTS = Path(__file__).parent / "fonts"
FONT = "BeVietnamPro"
BODY = 11  # points

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN = "(Ký, ghi rõ họ tên)"
SIGN_AND_SEAL = "(Ký, ghi rõ họ tên, đóng dấu)"
SEX = {"male": "Nam", "female": "Nữ", "unknown": "Chưa xác định"}

# The kind of a unit as its name starts, dropped for the place on the date line (Decree 30/2020,
# Appendix I, II.4(a): the place is the proper name of the unit where the body sits).
_UNIT_PREFIXES = ("Thành phố ", "Tỉnh ", "Đặc khu ", "Phường ", "Xã ", "Thị trấn ")


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(calendar.VIETNAM)


def full_name(area) -> str:
    """The official name of a province or commune ("Tỉnh Tuyên Quang", "Phường Ba Đình")."""
    if area.kind == "tinh" and not area.name.startswith("Tỉnh "):
        return f"Tỉnh {area.name}"
    return area.name


def in_text(area) -> str:
    """The name as running text writes it, the kind of unit in lower case ("phường Ba Đình, thành phố
    Hà Nội"; Decree 30/2020, Appendix II: only proper names take capitals)."""
    name = full_name(area)
    for prefix in _UNIT_PREFIXES:
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def place_of(area) -> str:
    """A commune with its province, as running text writes it."""
    return f"{in_text(area)}, {in_text(area.parent)}" if area.parent_id else in_text(area)


def proper_name(area) -> str:
    """The place written on the date line: "Ba Đình" for Phường Ba Đình, "Hà Nội" for the city."""
    for prefix in _UNIT_PREFIXES:
        if area.name.startswith(prefix):
            return area.name[len(prefix) :]
    return area.name


def date_line(place: str, on: dt.date | None) -> str:
    """ "Ba Đình, ngày 05 tháng 01 năm 2027". Decree 30/2020, Appendix I, II.4(b): a day below 10 and
    the months 1 and 2 take a leading zero. With no date, the blanks are left to be filled by hand."""
    if on is None:
        return f"{place}, ngày … tháng … năm …"
    day = f"{on.day:02d}"
    month = f"{on.month:02d}" if on.month < 3 else str(on.month)
    return f"{place}, ngày {day} tháng {month} năm {on.year}"


def day(on: dt.date | dt.datetime | None) -> str:
    if on is None:
        return "…"
    if isinstance(on, dt.datetime):
        on = local(on)
    return on.strftime("%d/%m/%Y")


def moment(at: dt.datetime) -> str:
    """ "09 giờ 05 phút, ngày 01/12/2026", in Vietnam time."""
    at = local(at)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d/%m/%Y}"


def age_in_words(days: int | None) -> str:
    if days is None:
        return ""
    if days < 60:
        return f"khoảng {days} ngày tuổi"
    if days < 730:
        return f"khoảng {days // 30} tháng tuổi"
    return f"khoảng {days // 365} tuổi"


def _line_height(size: float) -> float:
    """Lines about 1.35 times the type size, in millimetres."""
    return size * 0.3528 * 1.35 + 0.3


@dataclass(frozen=True)
class Issuer:
    """The body that issues a document, as its heading and signature name it."""

    name: str  # upper case, bold in the heading; may hold a line break
    place: str  # the place on the date line
    authority: str  # how the text names the body ("Ủy ban nhân dân phường Ba Đình")
    parent: str = ""  # the body above it (upper case, regular), when the heading names one
    head: str = "THỦ TRƯỞNG CƠ QUAN"  # the title of the one who signs for it
    on_behalf: str = ""  # "TM. ỦY BAN NHÂN DÂN": a collective body signs through its head

    def decider(self, *, by_head: bool) -> str:
        """The line naming who decides, above the legal bases: the head ("CHỦ TỊCH ỦY BAN NHÂN DÂN
        PHƯỜNG BA ĐÌNH") when the law gives the decision to the head, else the body itself."""
        body = self.authority.upper()
        return f"{self.head} {body}" if by_head or not self.on_behalf else body

    def signer(self, name: str, *, by_head: bool) -> Signer:
        """The head signs in their own name, or "TM." (on behalf of) the collective body (Decree
        30/2020, Appendix I, II.8)."""
        return Signer(self.head, name, on_behalf="" if by_head else self.on_behalf)


def issuer_of(organisation) -> Issuer:
    """The heading of an organisation's documents (Decree 30/2020, Appendix I, II.2)."""
    area = organisation.area
    kind = organisation.kind
    if kind == "commune_committee":
        return Issuer(
            name=f"ỦY BAN NHÂN DÂN\n{full_name(area).upper()}",
            place=proper_name(area),
            authority=f"Ủy ban nhân dân {in_text(area)}",
            head="CHỦ TỊCH",
            on_behalf="TM. ỦY BAN NHÂN DÂN",
        )
    if kind == "provincial_health":
        return Issuer(
            name="SỞ Y TẾ",
            parent=f"ỦY BAN NHÂN DÂN {full_name(area).upper()}",
            place=proper_name(area),
            authority=f"Sở Y tế {in_text(area)}",
            head="GIÁM ĐỐC",
        )
    if kind == "social_protection_facility":
        return Issuer(
            name=organisation.name.upper(),
            place=proper_name(area),
            authority=organisation.name,
            head="GIÁM ĐỐC",
        )
    return Issuer(name=organisation.name.upper(), place=proper_name(area), authority=organisation.name)


# The role whose holder signs for a body, where Haven knows it.
_HEAD_ROLE = {"commune_committee": "commune_chairman", "social_protection_facility": "facility_director"}


def head_name(organisation, on: dt.date) -> str:
    """The name of the person heading ``organisation`` on ``on`` (its chairman, its director), or ""
    when Haven does not know one: the name is then written by hand under the signature."""
    from haven.accounts.models import Membership

    role = _HEAD_ROLE.get(organisation.kind)
    if role is None:
        return ""
    member = (
        Membership.objects.active(on)
        .filter(organisation=organisation, role=role)
        .select_related("user")
        .order_by("valid_from", "pk")
        .last()
    )
    return str(member.user) if member is not None else ""


def organisation_of(user, role: str, on: dt.date, default):
    """The organisation through which ``user`` held ``role`` on ``on`` (the committee of the chairman
    who signed), or ``default``."""
    from haven.accounts.models import Membership

    member = (
        Membership.objects.active(on)
        .filter(user=user, role=role)
        .select_related("organisation__area__parent")
        .order_by("pk")
        .first()
    )
    return member.organisation if member is not None else default


@dataclass(frozen=True)
class Signer:
    title: str  # "CHỦ TỊCH", "NGƯỜI LẬP BIÊN BẢN"
    name: str = ""
    on_behalf: str = ""  # "TM. ỦY BAN NHÂN DÂN", printed above the title
    hint: str = SIGN_AND_SEAL


# The longest paper Haven prints, a discovery record in two originals with every text at its longest
# (2,000 characters, haven/core/limits.py), holds about 20,000 characters on 6 pages. A paper past
# twice that was fed text no form accepts today: it is refused before it is laid out, rather than tie
# up the server (security review finding 11: a 600 KB text made a 356-page record that took 43
# seconds). The text is counted before each paragraph is laid out, because fpdf2 lays out a whole
# paragraph before it breaks pages, so a page count alone would stop it too late.
MAX_CHARACTERS = 40_000
MAX_PAGES = 30


class DocumentTooLong(Refused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This paper is too long to print, because a text in the record is far longer than a "
                "form accepts. Shorten that text in the record, then print again."
            ),
            code="too_long",
        )


class Document(FPDF):
    """An A4 page set in Be Vietnam Pro with the margins of Decree 30/2020 (Appendix I, I.4)."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font(FONT, "", FONTS / "BeVietnamPro_400Regular.ttf")
        self.add_font(FONT, "B", FONTS / "BeVietnamPro_700Bold.ttf")
        self.add_font(FONT, "I", FONTS / "BeVietnamPro_400Regular_Italic.ttf")
        self.set_margins(30, 20, 15)
        self.set_auto_page_break(True, 20)
        self.set_title(title)
        self.set_lang("vi")
        self._first_page_of_copy = 1
        self._characters = 0

    def _bounded(self, text: str) -> str:
        self._characters += len(text or "")
        if self._characters > MAX_CHARACTERS:
            raise DocumentTooLong
        return text

    def add_page(self, *args, **kwargs) -> None:
        # Every new page passes here, the automatic page breaks of a long text included.
        if self.page_no() >= MAX_PAGES:
            raise DocumentTooLong
        super().add_page(*args, **kwargs)

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        # Pages are numbered from the second page of each copy, at the top (Appendix I, II.11).
        number = self.page_no() - self._first_page_of_copy + 1
        if number > 1:
            self.set_font(FONT, "", 10)
            self.cell(0, 5, str(number), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)

    def copy(self, note: str = "") -> None:
        """Start one original of the document (a biên bản is drawn up in several)."""
        self._first_page_of_copy = self.page_no() + 1
        self.add_page()
        if note:
            self.paragraph(note, size=8, style="I", align="R", gap=1)

    def heading(self, issuer: Issuer, number: str, on: dt.date | None, form: str = "") -> None:
        """Issuer and number on the left; the national title, the underlined motto and the
        place-and-date line on the right."""
        if form:
            self.paragraph(form, size=9, style="B", align="R", gap=1)
        top, left_w = self.get_y(), 68
        right_x, right_w = self.l_margin + left_w, self.width - left_w
        below = {"new_x": XPos.LEFT, "new_y": YPos.NEXT}
        if issuer.parent:
            self.set_font(FONT, "", 9.5)
            self.multi_cell(left_w, 5, issuer.parent, align="C", **below)
        self.set_font(FONT, "B", 10)
        self.multi_cell(left_w, 5, issuer.name, align="C", **below)
        longest = max(self.get_string_width(line) for line in issuer.name.splitlines())
        self._rule(self.l_margin + left_w / 2, self.get_y() + 0.8, longest / 2.5)
        self.set_y(self.get_y() + 3)
        left_bottom = self.get_y()

        self.set_xy(right_x, top)
        self.set_font(FONT, "B", 10)
        self.multi_cell(right_w, 5, NATION, align="C", **below)
        self.set_font(FONT, "B", 10.5)
        self.multi_cell(right_w, 5.5, MOTTO, align="C", **below)
        # The motto is underlined by a solid line as long as the motto (Appendix I, II.1).
        self._rule(right_x + right_w / 2, self.get_y() + 0.8, self.get_string_width(MOTTO))
        right_bottom = self.get_y() + 3

        line_y = max(left_bottom, right_bottom) + 1
        self.set_xy(self.l_margin, line_y)
        self.set_font(FONT, "", 10)
        self.multi_cell(left_w, 5, f"Số: {number}", align="C", **below)
        self.set_xy(right_x, line_y)
        self.set_font(FONT, "I", 10)
        self.multi_cell(right_w, 5, date_line(issuer.place, on), align="C", **below)
        self.set_xy(self.l_margin, max(self.get_y(), line_y + 5) + 7)

    def _rule(self, centre: float, y: float, length: float) -> None:
        self.set_line_width(0.3)
        self.line(centre - length / 2, y, centre + length / 2, y)

    def headline(self, kind: str, subject: str = "") -> None:
        """ "QUYẾT ĐỊNH" and its subject ("Về việc …"), with the short line below the subject."""
        self.paragraph(kind, size=14, style="B", align="C", gap=0)
        if subject:
            self.set_font(FONT, "B", 11.5)
            self.multi_cell(0, 6, subject, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self._rule(self.l_margin + self.width / 2, self.get_y() + 1, min(50, self.width / 3))
        self.ln(7)

    def paragraph(
        self, text: str, *, size: float = BODY, style: str = "", align: str = "J", gap: float = 1.5
    ) -> None:
        self._bounded(text)
        self.set_font(FONT, style, size)
        self.multi_cell(0, _line_height(size), text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def section(self, text: str) -> None:
        """A heading, kept on the page of what it heads."""
        if self.get_y() + 25 > self.h - self.b_margin:
            self.add_page()
        self.paragraph(text, style="B", gap=0.5)

    def bases(self, lines: Sequence[str]) -> None:
        """The legal bases of a decision ("Căn cứ …;"), in italics."""
        for line in lines:
            self.paragraph(line, style="I", gap=0.5)
        self.ln(2)

    def clause(self, label: str, text: str, *, gap: float = 1.5) -> None:
        """A numbered article: the label ("Điều 1.") in bold, the text following on the same line."""
        self._bounded(text)
        height = _line_height(BODY)
        self.set_x(self.l_margin)
        self.set_font(FONT, "B", BODY)
        self.write(height, f"{label} ")
        self.set_font(FONT, "", BODY)
        self.write(height, text)
        self.ln(height)
        self.ln(gap)

    def bullets(self, lines: Sequence[str], *, gap: float = 1.5) -> None:
        for line in lines:
            self.paragraph(f"- {line}", gap=0.3)
        self.ln(gap)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        align: Sequence[str],
        size: float = 9.5,
    ) -> None:
        """A ruled table whose header row repeats on every page it runs onto."""
        self.set_font(FONT, "", size)
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            line_height=_line_height(size),
            padding=(0.8, 1.2),
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            align="LEFT",
        ) as table:
            for row in (header, *rows):
                cells = table.row()
                for value in row:
                    cells.cell(self._bounded(value))
        self.ln(4)

    def signatures(self, *signers: Signer, recipients: Sequence[str] = ()) -> None:
        """The signature blocks side by side, their names on one line; with ``recipients``, "Nơi nhận"
        on the left. A single signer signs on the right half (Appendix I, II.8–9). The blocks stay on
        one page, with room for the signature and the seal."""
        if recipients or len(signers) == 1:
            half = self.width / 2
            columns = [(self.l_margin + half, half)]
        else:
            share = self.width / len(signers)
            columns = [(self.l_margin + i * share, share) for i in range(len(signers))]
        self.set_font(FONT, "B", 10.5)
        titles = max(
            sum(
                len(self.multi_cell(w, 5.5, t, dry_run=True, output="LINES"))
                for t in (s.on_behalf, s.title)
                if t
            )
            for (_x, w), s in zip(columns, signers, strict=True)
        )
        self.set_font(FONT, "I", 9)
        hints = max(
            len(self.multi_cell(w, 5, s.hint, dry_run=True, output="LINES"))
            for (_x, w), s in zip(columns, signers, strict=True)
        )
        # The titles, the hints, then room for the signature and the seal.
        names_at = titles * 5.5 + hints * 5 + 20
        height = max(names_at + 10, 8 + 5 * len(recipients))
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()
        self.set_auto_page_break(False)
        top = self.get_y()
        if recipients:
            self.set_xy(self.l_margin, top)
            self.set_font(FONT, "B", 10)
            self.cell(half, 5, "Nơi nhận:", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font(FONT, "", 9)
            for line in recipients:
                self.multi_cell(half - 4, 4.5, f"- {line}", new_x=XPos.LEFT, new_y=YPos.NEXT)
        for (x, width), signer in zip(columns, signers, strict=True):
            self.set_xy(x, top)
            self.set_font(FONT, "B", 10.5)
            for line in (signer.on_behalf, signer.title):
                if line:
                    self.set_x(x)
                    self.multi_cell(width, 5.5, line, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_xy(x, top + titles * 5.5)
            self.set_font(FONT, "I", 9)
            self.multi_cell(width, 5, signer.hint, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_xy(x, top + names_at)
            self.set_font(FONT, "B", 10.5)
            self.multi_cell(width, 5, signer.name, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, top + height)
        self.set_auto_page_break(True, 20)

    def render(self) -> bytes:
        return bytes(self.output())


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF to download. ``filename`` names the kind of document and an identifier, never a person."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
