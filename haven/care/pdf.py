"""Printed papers of family-like care, in Vietnamese (haven/core/documents.py): the commune chairman's
decision giving a child to an alternative-care family (Decree 56/2017/NĐ-CP, Form 12) and the record
of a facility's inspection against the checklist (care/checklist.py)."""

from __future__ import annotations

from django.utils import translation

from haven.care import checklist
from haven.care.models import CareFamily, FamilyKind, Inspection
from haven.core import documents as d

LAW_ON_CHILDREN = "Luật Trẻ em năm 2016"
DECREE_56 = (
    "Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết một số điều "
    "của Luật Trẻ em"
)
DECREE_103 = (
    "Nghị định số 103/2017/NĐ-CP ngày 12 tháng 9 năm 2017 của Chính phủ quy định về thành lập, tổ chức, "
    "hoạt động, giải thể và quản lý các cơ sở trợ giúp xã hội"
)

# The legal basis of each checklist item as a Vietnamese reader cites it (the checklist's own
# citations are written for developers); a test keeps every item of the checklist here.
ITEM_BASIS = {
    "location": "Nghị định số 103/2017/NĐ-CP (tiêu chuẩn về môi trường, khuôn viên)",
    "environment": "Nghị định số 103/2017/NĐ-CP (tiêu chuẩn về môi trường, khuôn viên)",
    "drainage": "Nghị định số 103/2017/NĐ-CP (tiêu chuẩn về môi trường, khuôn viên)",
    "sign": "Nghị định số 103/2017/NĐ-CP (tiêu chuẩn về môi trường, khuôn viên)",
    "fence_light": "Nghị định số 103/2017/NĐ-CP (tiêu chuẩn về môi trường, khuôn viên)",
    "buildings": "Nghị định số 103/2017/NĐ-CP (tiêu chuẩn về nhà ở, công trình)",
    "records": "Điều 40 Nghị định số 103/2017/NĐ-CP",
    "ratios": "Điều 6 Thông tư số 09/2024/TT-BLĐTBXH",
    "small_groups": "Thông báo số 432-TB/VPTW",
    "reviews": "khoản 1 Điều 68 Luật Trẻ em năm 2016",
}


def _child(child) -> str:
    born = f", sinh ngày {child.date_of_birth:%d/%m/%Y}" if child.date_of_birth else ""
    return f"{child}, giới tính {d.SEX.get(child.sex, child.sex).lower()}{born}"


def family_decision(family: CareFamily, committee) -> bytes:
    """Mẫu số 12: the chairman of the commune where the family lives gives the child to it; the
    handover follows within 15 working days (Law on Children art. 62, 64; Decree 56/2017)."""
    pdf = d.Document(f"Quyết định {family.decision_number}")
    issuer = d.issuer_of(committee)
    kin = family.kind == FamilyKind.KIN
    pdf.copy()
    pdf.heading(
        issuer, family.decision_number, family.decided_on, form="Mẫu số 12 — Nghị định số 56/2017/NĐ-CP"
    )
    pdf.headline("QUYẾT ĐỊNH", "Về việc giao, nhận chăm sóc thay thế cho trẻ em")
    pdf.paragraph(issuer.decider(by_head=True), style="B", align="C", gap=4)
    application = (
        "Căn cứ thông báo nhận chăm sóc thay thế của người thân thích của trẻ em (khoản 4 Điều 65 "
        f"{LAW_ON_CHILDREN});"
        if kin
        else "Căn cứ đơn đăng ký nhận chăm sóc thay thế của cá nhân, gia đình (Mẫu số 08);"
    )
    pdf.bases(
        [
            "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;",
            f"Căn cứ {LAW_ON_CHILDREN};",
            f"Căn cứ {DECREE_56};",
            application,
            "Căn cứ kết quả xác minh điều kiện của người nhận chăm sóc thay thế (Mẫu số 11) ngày "
            f"{d.day(family.verified_on)};",
            "Xét đề nghị của công chức phụ trách công tác bảo vệ trẻ em,",
        ]
    )
    pdf.paragraph("QUYẾT ĐỊNH:", style="B", align="C", gap=3)
    relation = f", quan hệ với trẻ em: {family.relationship}" if kin and family.relationship else ""
    form = "người thân thích" if kin else "cá nhân, gia đình không phải là người thân thích"
    carer = f"ông/bà {family.applicant_name}"
    pdf.clause(
        "Điều 1.",
        f"Giao trẻ em {_child(family.decided_child)} cho {carer}, sinh ngày "
        f"{family.applicant_born_on:%d/%m/%Y}, nơi cư trú: {family.address}, {d.place_of(family.commune)}"
        f"{relation}, nhận chăm sóc thay thế theo hình thức chăm sóc "
        f"thay thế bởi {form}.",
    )
    pdf.clause(
        "Điều 2.",
        f"Việc bàn giao trẻ em cho {carer} được thực hiện trong thời hạn 15 ngày làm việc kể từ ngày ký "
        f"Quyết định này. {carer[0].upper()}{carer[1:]} có trách nhiệm chăm sóc, nuôi dưỡng, giáo dục và "
        f"bảo đảm các quyền của trẻ em theo quy định của {LAW_ON_CHILDREN}.",
    )
    pdf.clause(
        "Điều 3.",
        "Quyết định này có hiệu lực kể từ ngày ký. Công chức phụ trách công tác bảo vệ trẻ em, "
        f"{carer} và các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định "
        "này./.",
        gap=6,
    )
    pdf.signatures(
        issuer.signer(str(family.decided_by or ""), by_head=True), recipients=("Như Điều 3;", "Lưu: VT.")
    )
    return pdf.render()


def inspection_record(inspection: Inspection) -> bytes:
    """Biên bản kiểm tra: the facility against each item of the checklist, with its legal basis, the
    result, and what must be put right; signed by the inspector and the facility's representative."""
    facility = inspection.facility
    issuer = d.issuer_of(inspection.organisation)
    director = d.head_name(facility.organisation, inspection.inspected_on)
    pdf = d.Document("Biên bản kiểm tra cơ sở trợ giúp xã hội")
    pdf.copy()
    number = "…/BB-SYT" if inspection.organisation.kind == "provincial_health" else "…/BB"
    pdf.heading(issuer, number, inspection.inspected_on)
    pdf.headline("BIÊN BẢN", "Kiểm tra cơ sở trợ giúp xã hội")
    licence = (
        f"giấy phép hoạt động số {facility.licence_number} cấp ngày {facility.licence_issued_on:%d/%m/%Y}"
    )
    pdf.paragraph(
        f"Hôm nay, ngày {inspection.inspected_on:%d/%m/%Y}, tại {facility.address}, {issuer.authority} tiến "
        f"hành kiểm tra {facility.organisation.name} ({licence})."
    )
    pdf.section("I. Thành phần")
    pdf.bullets(
        [
            f"Người kiểm tra: {inspection.inspected_by}, {issuer.authority}.",
            f"Đại diện cơ sở: {director or '…………………………………………'}.",
        ]
    )
    pdf.section("II. Căn cứ kiểm tra")
    pdf.bullets(
        [
            f"{LAW_ON_CHILDREN};",
            f"{DECREE_103};",
            "Thông tư số 09/2024/TT-BLĐTBXH;",
            "Thông báo số 432-TB/VPTW.",
        ]
    )
    pdf.section("III. Kết quả kiểm tra")
    with translation.override("vi"):
        results = {code: str(label) for code, label in checklist.RESULTS}
        rows = [
            (
                str(i),
                str(item.text),
                ITEM_BASIS[item.code],
                results.get(inspection.results.get(item.code), "—"),
            )
            for i, item in enumerate(checklist.ITEMS, start=1)
        ]
    pdf.grid(
        ("STT", "Nội dung kiểm tra", "Căn cứ", "Kết quả"),
        rows,
        widths=(10, 75, 55, 25),
        align=("CENTER", "LEFT", "LEFT", "CENTER"),
    )
    pdf.section("IV. Kết luận và yêu cầu")
    not_met = [row[1] for row in rows if row[3] == results["not_met"]]
    if not_met:
        pdf.paragraph(f"Có {len(not_met)} nội dung không đạt: {'; '.join(not_met)}.")
        pdf.paragraph(f"Yêu cầu cơ sở khắc phục: {inspection.findings}")
    else:
        pdf.paragraph("Cơ sở đáp ứng các nội dung được kiểm tra.")
        if inspection.findings:
            pdf.paragraph(f"Ghi nhận khác: {inspection.findings}")
    pdf.paragraph(
        f"Biên bản được lập thành 02 bản có giá trị như nhau: 01 bản lưu tại {issuer.authority}, 01 bản "
        "giao cho cơ sở; đã được đọc lại cho những người có tên trên cùng nghe và thống nhất ký tên.",
        size=10,
        style="I",
        gap=8,
    )
    pdf.signatures(
        d.Signer("ĐẠI DIỆN CƠ SỞ", director),
        d.Signer("NGƯỜI KIỂM TRA", str(inspection.inspected_by), hint=d.SIGN),
    )
    return pdf.render()
