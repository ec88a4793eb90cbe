"""Urging: a commune red on an indicator against its target two periods in a row owes its province a
reminder, on the deadline engine; sending it tells the commune; "who is late" is one click from every
red scorecard cell."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.notifications.models import Notification
from haven.reports import services, urging
from haven.reports.models import Computation, StoredFact, Urging, UrgingState
from haven.reports.periods import Kind, containing

pytestmark = pytest.mark.django_db


def _clocks(area, period, met: int, due: int) -> None:
    """The summary table says ``met`` of ``due`` deadlines were met in ``area`` in ``period``."""
    StoredFact.objects.create(
        indicator="HV.CLOCKS",
        period=period.key,
        area=area,
        dimension="",
        category="",
        numerator=met,
        denominator=due,
    )
    Computation.objects.update_or_create(
        indicator="HV.CLOCKS", period=period.key, defaults={"computed_at": clock.now(), "token": uuid.uuid4()}
    )


@pytest.fixture
def red_twice(world):
    last = containing(clock.today(), Kind.MONTH).previous()
    _clocks(world.commune_a, last, 1, 4)
    _clocks(world.commune_a, last.previous(), 2, 5)
    # Commune B missed only last month.
    _clocks(world.commune_b, last, 0, 3)
    _clocks(world.commune_b, last.previous(), 5, 5)
    return last


def test_a_commune_red_two_periods_in_a_row_is_owed_a_reminder_once(world, red_twice):
    assert urging.urge_due() == 1
    assert urging.urge_due() == 0
    owed = Urging.objects.get()
    assert (owed.commune, owed.indicator, owed.period) == (world.commune_a, "HV.CLOCKS", red_twice.key)
    assert owed.found["values"] == [40.0, 25.0]
    due = Obligation.objects.get(subject_id=owed.pk, rule="reports.urge")
    assert due.responsible == world.orgs["health_hanoi"] and due.status == Status.OPEN


def test_sending_the_reminder_is_recorded_and_tells_the_commune(world, red_twice):
    urging.urge_due()
    owed = Urging.objects.get()
    services.urging_send(actor=world.provincial, urging=owed, message="Đề nghị xã rà soát các bước trễ hạn.")
    owed.refresh_from_db()
    assert owed.state == UrgingState.SENT and owed.sent_at is not None
    assert Obligation.objects.get(subject_id=owed.pk, rule="reports.urge").status == Status.MET
    told = Notification.objects.filter(organisation=world.orgs["committee_a"], kind="urging.send")
    assert told.exists()
    with pytest.raises(Refused) as again:
        services.urging_send(actor=world.provincial, urging=owed, message="Lần nữa.")
    assert again.value.code == "out_of_order"


def test_only_the_province_sends_a_reminder(world, red_twice):
    urging.urge_due()
    owed = Urging.objects.get()
    with pytest.raises(Refused):
        services.urging_send(actor=world.chairman_a, urging=owed, message="Tự nhắc.")
    from django.http import Http404

    with pytest.raises(Http404):
        services.urging_send(actor=world.provincial_other, urging=owed, message="Tỉnh khác.")
    owed.refresh_from_db()
    assert owed.state == UrgingState.OPEN


def test_a_late_reminder_escalates(world, red_twice, frozen):
    from haven.deadlines.sweep import sweep

    urging.urge_due()
    frozen.advance(days=10)
    assert sweep().escalated >= 1
    owed = Urging.objects.get()
    assert Obligation.objects.get(subject_id=owed.pk, rule="reports.urge").escalation_level >= 1


def test_who_is_late_is_one_click_from_a_red_cell(client, world, red_twice):
    urging.urge_due()
    client.force_login(world.provincial)
    page = client.get(reverse("reports:scorecard"), {"area": world.hanoi.code, "period": red_twice.key})
    assert page.status_code == 200
    link = f"{reverse('reports:late')}?indicator=HV.CLOCKS&amp;area={world.commune_a.code}"
    assert link in page.content.decode()
    late = client.get(
        reverse("reports:late"),
        {"indicator": "HV.CLOCKS", "area": world.commune_a.code, "period": red_twice.key},
    )
    assert late.status_code == 200
    owed = Urging.objects.get()
    assert reverse("reports:reminder", args=[owed.pk]) in late.content.decode()
    sent = client.post(
        reverse("reports:reminder_step", args=[owed.pk, "send"]), {"note": "Đề nghị xã khắc phục."}
    )
    assert sent.status_code == 302
    owed.refresh_from_db()
    assert owed.state == UrgingState.SENT
