"""The shared layout of a Vietnamese administrative document (Decree 30/2020/NĐ-CP, Appendix I)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf

from haven.areas.models import Area
from haven.core import documents as d


def test_the_date_line_writes_a_day_below_10_and_the_months_1_and_2_with_a_leading_zero():
    assert d.date_line("Ba Đình", dt.date(2027, 1, 5)) == "Ba Đình, ngày 05 tháng 01 năm 2027"
    assert d.date_line("Ba Đình", dt.date(2027, 2, 28)) == "Ba Đình, ngày 28 tháng 02 năm 2027"
    assert d.date_line("Ba Đình", dt.date(2026, 3, 9)) == "Ba Đình, ngày 09 tháng 3 năm 2026"
    assert d.date_line("Ba Đình", dt.date(2026, 12, 17)) == "Ba Đình, ngày 17 tháng 12 năm 2026"
    assert d.date_line("Ba Đình", None) == "Ba Đình, ngày … tháng … năm …"


def test_a_unit_is_named_in_full_in_headings_and_by_its_proper_name_on_the_date_line(db):
    ward = Area.objects.communes().get(name="Phường Ba Đình")
    assert d.full_name(ward) == "Phường Ba Đình" and d.proper_name(ward) == "Ba Đình"
    assert d.in_text(ward) == "phường Ba Đình" and d.place_of(ward) == "phường Ba Đình, thành phố Hà Nội"
    province = Area.objects.provinces().filter(kind="tinh").order_by("code").first()
    assert d.full_name(province) == f"Tỉnh {province.name}" and d.proper_name(province) == province.name


class Drawn(d.Document):
    """Remembers every line it draws."""

    def __init__(self) -> None:
        super().__init__("thử")
        self.lines: list[tuple[float, float, float, float]] = []

    def line(self, x1, y1, x2, y2) -> None:
        self.lines.append((x1, y1, x2, y2))
        super().line(x1, y1, x2, y2)


def test_the_heading_underlines_the_motto_along_its_whole_length_and_dates_the_document():
    pdf = Drawn()
    issuer = d.Issuer(
        name="ỦY BAN NHÂN DÂN\nPHƯỜNG BA ĐÌNH", place="Ba Đình", authority="Ủy ban nhân dân phường Ba Đình"
    )
    pdf.copy()
    pdf.heading(issuer, "01/QĐ-UBND", dt.date(2026, 12, 7))
    pdf.set_font(d.FONT, "B", 10.5)
    motto = pdf.get_string_width(d.MOTTO)
    assert any(abs((x2 - x1) - motto) < 0.01 and y1 == y2 for x1, y1, x2, y2 in pdf.lines)
    text = pypdf.PdfReader(io.BytesIO(pdf.render())).pages[0].extract_text()
    assert d.NATION in text and d.MOTTO in text and "Ba Đình, ngày 07 tháng 12 năm 2026" in text


def test_a_collective_body_signs_through_its_head_and_a_head_in_their_own_name():
    issuer = d.Issuer(
        name="ỦY BAN NHÂN DÂN\nPHƯỜNG BA ĐÌNH",
        place="Ba Đình",
        authority="Ủy ban nhân dân phường Ba Đình",
        head="CHỦ TỊCH",
        on_behalf="TM. ỦY BAN NHÂN DÂN",
    )
    assert issuer.signer("Nguyễn Văn An", by_head=False).on_behalf == "TM. ỦY BAN NHÂN DÂN"
    assert issuer.signer("Nguyễn Văn An", by_head=True).on_behalf == ""
    assert issuer.decider(by_head=True) == "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"
    assert issuer.decider(by_head=False) == "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"
