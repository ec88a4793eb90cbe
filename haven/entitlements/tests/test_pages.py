"""The allowance pages and API: who is refused first, then the commune officer prepares and the
chairman decides, each seeing only the steps they may take, in Vietnamese, with the amount computed
and a value not checked against the official text marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from haven.api.tests.client import ApiClient
from haven.core import clock
from haven.entitlements.amounts import month_of
from haven.entitlements.models import Application, Entitlement, State
from haven.entitlements.tests.conftest import applied, at, chairman_b, with_pin

pytestmark = pytest.mark.django_db

D = dt.date


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def toddler(world):
    today = clock.today()
    return with_pin(world, born=today.replace(year=today.year - 2, day=1))


def test_outsiders_are_refused_the_application_and_the_child_s_allowance(world):
    child = toddler(world)
    application = applied(world, child)
    pages = [
        reverse("entitlements:application", args=[application.pk]),
        reverse("entitlements:step", args=[application.pk, "verify"]),
        reverse("entitlements:child", args=[child.pk]),
        reverse("entitlements:apply", args=[child.pk]),
    ]
    for outsider in (world.officer_b, world.provincial_other, world.analyst, world.nobody):
        for page in pages:
            assert login(outsider).get(page).status_code in (302, 404), (outsider, page)
    assert login(world.analyst).get(reverse("entitlements:index")).status_code == 404


def test_the_officer_records_and_checks_an_application_and_the_chairman_decides_it_on_the_pages(world):
    child = toddler(world)
    officer, chairman = login(world.officer_a), login(world.chairman_a)
    page = officer.get(reverse("entitlements:index")).content.decode()
    assert str(child) in page  # entitled, without an allowance: on the officer's list
    assert (
        reverse("entitlements:apply", args=[child.pk])
        in officer.get(reverse("entitlements:child", args=[child.pk])).content.decode()
    )
    response = officer.post(
        reverse("entitlements:apply", args=[child.pk]),
        {
            "received_on": clock.today().strftime("%d/%m/%Y"),
            "applicant_name": "Nguyễn Thị Hoa",
            "ground": "abandoned",
            "care_situation": "community",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(child=child)
    detail = reverse("entitlements:application", args=[application.pk])
    page = officer.get(detail).content.decode()
    assert "step-verify" in page and "step-decide" not in page
    assert "1.250.000 đồng" in page and "chưa đối chiếu văn bản" in page
    # The chairman is not offered a decision the register has not checked.
    assert "step-decide" not in chairman.get(detail).content.decode()
    assert officer.post(reverse("entitlements:step", args=[application.pk, "verify"])).status_code == 302
    assert "step-decide" in chairman.get(detail).content.decode()
    decide = reverse("entitlements:step", args=[application.pk, "decide"])
    # A decision dated before the application: refused beside its field, nothing changed.
    yesterday = (clock.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = chairman.post(
        decide, {"decision_number": "15/QĐ-UBND", "decided_on": yesterday, "step-confirm": "on"}
    )
    assert response.status_code == 200 and not Entitlement.objects.exists()
    response = chairman.post(
        decide,
        {
            "decision_number": "15/QĐ-UBND",
            "decided_on": clock.today().strftime("%d/%m/%Y"),
            "step-confirm": "on",
        },
    )
    assert response.status_code == 302
    assert Entitlement.objects.get(child=child).from_month == month_of(clock.today())
    page = officer.get(reverse("entitlements:child", args=[child.pk])).content.decode()
    assert "15/QĐ-UBND" in page and "1.250.000 đồng" in page
    assert 'id="next-change"' in page  # the 4th birthday lowers it to 750,000 đồng
    assert "750.000 đồng" in page


def test_the_province_reads_its_communes_allowances_but_takes_no_commune_step(world):
    child = toddler(world)
    application = applied(world, child)
    provincial = login(world.provincial)
    page = provincial.get(reverse("entitlements:application", args=[application.pk])).content.decode()
    assert "step-" not in page
    assert str(child) in provincial.get(reverse("entitlements:index")).content.decode()


def test_the_api_takes_the_procedure_from_application_to_decision_and_a_move_to_the_next_commune(world):
    chairman_b(world)
    child = with_pin(world, born=D(2023, 2, 1))
    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    with at(D(2025, 8, 12)):
        response = officer.post(
            "/entitlements/applications",
            {
                "child_id": str(child.pk),
                "received_on": "2025-08-12",
                "ground": "abandoned",
                "applicant_name": "Lê Thị Thu",
            },
        )
        assert response.status_code == 201, response.json()
        found = response.json()
        assert found["state"] == "received" and found["due_at"] and found["steps"] == ["verify"]
        decision = {"decision_number": "15/QĐ-UBND", "decided_on": "2025-08-12"}
        assert chairman.post(f"/entitlements/applications/{found['id']}/decide", decision).json()["code"] == (
            "not_checked"
        )
        assert officer.post(f"/entitlements/applications/{found['id']}/verify").status_code == 200
        early = chairman.post(
            f"/entitlements/applications/{found['id']}/decide", {**decision, "decided_on": "2025-08-01"}
        )
        assert early.status_code == 422 and "decided_on" in early.json()["fields"]
        decided_now = chairman.post(f"/entitlements/applications/{found['id']}/decide", decision)
        assert (
            decided_now.json()["state"] == "decided" and decided_now.json()["effective_month"] == "2025-08-01"
        )
    with at(D(2025, 10, 2)):
        allowance = officer.get(f"/entitlements/children/{child.pk}").json()
        assert [m["amount"] for m in allowance["months"]] == [1_250_000] * 3  # October, September, August
        moved = officer.post(
            f"/entitlements/children/{child.pk}/move",
            {"moved_to_code": world.commune_b.code, "moved_on": "2025-10-01", "received_on": "2025-10-02"},
        )
        assert moved.status_code == 200, moved.json()
        stop = Application.objects.get(child=child, kind="stop")
        assert (
            chairman.post(
                f"/entitlements/applications/{stop.pk}/decide", {**decision, "decided_on": "2025-10-02"}
            ).status_code
            == 200
        )
    proposals = ApiClient(world.officer_b).get("/entitlements/applications", state="proposed").json()
    assert [(p["kind"], p["effective_month"]) for p in proposals["items"]] == [("continue", "2025-11-01")]
    assert ApiClient(world.officer_b).get(f"/entitlements/applications/{found['id']}").status_code == 404
    assert Application.objects.filter(state=State.PROPOSED).count() == 1
