"""The rules as dated data: who may change them, a row that overlaps another is refused with nothing
changed, every change is audited and kept in the row's history, and a value not checked against the
official text says so on the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from haven.access.scoping import NotVisible
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.core.testing import province
from haven.entitlements import services
from haven.entitlements.models import BenefitRule, Parameter

pytestmark = pytest.mark.django_db

D = dt.date
LEVEL_540 = {
    "key": "standard_level",
    "value": 540_000,
    "valid_from": D(2026, 7, 1),
    "citation": "Nghị định 335/2026/NĐ-CP",
}


def open_level() -> Parameter:
    return Parameter.objects.get(key="standard_level", province=None, valid_to=None)


def test_a_new_level_that_overlaps_the_one_in_force_is_refused_and_nothing_changes(world):
    before = (Parameter.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.parameter_add(actor=world.ministry, **LEVEL_540)
    assert refused.value.error_dict["valid_from"][0].code == "overlap"
    assert (Parameter.objects.count(), AuditEvent.objects.count()) == before
    assert open_level().value == 500_000


def test_a_new_level_may_end_the_one_in_force_on_the_day_it_starts_with_history_and_audit(world):
    new = services.parameter_add(actor=world.ministry, end_current=True, **LEVEL_540)
    old = Parameter.objects.get(value=500_000)
    assert old.valid_to == D(2026, 7, 1) == new.valid_from
    assert not new.verified
    assert [h.valid_to for h in old.history.order_by("history_date")] == [D(2026, 7, 1)]
    assert old.history.first().history_user == world.ministry
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"entitlement.parameter_change", "entitlement.parameter_add"} <= actions


def test_marking_a_value_checked_needs_where_the_text_was_read(world):
    level = open_level()
    with pytest.raises(ValidationError) as refused:
        services.parameter_change(actor=world.ministry, parameter=level, verified=True)
    assert "verification_note" in refused.value.error_dict
    services.parameter_change(
        actor=world.ministry,
        parameter=level,
        verified=True,
        verification_note="Công báo, Nghị định 76/2024/NĐ-CP",
    )
    assert open_level().verified


def test_only_the_ministry_changes_national_rows_and_a_province_only_raises_its_own_level(world):
    with pytest.raises(NotVisible):
        services.parameter_add(actor=world.officer_a, end_current=True, **LEVEL_540)
    with pytest.raises(Refused):
        services.parameter_add(actor=world.provincial, end_current=True, **LEVEL_540)
    with pytest.raises(Refused):
        services.rule_change(actor=world.provincial, rule=BenefitRule.objects.first(), coefficient=3)
    hanoi = {**LEVEL_540, "province": province("01"), "valid_from": D(2025, 1, 1)}
    with pytest.raises(Refused):
        services.parameter_add(actor=world.provincial_other, **hanoi)
    with pytest.raises(ValidationError) as lower:
        services.parameter_add(actor=world.provincial, **{**hanoi, "value": 450_000})
    assert lower.value.error_dict["value"][0].code == "not_higher"
    assert services.parameter_add(actor=world.provincial, **hanoi).value == 540_000


def test_a_coefficient_that_overlaps_another_for_the_same_group_and_age_is_refused(world):
    overlapping = {
        "programme": "monthly_allowance",
        "ground": "abandoned",
        "care_situation": "community",
        "age_from": 3,
        "age_to": 6,
        "coefficient": Decimal("2.0"),
        "valid_from": D(2025, 1, 1),
        "citation": "Nghị định 20/2021/NĐ-CP",
    }
    count = BenefitRule.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.rule_add(actor=world.ministry, **overlapping)
    assert refused.value.error_dict["valid_from"][0].code == "overlap"
    assert BenefitRule.objects.count() == count
    # The same ages for a child in a facility is another group: no overlap.
    assert services.rule_add(actor=world.ministry, **{**overlapping, "care_situation": "facility"}).pk
    # Correcting a rule so that it overlaps its neighbour is refused too.
    under_4 = BenefitRule.objects.get(ground="orphan", age_from=0)
    with pytest.raises(ValidationError):
        services.rule_change(actor=world.ministry, rule=under_4, age_to=6)
    changed = services.rule_change(actor=world.ministry, rule=under_4, coefficient=Decimal("2.6"))
    assert changed.history.count() == 1 and changed.coefficient == Decimal("2.60")


def test_the_rules_page_says_which_values_are_not_yet_checked_against_the_official_text(world):
    client = Client()
    client.force_login(world.officer_a)
    page = client.get(reverse("entitlements:rules")).content.decode()
    assert page.count("chưa đối chiếu văn bản") >= 1 + BenefitRule.objects.count()
    assert "Nghị định 20/2021/NĐ-CP, Điều 4 khoản 2" in page
    assert "1.250.000 đồng" in page  # 500,000 × 2.5
    assert reverse("entitlements:rule_new") not in page  # the officer reads, the Ministry changes
    assert client.get(reverse("entitlements:rule_new")).status_code == 404


def test_an_overlapping_level_typed_on_the_page_is_refused_beside_its_field(world):
    client = Client()
    client.force_login(world.ministry)
    response = client.post(
        reverse("entitlements:parameter_new"),
        {"value": "540000", "valid_from": "01/07/2026", "citation": "Nghị định 335/2026/NĐ-CP"},
    )
    assert response.status_code == 200
    assert "chỉ một" in response.content.decode()  # "on any day only one may apply"
    assert Parameter.objects.filter(key="standard_level").count() == 2


def test_the_api_answers_the_rules_the_amount_and_refuses_an_overlap(world):
    api = ApiClient(world.officer_a)
    assert len(api.get("/entitlements/rules").json()) == BenefitRule.objects.count()
    found = api.get("/entitlements/amount", born="2022-09-01", month="2024-07-15", ground="abandoned").json()
    assert (found["amount"], found["level"], found["age"], found["verified"]) == (
        1_250_000,
        500_000,
        1,
        False,
    )
    ministry = ApiClient(world.ministry)
    body = {"value": 540_000, "valid_from": "2026-07-01", "citation": "Nghị định 335/2026/NĐ-CP"}
    response = ministry.post("/entitlements/parameters", body)
    assert response.status_code == 422 and response.json()["fields"]["valid_from"]
    assert ministry.post("/entitlements/parameters", {**body, "end_current": True}).status_code == 201
    assert ApiClient(world.provincial).post("/entitlements/parameters", body).status_code == 409
    assert api.post("/entitlements/parameters", body).status_code == 404
    level = Parameter.objects.get(value=540_000)
    response = ministry.patch(
        f"/entitlements/parameters/{level.pk}", {"valid_to": None, "citation_en": "Decree"}
    )
    assert response.status_code == 200 and response.json()["citation_en"] == "Decree"
