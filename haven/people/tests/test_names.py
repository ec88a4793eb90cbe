"""A legal name is checked where it is typed, by the population register's own rules (no digits, no
control characters) and more (no markup, no letter four times in a row, no endless word): walkthrough D5.
Every form and service that takes a legal name applies the one rule, so the API is covered too."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.lib import vnnames
from haven.people import rules, services
from haven.people.models import Child

GARBAGE = {
    "<script>alert(1)</script>": "name_characters",
    "<b>An</b>": "name_characters",
    "Nguyễn2": "name_digits",
    "123": "name_digits",
    "A" * 50: "name_repeated",
    "Hoaaaa": "name_repeated",
    "Lan\x00": "name_characters",
    "Lan\nAnh": "name_characters",
    "Mai; DROP": "name_characters",
    "Bảo" + "abcdefghijklmnopqrstuvwxyzabc": "name_word_too_long",
    "--": "name_characters",
}
PLAUSIBLE = [
    "Nguyễn",
    "Thị",
    "Khánh Chi",
    "H'Hen Niê",  # Ê-đê
    "Y-Moan",
    "Rơ Châm",
    "Ksor",
    "Müller",
    "O’Brien",
    "Xoong",  # two of a letter is a name; four is a slip
    "María José",
    "王",  # a child of Chinese parentage
    "",  # a middle name may be empty; whether a name is required is the form's rule
]


@pytest.mark.parametrize(("value", "code"), GARBAGE.items())
def test_an_implausible_name_is_refused_with_its_reason(value, code):
    problem = rules.name_problem(value)
    assert problem is not None and problem[1] == code
    with pytest.raises(ValidationError) as refused:
        rules.clean_name(value, field="given_name")
    assert refused.value.error_dict["given_name"][0].code == code


@pytest.mark.parametrize("value", PLAUSIBLE)
def test_names_of_every_kind_pass(value):
    assert rules.name_problem(value) is None


def test_every_synthetic_name_passes_so_the_demo_and_the_factories_keep_working():
    rng = random.Random(11)
    for _ in range(3000):
        name = vnnames.person_name(rng, sex=rng.choice(["male", "female"]), born_year=rng.randint(1950, 2024))
        for part in (name.family, name.middle, name.given):
            assert rules.name_problem(part) is None, part


def test_all_the_bad_names_of_a_record_are_reported_at_once():
    with pytest.raises(ValidationError) as refused:
        rules.check_names(family_name="<b>x</b>", middle_name="123", given_name="An")
    assert set(refused.value.error_dict) == {"family_name", "middle_name"}


def form(world, **changes):
    data = {
        "family_name": "Phạm",
        "middle_name": "Gia",
        "given_name": "Bảo",
        "sex": "male",
        "date_of_birth": "04/03/2018",
        "ethnicity": "01",
        "nationality": "VN",
        "province": world.hanoi.pk,
        "current_commune": world.commune_a.pk,
        "pin": "",
    }
    return {**data, **changes}


class TestChildRecord:
    def test_the_form_refuses_html_and_digits_next_to_each_field_and_saves_nothing(self, world, client):
        client.force_login(world.officer_a)
        response = client.post(
            "/children/new/", form(world, family_name="<b>An</b>", middle_name="123", given_name="A" * 40)
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"family_name", "middle_name", "given_name"}
        page = response.content.decode()
        assert "Họ tên không được chứa chữ số." in page
        assert not Child.objects.exists() and not AuditEvent.objects.filter(action="child.create").exists()

    def test_the_service_refuses_it_too_so_the_api_cannot_bypass_the_form(self, world):
        with pytest.raises(ValidationError) as refused:
            services.child_create(
                actor=world.officer_a,
                family_name="Nguyễn2",
                given_name="<script>",
                sex="female",
                current_commune=world.commune_a,
            )
        assert set(refused.value.error_dict) == {"family_name", "given_name"}
        response = ApiClient(world.officer_a).post(
            "/children",
            {
                "family_name": "Nguyễn2",
                "given_name": "An",
                "sex": "female",
                "commune_code": world.commune_a.code,
            },
        )
        assert response.status_code == 422 and "family_name" in response.json()["fields"]
        assert not Child.objects.exists()

    def test_a_name_already_recorded_does_not_block_another_change(self, world):
        child = world.child(given_name="An")
        Child.objects.filter(pk=child.pk).update(given_name="An2")  # recorded before the rule
        child.refresh_from_db()
        services.child_update(actor=world.officer_a, child=child, given_name="An2", place_of_birth="Hà Nội")
        child.refresh_from_db()
        assert child.place_of_birth == "Hà Nội"
        with pytest.raises(ValidationError):
            services.child_update(actor=world.officer_a, child=child, given_name="An3")


def test_every_service_that_takes_a_legal_name_applies_the_rule(world):
    """Form 01 (the child and the informant), the flag of a woman at risk, the newborn's name, the
    finder of a found child, a family that asks to care for a child, a facility's caregiver."""
    from haven.care import families
    from haven.care import services as care
    from haven.foundlings import services as foundlings
    from haven.prevention import services as prevention
    from haven.protection import services as protection

    now = clock.now()
    attempts = {
        "protection child": lambda: protection.protection_report(
            actor=world.hotline,
            incident_commune=world.commune_a,
            incident_place="Tổ 4",
            condition="Bầm tím",
            likely_harm="Bị đánh",
            sex="female",
            family_name="<i>Lò</i>",
            given_name="Mai",
        ),
        "protection informant": lambda: protection.protection_report(
            actor=world.hotline,
            incident_commune=world.commune_a,
            incident_place="Tổ 4",
            condition="Bầm tím",
            likely_harm="Bị đánh",
            sex="female",
            informant_consent=True,
            informant={"name": "Bình 123"},
        ),
        "prevention flag": lambda: prevention.person_flag(
            actor=world.officer_a, family_name="Nguyễn", given_name="Hoaaaa", commune=world.commune_a
        ),
        "finder": lambda: foundlings.foundling_report(
            actor=world.hospital_sw,
            found_at=now - dt.timedelta(hours=1),
            found_commune=world.commune_a,
            found_place="Cổng bệnh viện",
            sex="male",
            condition="Khỏe",
            finder_name="<script>x</script>",
        ),
        "family": lambda: families.family_register(
            actor=world.officer_a,
            commune=world.commune_a,
            kind="non_kin",
            applicant_name="Gia đình 3",
            applicant_born_on=dt.date(1975, 6, 1),
            address="Số 9 phố Kim Mã",
            household="",
            economic_conditions="Ổn định",
            housing="Nhà riêng",
            household_consent=True,
            no_abuse_record=True,
            health_certificate_on=clock.today() - dt.timedelta(days=30),
        ),
    }
    for label, attempt in attempts.items():
        with pytest.raises(ValidationError) as refused:
            attempt()
        codes = {e.code for errors in refused.value.error_dict.values() for e in errors}
        assert codes & {"name_digits", "name_characters", "name_repeated"}, label
    assert not Child.objects.exists()
    from haven.care.tests.conftest import build_site

    site = build_site(world)
    with pytest.raises(ValidationError):
        care.staff_add(
            actor=world.facility_director, facility=site.facility, full_name="Cô <b>Lan</b>", kind="caregiver"
        )


def test_the_child_form_shows_a_wrong_pin_with_its_other_problems_at_once(world, client):
    """Walkthrough D20: a problem the service found appeared only once the form's own were fixed."""
    client.force_login(world.officer_a)
    response = client.post(
        "/children/new/", form(world, nationality="", given_name="An2", pin="999912345678")
    )
    assert {"nationality", "given_name", "pin"} <= set(response.context["form"].errors)
    assert not Child.objects.exists()
