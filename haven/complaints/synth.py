"""Demo complaints, made through the real services by the demo users, each step recorded on the day it
happened: one on track, one at risk, one breached (accepted and never settled), one settled whose
second-time window is open, one taken to the province, anonymous feedback about an officer, and one
that revealed harm to a child and opened a protection case. The sweep then escalates what is late."""

from __future__ import annotations

import datetime as dt

from haven.accounts.synth import DemoWorld
from haven.complaints import services
from haven.complaints.models import Category, Complaint
from haven.core import calendar, clock
from haven.deadlines.sweep import sweep
from haven.entitlements.models import Application

MARK = "Ghi chú mẫu:"


def _at(day: dt.date, hour: int = 9):
    return clock.at(calendar.day_start(day) + dt.timedelta(hours=hour))


def demo(world: DemoWorld) -> int:
    """The demo's complaints; returns how many were made. Idempotent: a second run adds nothing."""
    if Complaint.objects.filter(commune=world.commune_a).exists():
        return 0
    u = {name: user for name, (user, _label) in world.users.items()}
    officer, chairman, province = u["commune.officer"], u["chairman"], u["province"]
    today = clock.today()
    category = {c.code: c for c in Category.objects.all()}
    application = (
        Application.objects.filter(commune=world.commune_a, child__given_name="Trợ Cấp")
        .select_related("child")
        .order_by("created_at")
        .first()
    )

    def receive(days_ago: int, code: str, content: str, **kwargs) -> Complaint:
        day = today - dt.timedelta(days=days_ago)
        with _at(day):
            return services.complaint_receive(
                actor=officer,
                category=category[code],
                content=f"{MARK} {content}",
                received_on=day,
                **kwargs,
            )

    def accept(complaint: Complaint, days_ago: int) -> None:
        day = today - dt.timedelta(days=days_ago)
        with _at(day, 14):
            services.complaint_accept(actor=officer, complaint=complaint, accepted_on=day)

    def settle(complaint: Complaint, days_ago: int, number: str, outcome: str, reasons: str) -> None:
        day = today - dt.timedelta(days=days_ago)
        with _at(day, 15):
            services.complaint_settle(
                actor=chairman,
                complaint=complaint,
                decision_number=number,
                decided_on=day,
                outcome=outcome,
                reasons=reasons,
            )

    made = []
    # On track: received three days ago.
    made.append(
        receive(
            3,
            "allowance_not_paid",
            "Bà ngoại nuôi cháu chưa nhận được trợ cấp tháng này tại bưu điện.",
            complainant_name="Nguyễn Thị Hạnh",
            complainant_phone="0912 345 678",
            application=application,
        )
    )
    # At risk: accepted 26 days ago, due within the week.
    risk = receive(
        28,
        "wrong_amount",
        "Tháng trước chỉ nhận 750.000 đồng, cháu chưa đủ 4 tuổi.",
        complainant_name="Trần Văn Phúc",
        complainant_phone="0987 654 321",
    )
    accept(risk, 26)
    made.append(risk)
    # Breached: accepted 40 days ago and never settled.
    late = receive(
        45,
        "health_insurance",
        "Cháu chưa được cấp thẻ bảo hiểm y tế dù đã nộp đủ giấy tờ.",
        complainant_name="Lê Thị Thu",
        complainant_address="Tổ dân phố 5",
    )
    accept(late, 40)
    made.append(late)
    # Settled ten days ago: the complainant may still go to the province.
    decided = receive(
        30,
        "application_refused",
        "Hồ sơ đề nghị trợ cấp của cháu bị từ chối mà không rõ lý do.",
        complainant_name="Phạm Thị Huyền",
        complainant_phone="0934 567 890",
    )
    accept(decided, 28)
    settle(
        decided, 10, "57/QĐ-UBND", "partly", "Bổ sung giấy xác nhận đang đi học; xét lại hồ sơ trong tháng."
    )
    made.append(decided)
    # Taken to the province, which accepted it.
    appealed = receive(
        60,
        "school_support",
        "Cháu không được miễn học phí học kỳ I.",
        complainant_name="Vũ Văn Toàn",
        complainant_phone="0905 111 222",
    )
    accept(appealed, 58)
    settle(
        appealed, 40, "41/QĐ-UBND", "rejected", "Trường đã miễn học phí từ tháng 10; không có khoản thu sai."
    )
    with _at(today - dt.timedelta(days=20), 10):
        services.complaint_appeal(
            actor=province, complaint=appealed, appealed_on=today - dt.timedelta(days=20)
        )
    with _at(today - dt.timedelta(days=18), 10):
        services.complaint_appeal_accept(
            actor=province, complaint=appealed, accepted_on=today - dt.timedelta(days=18)
        )
    made.append(appealed)
    # Anonymous feedback about an officer's conduct.
    made.append(
        receive(
            2,
            "officer_conduct",
            "Cán bộ tiếp nhận hồ sơ nói năng thiếu tôn trọng với người dân.",
            channel="phone",
        )
    )
    # A complaint that revealed harm to a child: a protection case opened from it.
    harm = receive(
        1,
        "other",
        "Người gửi cho biết cháu bé hàng xóm thường xuyên bị đánh và bỏ đói.",
        complainant_name="Đỗ Thị Liên",
        complainant_phone="0977 333 444",
        reveals_harm=True,
    )
    with _at(today - dt.timedelta(days=1), 11):
        services.complaint_open_protection(
            actor=officer,
            complaint=harm,
            incident_place="Tổ dân phố 2",
            condition="Theo người khiếu nại, cháu có vết bầm và thường xuyên đói.",
            likely_harm="Bạo lực và bỏ mặc tiếp diễn.",
            sex="male",
            given_name="Tý",
            estimated_age_years=7,
        )
    made.append(harm)
    sweep()
    return len(made)
