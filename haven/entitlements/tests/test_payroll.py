"""The monthly payroll (Decree 20/2021 art. 34): each line carries the inputs it was computed from, a
retry adds nothing, a closed month never changes, a month decided late is paid as arrears in the next
payroll, a month paid and then stopped is recovered — and no month is ever paid twice, even across a
move between communes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from haven.core.errors import Refused
from haven.entitlements import services
from haven.entitlements.models import LineKind, Parameter, PaymentLine, PayrollState
from haven.entitlements.tests.conftest import at, chairman_b, decided, with_pin
from haven.notifications.models import Notification

pytestmark = pytest.mark.django_db

D = dt.date


def prepare(world, day: dt.date, month: dt.date, *, officer=None, commune=None):
    with at(day):
        return services.payroll_prepare(
            actor=officer or world.officer_a, commune=commune or world.commune_a, month=month
        )


def test_a_payroll_pays_each_child_once_with_its_inputs_frozen_and_a_retry_adds_nothing(world):
    toddler = with_pin(world, born=D(2023, 5, 2))
    older = with_pin(world, born=D(2016, 1, 9))
    decided(world, toddler, on=D(2025, 8, 12))
    decided(world, older, on=D(2025, 8, 12))
    run = prepare(world, D(2025, 9, 10), D(2025, 9, 1))
    lines = {line.child: line for line in run.lines.all()}
    # The first payroll in Haven: August was paid outside it, September is this month's.
    assert {(c, line.month, line.kind, line.amount) for c, line in lines.items()} == {
        (toddler, D(2025, 9, 1), LineKind.REGULAR, 1_250_000),
        (older, D(2025, 9, 1), LineKind.REGULAR, 750_000),
    }
    frozen = lines[toddler]
    assert (frozen.coefficient, frozen.level, frozen.age, frozen.decision.decision_number) == (
        Decimal("2.50"),
        500_000,
        2,
        "15/QĐ-UBND",
    )
    assert not frozen.verified  # the coefficient is not yet checked against the official text
    assert prepare(world, D(2025, 9, 11), D(2025, 9, 1)).lines.count() == 2  # a retry adds nothing
    # The rules change afterwards: the line keeps what it was computed from.
    Parameter.objects.filter(key="standard_level", province=None, valid_to=None).update(value=540_000)
    frozen.refresh_from_db()
    assert (frozen.amount, frozen.level) == (1_250_000, 500_000)
    # The database itself refuses a second payment of the same month.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(**{**_fields(frozen), "run": frozen.run})
    with at(D(2025, 9, 12)):
        services.payroll_approve(actor=world.chairman_a, run=run)
    run.refresh_from_db()
    assert run.state == PayrollState.APPROVED
    with pytest.raises(Refused) as closed:
        prepare(world, D(2025, 9, 13), D(2025, 9, 1))
    assert closed.value.code == "closed"
    with pytest.raises(Refused):
        with at(D(2025, 9, 12)):
            services.payroll_approve(actor=world.officer_a, run=run)


def _fields(line: PaymentLine) -> dict:
    return {
        f.attname: getattr(line, f.attname)
        for f in PaymentLine._meta.concrete_fields
        if f.attname not in ("id", "run_id")
    }


def test_a_move_is_paid_by_one_commune_then_the_other_with_arrears_and_no_month_twice(world):
    chairman = chairman_b(world)
    child = with_pin(world, born=D(2023, 2, 1))
    period = decided(world, child, on=D(2025, 8, 12))
    for day, month in (
        (D(2025, 8, 20), D(2025, 8, 1)),
        (D(2025, 9, 20), D(2025, 9, 1)),
        (D(2025, 10, 20), D(2025, 10, 1)),
    ):
        prepare(world, day, month)
    with at(D(2025, 10, 22)):
        stop = services.entitlement_move(
            actor=world.officer_a,
            entitlement=period,
            moved_to=world.commune_b,
            moved_on=D(2025, 10, 20),
            received_on=D(2025, 10, 22),
        )
        services.application_decide(
            actor=world.chairman_a, application=stop, decision_number="31/QĐ-UBND", decided_on=D(2025, 10, 22)
        )
    # Commune A's November payroll no longer pays the child.
    assert not prepare(world, D(2025, 11, 20), D(2025, 11, 1)).lines.filter(child=child).exists()
    from haven.entitlements.models import Application

    proposal = Application.objects.get(child=child, commune=world.commune_b)
    with at(D(2026, 1, 6)):
        services.application_take_up(actor=world.officer_b, application=proposal, received_on=D(2026, 1, 6))
        services.application_verify(actor=world.officer_b, application=proposal)
        services.application_decide(
            actor=chairman, application=proposal, decision_number="02/QĐ-UBND", decided_on=D(2026, 1, 6)
        )
    run = prepare(world, D(2026, 1, 15), D(2026, 1, 1), officer=world.officer_b, commune=world.commune_b)
    assert sorted((line.month, line.kind) for line in run.lines.all()) == [
        (D(2025, 11, 1), LineKind.ARREAR),
        (D(2025, 12, 1), LineKind.ARREAR),
        (D(2026, 1, 1), LineKind.REGULAR),
    ]
    assert {line.decision.decision_number for line in run.lines.all()} == {"02/QĐ-UBND"}
    paid = list(PaymentLine.objects.filter(child=child).values_list("month", flat=True))
    assert sorted(paid) == [D(2025, m, 1) for m in (8, 9, 10, 11, 12)] + [D(2026, 1, 1)]
    assert len(paid) == len(set(paid))


def test_a_month_paid_then_stopped_by_a_later_decision_is_recovered_in_the_next_payroll(world):
    child = with_pin(world, born=D(2020, 6, 6))
    period = decided(world, child, on=D(2025, 8, 12))
    prepare(world, D(2025, 9, 15), D(2025, 9, 1))
    october = prepare(world, D(2025, 10, 15), D(2025, 10, 1)).lines.get(child=child)
    # The child was adopted in September; the stop, decided late in October, takes effect from October.
    with at(D(2025, 10, 28)):
        stop = services.entitlement_change(
            actor=world.officer_a,
            entitlement=period,
            kind="stop",
            received_on=D(2025, 10, 28),
            effective_month=D(2025, 10, 1),
            reason="Trẻ đã được nhận làm con nuôi tháng 9/2025",
        )
        services.application_decide(
            actor=world.chairman_a, application=stop, decision_number="45/QĐ-UBND", decided_on=D(2025, 10, 28)
        )
    recovery = prepare(world, D(2025, 11, 15), D(2025, 11, 1)).lines.get(child=child)
    assert (recovery.kind, recovery.month, recovery.amount, recovery.corrects) == (
        LineKind.RECOVERY,
        D(2025, 10, 1),
        -750_000,
        october,
    )
    assert recovery.decision == stop
    assert prepare(world, D(2025, 11, 16), D(2025, 11, 1)).lines.count() == 1  # recovered once


def test_the_provider_list_is_exported_as_csv_by_the_commune_and_audited(world):
    child = with_pin(world, born=D(2023, 5, 2))
    decided(world, child, on=D(2025, 8, 12))
    run = prepare(world, D(2025, 9, 10), D(2025, 9, 1))
    url = reverse("entitlements:provider_list", args=[run.pk, "csv"])
    for outsider in (world.officer_b, world.analyst):
        client = Client()
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client = Client()
    client.force_login(world.chairman_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert child.full_name in body and "1250000" in body and "15/QĐ-UBND" in body
    from haven.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="child.export", actor=world.chairman_a).exists()


def test_the_api_prepares_retries_approves_and_exports_a_payroll(world):
    from haven.api.tests.client import ApiClient

    child = with_pin(world, born=D(2023, 5, 2))
    decided(world, child, on=D(2025, 8, 12))
    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    body = {"commune_code": world.commune_a.code, "month": "2025-09-01"}
    with at(D(2025, 9, 10)):
        first = officer.post("/entitlements/payrolls", body).json()
        assert [(line["kind"], line["amount"]) for line in first["lines"]] == [("regular", 1_250_000)]
        assert officer.post("/entitlements/payrolls", body).json()["lines"] == first["lines"]
        assert ApiClient(world.officer_b).post("/entitlements/payrolls", body).status_code == 404
        assert officer.post(f"/entitlements/payrolls/{first['id']}/approve").json()["code"] == "not_your_step"
        assert chairman.post(f"/entitlements/payrolls/{first['id']}/approve").json()["state"] == "approved"
        assert officer.post("/entitlements/payrolls", body).json()["code"] == "closed"
        csv = chairman.get(f"/entitlements/payrolls/{first['id']}/provider.csv")
        assert csv.status_code == 200 and child.full_name in csv.content.decode("utf-8-sig")


# --- Who is told, and what the pages say ---------------------------------------------------------------


def test_the_chairman_is_told_a_payroll_waits_for_approval_and_the_commune_that_it_may_be_sent(world):
    child = with_pin(world, born=D(2023, 5, 2))
    decided(world, child, on=D(2025, 8, 12))
    with translation.override("en"):
        run = prepare(world, D(2025, 9, 10), D(2025, 9, 1))
        prepare(world, D(2025, 9, 11), D(2025, 9, 1))  # preparing again tells nobody again
        with at(D(2025, 9, 12)):
            services.payroll_approve(actor=world.chairman_a, run=run)
    told = Notification.objects.filter(kind__startswith="entitlement_payroll.").order_by("created_at")
    assert [(n.organisation, n.title, n.link) for n in told] == [
        (
            world.orgs["committee_a"],
            "The payroll of 09/2025 is prepared: approve it",
            f"/entitlements/payroll/{run.pk}/",
        ),
        (
            world.orgs["committee_a"],
            "The payroll of 09/2025 is approved: send the provider's list before the 25th",
            f"/entitlements/payroll/{run.pk}/",
        ),
    ]


def test_the_payroll_page_offers_the_month_still_open_and_says_that_preparing_again_adds_nothing(world):
    child = with_pin(world, born=D(2023, 5, 2))
    decided(world, child, on=D(2025, 8, 12))
    client = Client()
    client.force_login(world.officer_a)
    client.cookies["django_language"] = "en"
    payrolls = reverse("entitlements:payrolls")

    def said(response) -> list[str]:
        return [str(m) for m in response.context["messages"]]

    with at(D(2025, 9, 10)):
        assert client.get(payrolls).context["form"]["month"].value() == D(2025, 9, 1)
        made = client.post(payrolls, {"commune": world.commune_a.pk, "month": "09/2025"}, follow=True)
        assert said(made) == ["The payroll is prepared. 1 line added to the payroll."]
        run = made.context["run"]
        again = client.post(reverse("entitlements:payroll_step", args=[run.pk, "update"]), follow=True)
        assert said(again) == [
            "Nothing to add: every month decided is already on this payroll, and none is paid twice."
        ]
    assert run.lines.count() == 1
    with at(D(2025, 9, 12)):
        services.payroll_approve(actor=world.chairman_a, run=run)
        # September is closed: the form offers October, the month the commune prepares next.
        assert client.get(payrolls).context["form"]["month"].value() == D(2025, 10, 1)
