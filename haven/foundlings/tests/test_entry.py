"""What is typed into the found-child forms: no sex preselected (walkthrough D4), what the case already
says prefilled, not retyped (D18), implausible names, dates and phone numbers refused at once (D5, D19,
D20). Each rule is checked through the page and, where there is one, through the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.deadlines.sweep import sweep
from haven.foundlings import services
from haven.foundlings.models import BirthRegistration, FoundlingCase, State
from haven.foundlings.tests.test_pathway import RECORD, VITALS


def report(world, frozen, *, sex="female", estimated_age_days=400) -> FoundlingCase:
    return services.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex=sex,
        estimated_age_days=estimated_age_days,
        condition="Bé khoảng 1 tuổi, sốt nhẹ",
        belongings="Một chăn màu xanh",
        finder_name="Trần Văn Hậu",
        finder_id_document="CCCD 001089012345",
        finder_address="Số 5 ngõ 12, Phường Ba Đình",
    )


def ready_for_birth(world, frozen, **kwargs) -> FoundlingCase:
    """A girl found a year old, whose public notice has run its 7 days."""
    case = report(world, frozen, **kwargs)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    services.foundling_post_notice(actor=world.officer_a, case=case)
    frozen.advance(days=7, minutes=1)
    sweep(now=frozen.at)
    case.refresh_from_db()
    assert case.state == State.NOTICE_EXPIRED
    return case


def selected(page: str, name: str) -> list[str]:
    """The values preselected in a <select> or a set of radios called ``name`` (the empty "choose"
    option of a list counts as nothing chosen)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select:
        return [v for v in re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(1)) if v]
    return re.findall(rf'<input type="radio" name="{name}" value="(\w+)"[^>]*checked', page)


def first_option(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>\s*<option value="([^"]*)"', page)
    return select.group(1) if select else "(no select)"


class TestNoSexPreselected:
    """D4: a form that defaulted to "Nam" registered a girl as a boy."""

    def test_the_report_forms_start_with_an_empty_sex_and_say_it_is_required(self, world, client, frozen):
        client.force_login(world.hospital_sw)
        for path in ("/foundlings/report/", "/report/"):
            page = client.get(path).content.decode()
            assert first_option(page, "sex") == "" and selected(page, "sex") == [], path
        response = client.post(
            "/foundlings/report/",
            {
                "found_at": timezone.localtime(frozen.at).strftime("%d/%m/%Y %H:%M"),
                "province": world.hanoi.pk,
                "found_commune": world.commune_a.pk,
                "found_place": "Cổng",
                "condition": "Khỏe",
            },
        )
        assert response.status_code == 200 and "Hãy chọn giới tính của trẻ." in response.content.decode()
        assert not FoundlingCase.objects.exists()

    def test_the_child_record_preselects_neither_sex_nor_nationality(self, world, client):
        client.force_login(world.officer_a)
        page = client.get("/children/new/").content.decode()
        for name in ("sex", "nationality"):
            assert first_option(page, name) == "" and selected(page, name) == [], name
        page = client.post("/children/new/", {"current_commune": world.commune_a.pk}).content.decode()
        assert "Hãy chọn giới tính của trẻ." in page and "Hãy chọn quốc tịch của trẻ." in page

    def test_form_01_checks_no_sex(self, world, client):
        client.force_login(world.officer_a)
        for path in ("/protection/report/", "/report/child-at-risk/"):
            assert selected(client.get(path).content.decode(), "sex") == [], path

    def test_the_birth_registration_is_prefilled_from_the_case_not_defaulted(self, world, client, frozen):
        girl = ready_for_birth(world, frozen)
        client.force_login(world.civil_status_a)
        page = client.get(f"/foundlings/{girl.pk}/register_birth/").content.decode()
        assert selected(page, "sex") == ["female"]
        estimated = services.estimated_birth_date(girl)
        assert f'value="{estimated:%d/%m/%Y}"' in page and 'name="date_of_birth_estimated"' in page
        assert re.search(r'name="date_of_birth_estimated"[^>]*checked', page)
        response = client.post(
            f"/foundlings/{girl.pk}/register_birth/",
            {
                "family_name": "Nguyễn",
                "given_name": "An",
                "sex": "female",
                "date_of_birth": f"{estimated:%d/%m/%Y}",
                "date_of_birth_estimated": "on",
                "step-confirm": "on",  # the registration is irreversible: the page asks to confirm it
            },
        )
        assert response.status_code == 302
        registration = BirthRegistration.objects.get(case=girl)
        assert registration.sex == "female" and registration.date_of_birth_estimated
        assert registration.date_of_birth == estimated

    def test_a_case_of_unknown_sex_prefills_no_sex(self, world, client, frozen):
        case = ready_for_birth(world, frozen, sex="unknown", estimated_age_days=None)
        client.force_login(world.civil_status_a)
        page = client.get(f"/foundlings/{case.pk}/register_birth/").content.decode()
        assert selected(page, "sex") == [] and first_option(page, "sex") == ""
        response = client.post(
            f"/foundlings/{case.pk}/register_birth/", {"family_name": "Lê", "given_name": "Na"}
        )
        assert "Hãy chọn giới tính của trẻ." in response.content.decode()
        assert not BirthRegistration.objects.exists()


class TestNoRetyping:
    """D18: the officer retyped six of the hospital's fields in the discovery record."""

    def test_the_discovery_record_starts_from_what_the_hospital_reported(self, world, client, frozen):
        case = report(world, frozen)
        services.foundling_acknowledge(actor=world.officer_a, case=case)
        client.force_login(world.officer_a)
        page = client.get(f"/foundlings/{case.pk}/record/").content.decode()
        for value in (
            "Trần Văn Hậu",
            "CCCD 001089012345",
            "Số 5 ngõ 12, Phường Ba Đình",
            "Một chăn màu xanh",
        ):
            assert value in page, value
        assert "Bé khoảng 1 tuổi, sốt nhẹ" in page  # the condition, as the state of health

    def test_the_screening_starts_from_the_estimated_age(self, world, client, frozen):
        case = report(world, frozen)
        client.force_login(world.hospital_sw)
        page = client.get(f"/foundlings/{case.pk}/screen/").content.decode()
        assert re.search(r'name="estimated_age_days" value="400"', page)


class TestImplausibleInput:
    def test_a_garbage_name_gets_no_birth_registration_number(self, world, client, frozen):
        """D5: "<script>…", "123" and 50 "A" were registered as no. 0001/2026."""
        case = ready_for_birth(world, frozen)
        client.force_login(world.civil_status_a)
        response = client.post(
            f"/foundlings/{case.pk}/register_birth/",
            {
                "family_name": "<script>alert(1)</script>",
                "middle_name": "123",
                "given_name": "A" * 50,
                "sex": "female",
            },
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"family_name", "middle_name", "given_name"}
        body = {"family_name": "Nguyễn", "middle_name": "123", "given_name": "An", "sex": "female"}
        answer = ApiClient(world.civil_status_a).post(f"/foundlings/{case.pk}/birth-registration", body)
        assert answer.status_code == 422 and "middle_name" in answer.json()["fields"]
        assert not BirthRegistration.objects.exists()
        assert not AuditEvent.objects.filter(action="foundling.register_birth").exists()

    @pytest.mark.parametrize("years_ago", [126, 36, 19])
    def test_a_found_date_before_any_child_alive_today_is_refused(self, world, client, frozen, years_ago):
        """D19: 01/01/1900 made tasks "126 years" overdue at province and ministry level."""
        when = timezone.localtime(frozen.at).replace(year=timezone.localtime(frozen.at).year - years_ago)
        client.force_login(world.hospital_sw)
        response = client.post(
            "/foundlings/report/",
            {
                "found_at": when.strftime("%d/%m/%Y %H:%M"),
                "province": world.hanoi.pk,
                "found_commune": world.commune_a.pk,
                "found_place": "Cổng",
                "sex": "male",
                "condition": "Khỏe",
            },
        )
        assert "nay đã trưởng thành" in response.content.decode()
        body = {
            "found_at": when.isoformat(),
            "found_commune_code": world.commune_a.code,
            "found_place": "Cổng",
            "sex": "male",
            "condition": "Khỏe",
        }
        answer = ApiClient(world.hospital_sw).post("/foundlings", body)
        assert answer.status_code == 422 and "found_at" in answer.json()["fields"]
        assert not FoundlingCase.objects.exists()

    def test_a_child_found_18_years_ago_this_year_is_still_accepted(self, world, frozen):
        local = timezone.localtime(frozen.at)
        found = local.replace(year=local.year - 18, month=1, day=1, hour=8)
        assert services.found_at_problem(found, frozen.at) is None
        assert services.found_at_problem(found - dt.timedelta(days=1), frozen.at)[1] == "implausible"
        assert services.found_at_problem(frozen.at + dt.timedelta(hours=1), frozen.at)[1] == "time_in_future"

    def test_the_public_form_refuses_what_is_not_a_phone_number_with_every_other_problem(
        self, world, client, frozen
    ):
        """D19 and D20: "abc-not-a-phone" was accepted; the problems come all at once."""
        response = client.post(
            "/report/",
            {
                "found_at": "01/01/1900 08:00",
                "province": world.hanoi.pk,
                "found_commune": world.commune_b.pk,
                "found_place": "Chợ",
                "sex": "female",
                "condition": "",
                "finder_name": "<b>x</b>",
                "reporter_contact": "abc-not-a-phone",
            },
            REMOTE_ADDR="10.9.9.9",
        )
        errors = response.context["form"].errors
        assert {"found_at", "condition", "finder_name", "reporter_contact"} <= set(errors)
        assert "Hãy nhập số điện thoại Việt Nam" in response.content.decode()
        assert not FoundlingCase.objects.exists()
        for phone in ("0913 456 789", "024 3825 1234", "+84913456789", "0913.456.789"):
            assert services.names.phone_problem(phone) is None, phone
        for phone in ("abc-not-a-phone", "0912", "111", "09134567890123", "0113456789"):
            assert services.names.phone_problem(phone), phone


def test_temporary_care_with_no_organisation_says_to_choose_one(world, client, frozen):
    """D20: "this organisation cannot receive…" appeared when none was chosen at all."""
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    client.force_login(world.officer_a)
    page = client.post(f"/foundlings/{case.pk}/decide_temporary_care/", {"kind": "facility"}).content.decode()
    assert "Chọn cơ sở trợ giúp xã hội hoặc bệnh viện tiếp nhận trẻ." in page
    assert "không thể tiếp nhận" not in page
    page = client.post(
        f"/foundlings/{case.pk}/decide_temporary_care/",
        {"kind": "facility", "to_organisation": world.orgs["hospital_a"].pk},
    ).content.decode()
    assert "không thể tiếp nhận" in page
    case.refresh_from_db()
    assert case.state == State.ACKNOWLEDGED and not case.handovers.exists()
