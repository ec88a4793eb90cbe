"""Complaints of the persona world: commune A's officer receives, its chairman settles, the Hà Nội
Department of Health settles the second time; every step recorded on the day it happened."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.accounts.models import Role
from haven.complaints import services
from haven.complaints.models import Category, Complaint
from haven.core import calendar, clock
from haven.core.testing import member

D = dt.date


def at(day: dt.date, hour: int = 10):
    """The one clock on ``day`` at ``hour`` in Vietnam (the step is recorded then)."""
    return clock.at(calendar.day_start(day) + dt.timedelta(hours=hour))


def category(code: str = "allowance_not_paid") -> Category:
    return Category.objects.get(code=code)


def received(world, *, on: dt.date, **kwargs) -> Complaint:
    values = {
        "category": category(kwargs.pop("category", "allowance_not_paid")),
        "content": "Cháu chưa nhận được trợ cấp tháng 3 và tháng 4.",
        "complainant_name": "Nguyễn Thị Hoa",
        "complainant_phone": "0912345678",
        "received_on": on,
        **kwargs,
    }
    with at(on):
        return services.complaint_receive(actor=world.officer_a, **values)


def accepted(world, *, on: dt.date, accepted_on: dt.date | None = None, **kwargs) -> Complaint:
    complaint = received(world, on=on, **kwargs)
    accepted_on = accepted_on or on
    with at(accepted_on):
        services.complaint_accept(actor=world.officer_a, complaint=complaint, accepted_on=accepted_on)
    return complaint


def settled(world, *, on: dt.date, settled_on: dt.date, **kwargs) -> Complaint:
    complaint = accepted(world, on=on, **kwargs)
    with at(settled_on):
        services.complaint_settle(
            actor=world.chairman_a,
            complaint=complaint,
            decision_number="25/QĐ-UBND",
            decided_on=settled_on,
            outcome="rejected",
            reasons="Trợ cấp đã được chi trả đúng hạn qua bưu điện.",
        )
    return complaint


@pytest.fixture
def officer_a2(world):
    """A second officer of commune A: the one a conduct complaint is about."""
    return member("officer_a2", world.orgs["committee_a"], Role.COMMUNE_CHILD_PROTECTION_OFFICER)
