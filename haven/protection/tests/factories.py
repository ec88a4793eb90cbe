"""What the protection tests build: a report (Form 01) and the answers of each form, with realistic
Vietnamese data. A plan's dates follow the clock: a plan cannot lie before its report."""

from __future__ import annotations

import datetime as dt

from haven.core import clock
from haven.protection import services
from haven.protection.models import ProtectionCase

LOW = {"harm": "low", "danger": "low", "abuser_access": "low"}
HIGH = {"harm": "high", "danger": "high", "abuser_access": "high"}
SPECIFIC = {
    "physical": "medium",
    "psychological": "high",
    "family": "high",
    "education": "low",
    "needs": "Tư vấn tâm lý; hỗ trợ học tập",
    "meeting": "Họp ngày 3/3: cán bộ xã, trường, mẹ của trẻ",
}
REVIEW_LOW = {
    "harm": "low",
    "abuser_access": "low",
    "obstacles": "low",
    "resilience": "high",
    "summary": "Trẻ ổn định, đi học đều",
}


def report(world, actor=None, **extra) -> ProtectionCase:
    fields = {
        "incident_commune": world.commune_a,
        "incident_place": "Tổ dân phố 4",
        "sex": "female",
        "family_name": "Lò",
        "given_name": "Mai",
        "date_of_birth": dt.date(2020, 5, 1),
        "condition": "Có vết bầm ở tay",
        "likely_harm": "Tiếp tục bị đánh",
    }
    return services.protection_report(
        actor=actor if actor is not None else world.hotline, **{**fields, **extra}
    )


def plan(*, starts_in: int = 0, days: int = 90, **extra) -> dict:
    """Form 04's answers: a plan starting ``starts_in`` days from today, for ``days`` days."""
    start = clock.localdate() + dt.timedelta(days=starts_in)
    return {
        "objectives": "Trẻ an toàn, đi học đều",
        "measures": "Tư vấn tâm lý — trạm y tế — 2 tuần",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=days)).isoformat(),
        **extra,
    }


def on_page(day: str) -> str:
    """An ISO date as the page's date field takes it (dd/mm/yyyy)."""
    return dt.date.fromisoformat(day).strftime("%d/%m/%Y")


def reviewed(world, **extra) -> ProtectionCase:
    """A case carried to the review (Form 06, every risk Low): the chairman may close it."""
    case = report(world, **extra)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_a, case=case, data=plan())
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="1", participants="x")
    services.protection_review(actor=world.officer_a, case=case, data=REVIEW_LOW)
    return case
