"""The printed papers of a found child's case (Decree 123/2015/NĐ-CP art. 14): the discovery record,
the decision giving the child into temporary care, and the public notice to find the parents. Always
in Vietnamese, whatever the interface language (haven/core/documents.py)."""

from __future__ import annotations

import datetime as dt

from haven.core import documents as d
from haven.foundlings.models import DiscoveryRecord, FoundlingCase, Handover, TemporaryCare

DECREE_123 = (
    "Nghị định số 123/2015/NĐ-CP ngày 15 tháng 11 năm 2015 của Chính phủ quy định chi tiết một số điều "
    "và biện pháp thi hành Luật Hộ tịch"
)
# Decree 123/2015 art. 14(2): the notice is posted for 7 consecutive days.
NOTICE_PERIOD = dt.timedelta(days=7)
COPIES = (
    "Bản chính số 01/02 — lưu tại cơ quan lập biên bản",
    "Bản chính số 02/02 — giao người hoặc tổ chức tạm thời nuôi dưỡng trẻ",
)


def _where_found(case: FoundlingCase) -> str:
    return f"{case.found_place}, {d.place_of(case.found_commune)}"


def _person(name: str, document: str, residence: str) -> str:
    return f"Họ và tên: {name}; giấy tờ tùy thân: {document or '…'}; nơi cư trú: {residence or '…'}."


def discovery_record(doc: DiscoveryRecord) -> bytes:
    """Biên bản xác nhận việc phát hiện trẻ bị bỏ rơi (Decree 123/2015 art. 14(1)): the fields the
    article requires, signed by the finder, the witnesses and the drafter, in two originals."""
    pdf = d.Document(f"Biên bản {doc.number}")
    issuer = d.issuer_of(doc.organisation)
    drawn = d.local(doc.drawn_up_at)
    for copy in COPIES:
        pdf.copy(copy)
        pdf.heading(issuer, doc.number, drawn.date())
        pdf.headline("BIÊN BẢN", "Xác nhận việc phát hiện trẻ bị bỏ rơi")
        pdf.paragraph(
            f"Hôm nay, hồi {d.moment(doc.drawn_up_at)}, tại {doc.drawn_up_place}, chúng tôi gồm: "
            f"{doc.drafter} — {doc.drafter_title}, {issuer.authority}, đã lập biên bản về việc phát "
            "hiện trẻ bị bỏ rơi như sau:"
        )
        pdf.section("1. Thời gian, địa điểm phát hiện trẻ")
        pdf.paragraph(f"Hồi {d.moment(doc.found_at)}, tại {_where_found(doc.case)}.")
        pdf.section("2. Đặc điểm nhận dạng của trẻ")
        pdf.paragraph(f"Giới tính: {d.SEX.get(doc.sex, doc.sex)}.")
        pdf.paragraph(f"Đặc điểm, thể trạng: {doc.physique}")
        pdf.paragraph(f"Tình trạng sức khỏe: {doc.health}")
        pdf.section("3. Tài sản, đồ vật kèm theo trẻ")
        pdf.paragraph(doc.belongings)
        pdf.section("4. Người phát hiện trẻ")
        pdf.paragraph(_person(doc.finder_name, doc.finder_id_document, doc.finder_address))
        pdf.section("5. Người làm chứng")
        if doc.witness_name:
            pdf.paragraph(_person(doc.witness_name, doc.witness_id_document, doc.witness_address))
        if doc.witnesses:
            pdf.paragraph(f"Người làm chứng khác: {doc.witnesses}" if doc.witness_name else doc.witnesses)
        if not (doc.witness_name or doc.witnesses):
            pdf.paragraph("Không có.")
        pdf.paragraph(
            "Biên bản được lập thành 02 bản chính có giá trị như nhau: 01 bản lưu tại cơ quan lập biên bản, "
            "01 bản giao cho người hoặc tổ chức tạm thời nuôi dưỡng trẻ (khoản 1 Điều 14 Nghị định số "
            "123/2015/NĐ-CP).",
            size=10,
            style="I",
            gap=8,
        )
        # Records made before the witness was named field by field carry the witnesses as one text.
        witness = doc.witness_name or next(iter(doc.witnesses.splitlines()), "")
        others = [d.Signer("NGƯỜI LÀM CHỨNG KHÁC", hint=d.SIGN)] if doc.witness_name and doc.witnesses else []
        pdf.signatures(
            d.Signer("NGƯỜI PHÁT HIỆN", doc.finder_name, hint=d.SIGN),
            d.Signer("NGƯỜI LÀM CHỨNG", witness, hint=d.SIGN),
            *others,
            d.Signer("NGƯỜI LẬP BIÊN BẢN", str(doc.drafter)),
        )
    return pdf.render()


def public_notice(case: FoundlingCase, authority) -> bytes:
    """Thông báo tìm cha, mẹ đẻ (Decree 123/2015 art. 14(2)): posted for 7 consecutive days at the
    People's Committee of the commune where the child was found. It carries only what may identify the
    child to a parent — when and where found, sex, estimated age, belongings — never the child's name
    or photo, the finder, the child's health or where the child is now cared for."""
    pdf = d.Document("Thông báo tìm cha, mẹ đẻ của trẻ bị bỏ rơi")
    issuer = d.issuer_of(authority)
    posted = d.local(case.notice_posted_at)
    where = f"Trụ sở Ủy ban nhân dân {d.in_text(case.found_commune)}"
    # The 7 days printed are those the deadline engine counts, ending when the notice ends: a posting
    # time entered earlier than it was recorded does not shorten them.
    counted_from = case.notice_ends_at - NOTICE_PERIOD
    pdf.copy()
    pdf.heading(issuer, "…/TB-UBND", posted.date())
    pdf.headline("THÔNG BÁO", "Về việc tìm cha, mẹ đẻ của trẻ bị bỏ rơi")
    pdf.bases([f"Căn cứ khoản 2 Điều 14 {DECREE_123};"])
    pdf.paragraph(f"{issuer.authority} thông báo:")
    pdf.paragraph(f"Hồi {d.moment(case.found_at)}, tại {_where_found(case)}, phát hiện một trẻ bị bỏ rơi:")
    facts = [f"Giới tính: {d.SEX.get(case.child.sex, case.child.sex).lower()}."]
    if case.estimated_age_days is not None:
        facts.append(f"Tuổi: {d.age_in_words(case.estimated_age_days)} khi được phát hiện.")
    if case.belongings:
        facts.append(f"Đồ vật kèm theo: {case.belongings}")
    pdf.bullets(facts)
    pdf.paragraph(
        "Ai là cha, mẹ đẻ hoặc người thân thích của trẻ, đề nghị liên hệ "
        f"{issuer.authority} để được giải quyết."
    )
    pdf.section("Niêm yết thông báo")
    pdf.bullets(
        [
            f"Ngày niêm yết: {posted:%d/%m/%Y}.",
            f"Thời hạn niêm yết: 07 ngày liên tục, từ {d.moment(counted_from)} đến "
            f"{d.moment(case.notice_ends_at)}.",
            f"Nơi niêm yết: {where}.",
        ],
        gap=6,
    )
    pdf.signatures(issuer.signer(d.head_name(authority, posted.date()), by_head=False))
    return pdf.render()


def _receiver(handover: Handover, case: FoundlingCase) -> str:
    if handover.purpose == TemporaryCare.FAMILY:
        return f"gia đình {case.temporary_family}"
    return handover.to_organisation.name


def temporary_care_decision(case: FoundlingCase, handover: Handover, authority) -> bytes:
    """Quyết định giao trẻ bị bỏ rơi cho cá nhân, tổ chức tạm thời nuôi dưỡng: the commune People's
    Committee where the child was found gives the child into temporary care (Decree 123/2015
    art. 14(1)); for a facility, the emergency admission of Decree 20/2021 art. 27(3)."""
    record = case.discovery_record
    pdf = d.Document("Quyết định giao trẻ tạm thời nuôi dưỡng")
    issuer = d.issuer_of(authority)
    decided = d.local(handover.requested_at).date()
    receiver = _receiver(handover, case)
    pdf.copy()
    pdf.heading(issuer, "…/QĐ-UBND", decided)
    pdf.headline("QUYẾT ĐỊNH", "Về việc giao trẻ bị bỏ rơi cho cá nhân, tổ chức tạm thời nuôi dưỡng")
    # Decree 123/2015 art. 14(1) gives the child into temporary care by the commune People's Committee.
    pdf.paragraph(issuer.decider(by_head=False), style="B", align="C", gap=4)
    bases = [
        "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;",
        "Căn cứ Luật Trẻ em năm 2016;",
        f"Căn cứ khoản 1 Điều 14 {DECREE_123};",
    ]
    if handover.purpose == TemporaryCare.FACILITY:
        bases.append(
            "Căn cứ khoản 3 Điều 27 Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy "
            "định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội;"
        )
    bases.append(
        f"Căn cứ Biên bản xác nhận việc phát hiện trẻ bị bỏ rơi số {record.number} "
        f"ngày {d.day(record.drawn_up_at)};"
    )
    bases.append("Xét đề nghị của công chức phụ trách công tác bảo vệ trẻ em,")
    pdf.bases(bases)
    pdf.paragraph("QUYẾT ĐỊNH:", style="B", align="C", gap=3)
    age = d.age_in_words(case.estimated_age_days)
    pdf.clause(
        "Điều 1.",
        f"Giao trẻ bị bỏ rơi, giới tính {d.SEX.get(case.child.sex, case.child.sex).lower()}"
        f"{', ' + age + ' khi được phát hiện' if age else ''}, được phát hiện hồi {d.moment(case.found_at)} "
        f"tại {_where_found(case)}, cho {receiver} tạm thời nuôi dưỡng kể từ ngày {decided:%d/%m/%Y}.",
    )
    if handover.purpose == TemporaryCare.HOSPITAL_HOLD:
        pdf.paragraph(f"Lý do trẻ tiếp tục ở lại cơ sở y tế: {handover.reason}")
    pdf.clause(
        "Điều 2.",
        "Người, tổ chức nhận trẻ có trách nhiệm chăm sóc, nuôi dưỡng, bảo vệ trẻ cho đến khi tìm được cha, "
        "mẹ đẻ của trẻ hoặc có quyết định khác của cơ quan có thẩm quyền; phối hợp với Ủy ban nhân dân "
        "đăng ký khai sinh cho trẻ sau khi hết thời hạn niêm yết thông báo tìm cha, mẹ đẻ (khoản 2 Điều 14 "
        "Nghị định số 123/2015/NĐ-CP).",
    )
    pdf.clause(
        "Điều 3.",
        "Quyết định này có hiệu lực kể từ ngày ký. Công chức phụ trách công tác bảo vệ trẻ em, "
        f"{receiver} và các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định "
        "này./.",
        gap=6,
    )
    pdf.signatures(
        issuer.signer(d.head_name(authority, decided), by_head=False), recipients=("Như Điều 3;", "Lưu: VT.")
    )
    return pdf.render()
