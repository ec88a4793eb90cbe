"""The carer's statement: the months on a payroll with their amounts and rules, what the provider
confirmed, and the next change the rules bring, on a page, through the API and printed in Vietnamese;
every read of it is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core.tests.test_words import pdf_text
from haven.entitlements import services
from haven.entitlements.statement import statement_of
from haven.entitlements.tests.conftest import at, decided, with_pin

pytestmark = pytest.mark.django_db

D = dt.date


def paid_in_september(world):
    """Born on 20 May 2023: 2.5 × 500,000 until the child turns 4 in May 2027."""
    child = with_pin(world, born=D(2023, 5, 20))
    decided(world, child, on=D(2025, 8, 12))
    with at(D(2025, 8, 10)):
        services.payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=D(2025, 9, 1))
    return child


def test_the_statement_shows_the_months_paid_and_the_next_change_when_the_child_turns_four(world):
    child = paid_in_september(world)
    with at(D(2026, 1, 10)), translation.override("en"):
        found = statement_of(world.officer_a, child)
        assert found.next_sentence == "From 06/2027, 750,000 đồng a month: the child turns 4."
    assert [(line.month, line.amount, line.coefficient) for line in found.lines] == [
        (D(2025, 9, 1), 1_250_000, 2.5)
    ]
    assert found.paid_total == 0  # the provider has not confirmed it yet
    with at(D(2026, 1, 10)), translation.override("vi"):
        assert statement_of(world.officer_a, child).next_sentence == (
            "Từ 06/2027, 750.000 đồng mỗi tháng: trẻ đủ 4 tuổi."
        )


def test_a_newborn_s_carer_is_told_of_the_4th_birthday_four_years_ahead(world):
    """The next change is looked for past the last age the rules name, not a few years only."""
    child = with_pin(world, born=D(2026, 11, 26))
    decided(world, child, on=D(2026, 12, 8))
    with at(D(2026, 12, 10)), translation.override("vi"):
        found = statement_of(world.officer_a, child)
        assert found.next_sentence == "Từ 12/2030, 750.000 đồng mỗi tháng: trẻ đủ 4 tuổi."
    assert (found.next.month, found.next.age) == (D(2030, 12, 1), 4)


def test_the_printed_statement_is_in_vietnamese_for_a_reader_of_english_too(world):
    child = paid_in_september(world)
    client = Client()
    client.force_login(world.officer_a)
    client.cookies["django_language"] = "en"
    with at(D(2026, 1, 10)):
        shown = client.get(reverse("entitlements:statement", args=[child.pk])).content.decode()
        printed = pdf_text(client.get(reverse("entitlements:statement_pdf", args=[child.pk])))
    assert "the child turns 4" in shown and "Decree 20/2021/NĐ-CP art. 6(1)(a)" in shown
    assert "Từ 06/2027, 750.000 đồng mỗi tháng: trẻ đủ 4 tuổi." in printed
    assert "Nghị định 20/2021/NĐ-CP, Điều 6 khoản 1 điểm a" in printed
    assert "turns" not in printed and "Decree" not in printed


def test_the_statement_page_and_its_pdf_are_for_those_who_see_the_child_and_each_read_is_audited(world):
    child = paid_in_september(world)
    page, pdf = (
        reverse("entitlements:statement", args=[child.pk]),
        reverse("entitlements:statement_pdf", args=[child.pk]),
    )
    outsider = Client()
    outsider.force_login(world.officer_b)
    assert outsider.get(page).status_code == 404 and outsider.get(pdf).status_code == 404
    client = Client()
    client.force_login(world.officer_a)
    with at(D(2026, 1, 10)):
        shown = client.get(page)
        printed = client.get(pdf)
    assert shown.status_code == 200 and "06/2027" in shown.content.decode()
    assert printed["Content-Type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="child.view", child_id=child.pk, data__page="allowance_statement"
    ).exists()
    assert AuditEvent.objects.filter(
        action="child.export", child_id=child.pk, data__document="allowance_statement"
    ).exists()
    with at(D(2026, 1, 10)):
        body = ApiClient(world.officer_a).get(f"/entitlements/children/{child.pk}/statement").json()
    assert (body["next_change_month"], body["next_change_amount"]) == ("2027-06-01", 750_000)
