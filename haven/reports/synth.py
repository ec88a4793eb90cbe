"""Demo periodic reports, made through the real services by the demo users, each step recorded on the
day it happened: every report type of the demo province's communes and of the province for the last
periods that have ended, at every stage — approved by the Ministry, approved by the province, returned
with the reason, submitted late, reviewed, generated and waiting — and the reminders the sweep finds
owed. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from haven.accounts.models import Role
from haven.accounts.synth import DemoWorld
from haven.core import calendar, clock
from haven.reports import periods, services, urging
from haven.reports.models import PeriodicReport
from haven.reports.periodic import REPORT_TYPES, report_type
from haven.reports.periods import Kind


def _at(day: dt.date, hour: int = 9):
    moment = calendar.day_start(day) + dt.timedelta(hours=hour)
    return clock.at(min(moment, clock.now()))


def demo(world: DemoWorld) -> tuple[int, int]:
    """The demo's reports and reminders: (reports made, reminders opened)."""
    if PeriodicReport.objects.filter(area=world.commune_a).exists():
        return 0, 0
    u = {name: user for name, (user, _label) in world.users.items()}
    officer, chairman, province, ministry = u["commune.officer"], u["chairman"], u["province"], u["ministry"]
    officer_b = u["commune.officer.b"]
    # Commune B's chairman, so that its reports go up too (the demo world gives B an officer only).
    from haven.accounts.models import Membership, User
    from haven.areas.models import TWO_TIER_REFORM

    chairman_b, _created = User.objects.get_or_create(
        username="chairman.b", defaults={"full_name": "Lê Văn Khánh"}
    )
    Membership.objects.get_or_create(
        user=chairman_b,
        organisation=world.organisations["committee_b"],
        role=Role.COMMUNE_CHAIRMAN,
        defaults={"valid_from": TWO_TIER_REFORM},
    )
    areas = [world.commune_a, world.commune_b, world.province]
    today = clock.today()
    made = 0
    months = []
    last = periods.containing(today, Kind.MONTH).previous()
    for back in (2, 1, 0):
        month = last
        for _ in range(back):
            month = month.previous()
        months.append(month)
        with _at(month.end):
            made += services.generate(kind=report_type("monthly"), period=month, areas=areas)
    # Every other type, for the last period that has ended, for the whole demo province.
    for kind in REPORT_TYPES:
        period = periods.containing(today, kind.kind).previous()
        with _at(period.end):
            made += services.generate(
                kind=kind, period=period, areas=[*world.province.communes(), world.province]
            )

    def report(area, period, code="monthly"):
        return PeriodicReport.objects.get(area=area, period=period.key, report_type=code)

    oldest, middle, _latest = months
    # The oldest month: commune A on time and approved up to the Ministry; commune B late, approved by
    # the province; the province's own report approved by the Ministry.
    a, b, p = report(world.commune_a, oldest), report(world.commune_b, oldest), report(world.province, oldest)
    with _at(a.due_on - dt.timedelta(days=3)):
        services.report_review(actor=officer, report=a, note="Đã đối chiếu với sổ theo dõi trẻ em của xã.")
    with _at(a.due_on - dt.timedelta(days=2)):
        services.report_submit(actor=chairman, report=a)
    with _at(a.due_on + dt.timedelta(days=2)):
        services.report_approve(actor=province, report=a, note="Số liệu khớp với báo cáo của các cơ sở.")
    with _at(b.due_on + dt.timedelta(days=3)):
        services.report_review(actor=officer_b, report=b, note="Bổ sung số liệu trẻ em được phát hiện.")
        services.report_submit(actor=chairman_b, report=b)
    with _at(b.due_on + dt.timedelta(days=5)):
        services.report_approve(actor=province, report=b)
    with _at(p.due_on - dt.timedelta(days=1)):
        services.report_review(actor=province, report=p, note="Đã tổng hợp báo cáo của các xã, phường.")
        services.report_submit(actor=province, report=p)
    with _at(p.due_on + dt.timedelta(days=4)):
        services.report_approve(actor=ministry, report=a)
        services.report_approve(actor=ministry, report=p)
    # The month after: commune A approved by the province, waiting for the Ministry; commune B returned.
    a, b = report(world.commune_a, middle), report(world.commune_b, middle)
    with _at(a.due_on - dt.timedelta(days=1)):
        services.report_review(actor=officer, report=a, note="Đã xem.")
        services.report_submit(actor=chairman, report=a)
        services.report_review(actor=officer_b, report=b, note="Đã xem.")
        services.report_submit(actor=chairman_b, report=b)
    with _at(a.due_on + dt.timedelta(days=1)):
        services.report_approve(actor=province, report=a)
        services.report_return(
            actor=province,
            report=b,
            note="Số trẻ em có hoàn cảnh đặc biệt giảm mạnh so với tháng trước: đề nghị rà soát lại hồ sơ.",
        )
    # The last month: commune A's report generated, with a question from the province (the demo's
    # journey takes it from here to the Ministry's approval); commune B's reviewed, not yet submitted.
    a, b = report(world.commune_a, last), report(world.commune_b, last)
    services.report_comment(
        actor=province,
        report=a,
        note="Đề nghị xã kiểm tra lại các trường hợp trẻ em được phát hiện trong tháng.",
    )
    services.report_review(actor=officer_b, report=b, note="Đã đối chiếu.")
    # The last quarter: commune A submitted, waiting for the province.
    q = report(world.commune_a, periods.containing(today, Kind.QUARTER).previous(), "quarterly")
    services.report_review(
        actor=officer, report=q, note="Đã cập nhật danh sách gia đình nhận chăm sóc thay thế."
    )
    services.report_submit(actor=chairman, report=q)
    return made, urging.urge_due()
