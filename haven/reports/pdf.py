"""A periodic report as a Vietnamese administrative document (haven/core/documents.py): the issuing body
(the commune's People's Committee, the province's Department of Health), "BÁO CÁO" and its subject,
each indicator's figures in ruled tables, where the report stands on its way up the chain and the
digest of its figures, and the signature of the head. Always in Vietnamese, whatever the reader's
language; the figures are those the reader may see."""

from __future__ import annotations

from django.utils import translation

from haven.core import documents as d
from haven.reports.models import PeriodicReport, ReportState


def _state_line(report: PeriodicReport) -> str:
    if report.state == ReportState.APPROVED:
        return f"Đã được Bộ Y tế phê duyệt ngày {d.day(report.approved_at)}."
    if report.state == ReportState.PROVINCE_APPROVED:
        day = d.day(report.province_approved_at)
        return f"Đã được Sở Y tế phê duyệt ngày {day}, đang chờ Bộ Y tế phê duyệt."
    if report.state == ReportState.SUBMITTED:
        return f"Đã gửi ngày {d.day(report.submitted_at)}, đang chờ phê duyệt."
    if report.state == ReportState.RETURNED:
        return "Đã được trả lại để chỉnh sửa."
    return "Dự thảo: chưa gửi."


def periodic_report(report: PeriodicReport, sections) -> bytes:
    with translation.override("vi"):
        kind = report.kind
        period = report.period_obj
        pdf = d.Document(f"Báo cáo {report.area.name} {period}")
        issuer = d.issuer_of(report.responsible)
        pdf.copy()
        pdf.heading(issuer, "…/BC", report.submitted_at.date() if report.submitted_at else None)
        pdf.headline("BÁO CÁO", f"{kind.name} — {period}")
        pdf.paragraph(f"Địa bàn: {d.place_of(report.area)}.")
        pdf.paragraph(f"Căn cứ: {kind.legal_basis}.", style="I")
        pdf.paragraph(
            "Số liệu do hệ thống tổng hợp từ dữ liệu hồ sơ trẻ em, không nhập tay; thời điểm tổng hợp ghi "
            "cạnh từng chỉ tiêu.",
            size=9.5,
        )
        for number, section in enumerate(sections, start=1):
            ind = section.indicator
            pdf.section(f"{number}. {ind.name} ({ind.code})")
            counted = d.moment(section.counted_at) if section.counted_at else "…"
            rows = [[str(section.period), section.total.shown]]
            pdf.grid(["Kỳ số liệu", "Giá trị"], rows, widths=(60, 40), align=("LEFT", "RIGHT"))
            for title, cells in section.tables:
                pdf.grid(
                    [str(title), "Giá trị"],
                    [[label, value.shown] for label, value in cells],
                    widths=(90, 40),
                    align=("LEFT", "RIGHT"),
                    size=9,
                )
            pdf.paragraph(f"Tổng hợp lúc {counted}. Căn cứ: {ind.legal_basis}.", size=8.5, style="I")
        pdf.section("Tình trạng báo cáo")
        pdf.paragraph(_state_line(report))
        pdf.paragraph(f"Mã kiểm tra số liệu (SHA-256): {report.digest}", size=8.5)
        if any(not s.exact for s in sections):
            pdf.paragraph(
                "Một số ô được ẩn: số liệu nhỏ có thể làm lộ danh tính trẻ em, "
                "hoặc làm suy ra số liệu đã ẩn.",
                size=8.5,
                style="I",
            )
        signer = "CHỦ TỊCH" if report.level == "commune" else "GIÁM ĐỐC"
        pdf.signatures(
            d.Signer("NGƯỜI LẬP BIỂU", hint=d.SIGN),
            d.Signer(signer, d.head_name(report.responsible, report.generated_at.date())),
        )
        return pdf.render()
