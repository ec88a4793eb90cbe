"""The commune chairman's decision approving a child's support and intervention plan (Decree 56/2017/
NĐ-CP, Form 05) as a printable Vietnamese PDF (haven/core/documents.py)."""

from __future__ import annotations

import datetime as dt

from haven.core import documents as d
from haven.protection.models import Approval, ProtectionCase

LAW_ON_CHILDREN = "Luật Trẻ em năm 2016"
DECREE_56 = (
    "Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết một số điều "
    "của Luật Trẻ em"
)


def _day(value: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else "…"


def _child(case: ProtectionCase) -> str:
    child = case.child
    born = ""
    if child.date_of_birth:
        born = f", sinh ngày {child.date_of_birth:%d/%m/%Y}" + (
            " (ước tính)" if child.date_of_birth_estimated else ""
        )
    sex = d.SEX.get(child.sex, child.sex).lower()
    commune = child.current_commune
    lives = f", nơi cư trú: {d.place_of(commune)}" if commune else ""
    return f"{child}, giới tính {sex}{born}{lives}"


def plan_approval(case: ProtectionCase, approval: Approval) -> bytes:
    """Mẫu số 05: the chairman approves the plan (Form 04) after the meeting with the responsible people,
    a residential-area representative and the parents or caregiver (Law on Children art. 52;
    Decree 56/2017 art. 28)."""
    approved = d.local(approval.approved_at).date()
    committee = d.organisation_of(approval.approved_by, "commune_chairman", approved, case.responsible)
    issuer = d.issuer_of(committee)
    plan = approval.plan.data
    pdf = d.Document(f"Quyết định {approval.decision_number}")
    pdf.copy()
    pdf.heading(issuer, approval.decision_number, approved, form="Mẫu số 05 — Nghị định số 56/2017/NĐ-CP")
    pdf.headline(
        "QUYẾT ĐỊNH",
        "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em bị xâm hại hoặc có nguy cơ bị bạo "
        "lực, bóc lột, bỏ rơi",
    )
    # The plan is approved by the chairman (Decree 56/2017 art. 28), who signs in their own name.
    pdf.paragraph(issuer.decider(by_head=True), style="B", align="C", gap=4)
    pdf.bases(
        [
            "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;",
            f"Căn cứ {LAW_ON_CHILDREN};",
            f"Căn cứ {DECREE_56};",
            f"Căn cứ Kế hoạch hỗ trợ, can thiệp (Mẫu số 04) lập ngày {d.day(approval.plan.recorded_at)};",
            "Xét đề nghị của công chức phụ trách công tác bảo vệ trẻ em và kết luận cuộc họp theo "
            f"Điều 52 {LAW_ON_CHILDREN}, với sự tham gia của: "
            f"{'; '.join(line.strip() for line in approval.participants.splitlines() if line.strip())},",
        ]
    )
    pdf.paragraph("QUYẾT ĐỊNH:", style="B", align="C", gap=3)
    pdf.clause(
        "Điều 1.", f"Phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em {_child(case)}, như sau:", gap=1
    )
    pdf.paragraph(f"1. Mục tiêu: {plan.get('objectives') or '…'}")
    pdf.paragraph("2. Các biện pháp hỗ trợ, can thiệp (nội dung, người thực hiện, thời hạn):", gap=0.5)
    measures = [line.strip(" -•") for line in (plan.get("measures") or "").splitlines() if line.strip(" -•")]
    pdf.bullets(measures or ["…"], gap=0.5)
    pdf.paragraph(
        f"3. Thời gian thực hiện: từ ngày {_day(plan.get('start'))} đến ngày {_day(plan.get('end'))}."
    )
    worker = (
        f"công chức {case.assigned_to}" if case.assigned_to else "công chức phụ trách công tác bảo vệ trẻ em"
    )
    pdf.clause(
        "Điều 2.",
        f"Giao {worker} chủ trì, phối hợp với các cơ quan, tổ chức, cá nhân có liên quan tổ chức thực hiện "
        "kế hoạch; theo dõi, đánh giá và báo cáo kết quả thực hiện theo quy định.",
    )
    pdf.clause(
        "Điều 3.",
        f"Quyết định này có hiệu lực kể từ ngày ký. {worker[0].upper()}{worker[1:]}, cha, mẹ hoặc người chăm "
        "sóc trẻ em và các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định "
        "này./.",
        gap=6,
    )
    pdf.signatures(
        issuer.signer(str(approval.approved_by), by_head=True), recipients=("Như Điều 3;", "Lưu: VT.")
    )
    return pdf.render()
