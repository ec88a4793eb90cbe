"""Form 01 refuses what cannot be (walkthrough D19): "pregnant" for a boy or for a child under 10, a
request to be called back with neither a name nor a phone, a phone number that is not one, a name
made of markup; and it says all of it at once (D20). Through the public page, the staff page and the
API, with nothing saved."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from haven.api.tests.client import ApiClient
from haven.protection.models import ProtectionCase
from haven.protection.tests.test_case import report
from haven.protection.tests.test_pages import FORM_01


@pytest.fixture(autouse=True)
def no_limit():
    cache.clear()  # the public pages share one per-address limit (haven/core/throttle.py)


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"sex": "male", "pregnant": True}, "pregnant"),
        ({"estimated_age_years": 5, "date_of_birth": None, "pregnant": True}, "pregnant"),
        ({"informant_consent": True, "informant": {"address": "Tổ 3"}}, "informant_name"),
        ({"informant_consent": True, "informant": {"phone": "abc-not-a-phone"}}, "informant_phone"),
        ({"family_name": "<script>x</script>"}, "family_name"),
    ],
)
def test_an_impossible_report_is_refused_and_saves_nothing(world, extra, field):
    with pytest.raises(ValidationError) as refused:
        report(world, **extra)
    assert field in refused.value.error_dict
    assert not ProtectionCase.objects.exists()


def test_a_pregnant_girl_of_10_or_more_is_reported(world):
    case = report(world, estimated_age_years=13, date_of_birth=None, pregnant=True)
    assert case.flags == ["pregnant_under_16"]


def test_the_public_page_shows_every_problem_in_one_submit(world, client):
    """The walkthrough's pregnant 5-year-old boy, with consent ticked, no name and a fake phone."""
    response = client.post(
        "/report/child-at-risk/",
        {
            **FORM_01,
            "province": world.hanoi.pk,
            "incident_commune": world.commune_b.pk,
            "sex": "male",
            "estimated_age_years": "5",
            "pregnant": "on",
            "informant_consent": "on",
            "informant_phone": "abc-not-a-phone",
            "condition": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"pregnant", "informant_phone", "condition"} <= set(errors)
    page = response.content.decode()
    assert "Trẻ là bé trai thì không thể mang thai" in page and "Hãy nhập số điện thoại Việt Nam" in page
    response = client.post(
        "/report/child-at-risk/",
        {
            **FORM_01,
            "province": world.hanoi.pk,
            "incident_commune": world.commune_b.pk,
            "informant_consent": "on",
        },
    )
    assert "Để được gọi lại, hãy cho biết họ tên hoặc số điện thoại" in response.content.decode()
    assert not ProtectionCase.objects.exists()


def test_the_api_refuses_the_same(world):
    body = {
        "incident_commune_code": world.commune_a.code,
        "incident_place": "Tổ 4",
        "sex": "male",
        "estimated_age_years": 5,
        "condition": "Bầm tím",
        "likely_harm": "Bị đánh",
        "pregnant": True,
        "informant_consent": True,
        "informant": {"phone": "0912"},
    }
    answer = ApiClient(world.officer_a).post("/protection", body)
    assert answer.status_code == 422
    assert {"pregnant", "informant.phone"} <= set(answer.json()["fields"])
    assert not ProtectionCase.objects.exists()


def test_a_decision_number_with_markup_is_refused(world):
    """D19: "<script>x</script>" was accepted as the number of the Form 05 approval."""
    from haven.protection import services
    from haven.protection.forms import ApprovalForm

    form = ApprovalForm({"decision_number": "<script>x</script>", "participants": "Chủ tịch, cán bộ"})
    assert "decision_number" in form.errors
    assert not ApprovalForm({"decision_number": "05/QĐ-UBND", "participants": "Chủ tịch"}).errors
    with pytest.raises(ValidationError) as refused:
        services.people_rules.clean_reference("<b>12</b>", field="decision_number")
    assert codes(refused.value) == {"decision_number": {"bad_reference"}}
