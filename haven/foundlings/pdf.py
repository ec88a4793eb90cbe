"""Printable legal documents, always in Vietnamese whatever the interface language."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from haven.core import calendar

FONTS = Path(__file__).parent / "fonts"
SEX_VI = {"male": "Nam", "female": "Nữ", "unknown": "Chưa xác định"}
COPIES = (
    "Bản chính số 01/02 — lưu tại cơ quan lập biên bản",
    "Bản chính số 02/02 — giao người hoặc tổ chức tạm thời nuôi dưỡng trẻ",
)


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font("BeVietnamPro", "", FONTS / "BeVietnamPro_400Regular.ttf")
        self.add_font("BeVietnamPro", "B", FONTS / "BeVietnamPro_700Bold.ttf")
        self.add_font("BeVietnamPro", "I", FONTS / "BeVietnamPro_400Regular_Italic.ttf")
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, 18)

    def line_of(
        self, text: str, *, size: float = 11, style: str = "", align: str = "L", gap: float = 1.5
    ) -> None:
        self.set_font("BeVietnamPro", style, size)
        self.multi_cell(0, size * 0.5 + 1, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)


def _local(moment):
    return moment.astimezone(calendar.VIETNAM)


def discovery_record(doc) -> bytes:
    """Biên bản xác nhận trẻ bị bỏ rơi (Decree 123/2015 art. 14(1)): the fields the article requires,
    signature blocks for the drafter, the finder and the witnesses, in two originals."""
    pdf = _Document()
    pdf.set_title(f"Biên bản {doc.number}")
    drawn, found = _local(doc.drawn_up_at), _local(doc.found_at)
    for copy in COPIES:
        pdf.add_page()
        pdf.line_of(copy, size=8, style="I", align="R")
        _header(pdf, doc.organisation.name.upper(), f"Số: {doc.number}")
        pdf.line_of("BIÊN BẢN", size=15, style="B", align="C", gap=0)
        pdf.line_of("Xác nhận việc phát hiện trẻ bị bỏ rơi", size=12, style="B", align="C", gap=6)
        pdf.line_of(
            f"Hôm nay, hồi {drawn:%H} giờ {drawn:%M} phút, ngày {drawn:%d/%m/%Y}, tại {doc.drawn_up_place}, "
            f"chúng tôi gồm: {doc.drafter} — {doc.drafter_title}, {doc.organisation.name}, "
            "đã lập biên bản về việc phát hiện trẻ bị bỏ rơi như sau:"
        )
        pdf.line_of("1. Thời gian, địa điểm phát hiện trẻ", style="B", gap=0.5)
        pdf.line_of(
            f"Hồi {found:%H} giờ {found:%M} phút, ngày {found:%d/%m/%Y}, tại {doc.found_place}, "
            f"{doc.case.found_commune.name}, {doc.case.found_commune.parent.name}."
        )
        pdf.line_of("2. Đặc điểm nhận dạng của trẻ", style="B", gap=0.5)
        pdf.line_of(f"Giới tính: {SEX_VI.get(doc.sex, doc.sex)}.")
        pdf.line_of(f"Đặc điểm, thể trạng: {doc.physique}")
        pdf.line_of(f"Tình trạng sức khỏe: {doc.health}")
        pdf.line_of("3. Tài sản, đồ vật kèm theo trẻ", style="B", gap=0.5)
        pdf.line_of(doc.belongings)
        pdf.line_of("4. Người phát hiện trẻ", style="B", gap=0.5)
        pdf.line_of(f"Họ và tên: {doc.finder_name}")
        pdf.line_of(f"Giấy tờ tùy thân: {doc.finder_id_document}")
        pdf.line_of(f"Nơi cư trú: {doc.finder_address}")
        pdf.line_of("5. Người làm chứng", style="B", gap=0.5)
        pdf.line_of(doc.witnesses or "Không có.")
        pdf.line_of(
            "Biên bản được lập thành 02 bản chính có giá trị như nhau: 01 bản lưu tại cơ quan lập biên bản, "
            "01 bản giao cho người hoặc tổ chức tạm thời nuôi dưỡng trẻ (Nghị định 123/2015/NĐ-CP, điều 14, "
            "khoản 1).",
            size=10,
            style="I",
            gap=8,
        )
        _signatures(
            pdf,
            ("NGƯỜI PHÁT HIỆN", "NGƯỜI LÀM CHỨNG", "NGƯỜI LẬP BIÊN BẢN"),
            ("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)"),
            (doc.finder_name, "", str(doc.drafter)),
        )
    return bytes(pdf.output())


def _header(pdf: _Document, issuer: str, number: str) -> None:
    """The usual heading of an administrative document: issuer and number on the left, the national
    title and motto on the right (Decree 30/2020/NĐ-CP, Appendix I)."""
    top, left_w = pdf.get_y(), 70
    right_x, right_w = pdf.l_margin + left_w, pdf.w - pdf.l_margin - pdf.r_margin - left_w
    below = {"new_x": XPos.LEFT, "new_y": YPos.NEXT}
    pdf.set_font("BeVietnamPro", "B", 10)
    pdf.multi_cell(left_w, 5, issuer, align="C", **below)
    pdf.set_font("BeVietnamPro", "", 10)
    pdf.multi_cell(left_w, 5, number, align="C", **below)
    bottom = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font("BeVietnamPro", "B", 10)
    pdf.multi_cell(right_w, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", **below)
    pdf.multi_cell(right_w, 5, "Độc lập - Tự do - Hạnh phúc", align="C", **below)
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 6)


def _signatures(pdf: _Document, titles, hints, names) -> None:
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(titles)
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()  # the signatures stay together, on the page that names them if it can
    pdf.set_auto_page_break(False)
    top = pdf.get_y()
    for i, (title, hint, name) in enumerate(zip(titles, hints, names, strict=True)):
        x = pdf.l_margin + i * width
        pdf.set_xy(x, top)
        pdf.set_font("BeVietnamPro", "B", 10)
        pdf.multi_cell(width, 5, title, align="C")
        pdf.set_x(x)
        pdf.set_font("BeVietnamPro", "I", 9)
        pdf.multi_cell(width, 5, hint, align="C")
        pdf.set_xy(x, top + 30)
        pdf.set_font("BeVietnamPro", "", 10)
        pdf.multi_cell(width, 5, name, align="C")
    pdf.set_auto_page_break(True, 18)
