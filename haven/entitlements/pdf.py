"""The carer's statement of the monthly allowance as a printed paper, in Vietnamese whatever the
interface language (haven/core/documents.py): the commune that pays tells the carer every month put on
a payroll, its amount and the rule behind it, what the provider confirmed, and the next change."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from haven.accounts.selectors import authority_for
from haven.core import documents as d
from haven.entitlements.statement import Statement, dong

DECREE_20 = (
    "Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp xã hội "
    "đối với đối tượng bảo trợ xã hội, được sửa đổi, bổ sung bởi Nghị định số 76/2024/NĐ-CP"
)
OUTCOME = {"paid": "Đã chi trả", "failed": "Chi trả không thành công", "returned": "Hoàn trả, chưa nhận"}


def _coefficient(value) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",")


def statement(found: Statement, today: dt.date) -> bytes:
    """The statement as a notice of the commune's People's Committee to the carer."""
    with translation.override("vi"):
        return _statement(found, today)


def _statement(found: Statement, today: dt.date) -> bytes:
    child = found.child
    commune = (
        found.current.commune
        if found.current
        else (found.periods[0].commune if found.periods else child.current_commune)
    )
    committee = authority_for(commune)
    issuer = d.issuer_of(committee)
    pdf = d.Document(f"Thông báo trợ cấp xã hội hằng tháng — {child}")
    pdf.copy()
    pdf.heading(issuer, "……/TB-UBND", today)
    pdf.headline("THÔNG BÁO", f"Về trợ cấp xã hội hằng tháng của trẻ em {child}")
    receiver = found.payee.receiver_name if found.payee else ""
    pdf.paragraph(
        f"Kính gửi: {'Ông/Bà ' + receiver if receiver else 'Người chăm sóc trẻ em'}", align="C", gap=4
    )
    born = f", sinh ngày {child.date_of_birth:%d/%m/%Y}" if child.date_of_birth else ""
    pdf.paragraph(
        f"{issuer.authority} thông báo việc chi trả trợ cấp xã hội hằng tháng cho trẻ em {child}{born} "
        "như sau:",
        gap=3,
    )
    if found.current is not None:
        decision = found.current.decision
        pdf.clause(
            "1.",
            f"Trẻ em được hưởng trợ cấp theo Quyết định số {decision.decision_number} ngày "
            f"{d.day(decision.decided_on)} của Chủ tịch {issuer.authority}, từ tháng "
            f"{found.current.from_month:%m/%Y}; đối tượng: {found.current.get_ground_display()}.",
        )
    elif found.periods:
        last = found.periods[0]
        pdf.clause(
            "1.",
            f"Trẻ em đã thôi hưởng trợ cấp từ tháng {last.until_month:%m/%Y}"
            if last.until_month
            else "Trẻ em chưa được hưởng trợ cấp.",
        )
    else:
        pdf.clause("1.", "Trẻ em chưa được hưởng trợ cấp.")
    if found.this_month is not None and found.this_month.amount is not None:
        a = found.this_month
        pdf.clause(
            "2.",
            f"Mức trợ cấp tháng {a.month:%m/%Y}: {dong(a.amount)} = mức chuẩn trợ giúp xã hội "
            f"{dong(a.base.value)} "
            f"× hệ số {_coefficient(a.rule.coefficient)} (trẻ em {a.age} tuổi vào ngày đầu tháng).",
        )
    if found.payee is not None:
        p = found.payee
        where = f" ({p.where})" if p.where else ""
        pdf.clause(
            "3.",
            f"Hình thức chi trả: {p.get_method_display().lower()}{where}; người nhận: {p.receiver_name}.",
        )
    if found.next_sentence:
        pdf.clause("4.", f"Thay đổi sắp tới: {found.next_sentence}")
    if found.lines:
        pdf.section("Các tháng đã đưa vào danh sách chi trả")
        rows = []
        for line in found.lines[:120]:
            confirmation = getattr(line, "confirmation", None)
            rows.append(
                [
                    f"{line.month:%m/%Y}",
                    line.get_kind_display(),
                    f"{dong(line.level)} × {_coefficient(line.coefficient)}" if line.level else "",
                    dong(line.amount),
                    OUTCOME.get(confirmation.outcome, "") if confirmation else "Chờ xác nhận",
                ]
            )
        pdf.grid(
            ["Tháng", "Loại chi trả", "Mức chuẩn × hệ số", "Số tiền", "Kết quả chi trả"],
            rows,
            widths=(18, 40, 40, 30, 37),
            align=("C", "L", "L", "R", "L"),
        )
        pdf.paragraph(f"Tổng số tiền đơn vị chi trả đã xác nhận chi trả: {dong(found.paid_total)}.")
    bases = [f"Căn cứ {DECREE_20};"] + [f"Căn cứ {b};" for b in found.bases if b]
    pdf.section("Căn cứ tính mức trợ cấp")
    pdf.bases(bases)
    if found.unverified:
        pdf.paragraph(
            "Ghi chú: một số mức chuẩn hoặc hệ số nêu trên chưa được đối chiếu với văn bản chính thức.",
            size=9,
            style="I",
        )
    pdf.paragraph(
        "Nếu có thắc mắc hoặc thấy chưa đúng, người chăm sóc trẻ em liên hệ công chức phụ trách lao động – "
        "xã hội của Ủy ban nhân dân cấp xã.",
        gap=4,
    )
    pdf.signatures(
        issuer.signer(d.head_name(committee, today), by_head=False),
        recipients=["Như trên;", "Lưu: VT."],
    )
    return pdf.render()
