"""The prevention pages: a collaborator's phone round, the forms, the commune's coverage and figures."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone, translation

from haven.audit.models import AuditEvent
from haven.prevention.models import AtRiskPerson, State, Village
from haven.prevention.tests.factories import contacted, flag


@pytest.fixture
def village(world, client):
    client.force_login(world.officer_a)
    response = client.post(
        f"/prevention/coverage/?commune={world.commune_a.pk}", {"do": "village", "name": "Thôn Đông"}
    )
    assert response.status_code == 302
    v = Village.objects.get(name="Thôn Đông")
    response = client.post(
        "/prevention/coverage/",
        {
            "do": "assign",
            "commune": world.commune_a.pk,
            "collaborator": world.collaborator_a.pk,
            "village": v.pk,
        },
    )
    assert response.status_code == 302
    client.logout()
    return v


def test_a_collaborator_flags_and_records_the_first_contact(world, client, village, frozen):
    client.force_login(world.collaborator_a)
    assert "Thôn Đông" in client.get("/prevention/flag/").content.decode()
    response = client.post(
        "/prevention/flag/",
        {
            "family_name": "Nguyễn",
            "middle_name": "Thị",
            "given_name": "Hoa",
            "commune": world.commune_a.pk,
            "village": village.pk,
            "pregnant": "on",
            "consent": "on",
            "risk_factors": ["single_mother"],
        },
    )
    person = AtRiskPerson.objects.get()
    assert response.status_code == 302 and response.url == f"/prevention/{person.pk}/"
    page = client.get("/prevention/").content.decode()
    assert "Nguyễn Thị Hoa" in page
    response = client.post(
        f"/prevention/{person.pk}/contact/",
        {
            "at": timezone.localtime(frozen.at).strftime("%d/%m/%Y %H:%M"),
            "mode": "home",
            "consent": "1",
            "wellbeing": "good",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.state == State.CONTACTED
    assert AuditEvent.objects.filter(action="prevention.view", object_id=str(person.pk)).exists() is False
    client.get(f"/prevention/{person.pk}/")
    assert AuditEvent.objects.filter(action="prevention.view", object_id=str(person.pk)).exists()


def test_bad_input_is_shown_on_the_form_and_saves_nothing(world, client, village, frozen):
    client.force_login(world.collaborator_a)
    response = client.post(
        "/prevention/flag/",
        {
            "family_name": "Nguyễn",
            "given_name": "Hoa",
            "commune": world.commune_a.pk,
            "village": village.pk,
            "risk_factors": ["single_mother"],
        },
    )
    assert (
        response.status_code == 200 and 'class="field-error' in response.content.decode()
    ) or "error" in response.content.decode()
    assert not AtRiskPerson.objects.exists()


def test_another_commune_cannot_open_her_record(world, client, village, frozen):
    person = flag(world, village)
    client.force_login(world.officer_b)
    assert client.get(f"/prevention/{person.pk}/").status_code == 404
    assert client.get(f"/prevention/{person.pk}/visit/").status_code == 404


def test_coverage_page_shows_villages_with_nobody(world, client, village, frozen):
    Village.objects.create(commune=world.commune_a, name="Tổ dân phố 9")
    client.force_login(world.officer_a)
    page = client.get("/prevention/coverage/").content.decode()
    assert "Tổ dân phố 9" in page and "Thôn Đông" in page
    client.force_login(world.collaborator_a)
    assert client.post("/prevention/coverage/", {"do": "village", "name": "X"}).status_code == 404


def test_figures_for_the_province_and_the_analyst(world, client, village, frozen):
    flag(world, village)
    client.force_login(world.provincial)
    assert client.get("/prevention/figures/").status_code == 200
    client.force_login(world.analyst)
    assert 'class="hidden-count"' not in client.get("/prevention/figures/").content.decode()
    assert "<dd>ẩn</dd>" in client.get("/prevention/figures/").content.decode()
    client.force_login(world.collaborator_a)
    assert client.get("/prevention/figures/").status_code == 404


def test_the_province_sees_each_communes_gaps(world, client, village, frozen):
    Village.objects.create(commune=world.commune_a, name="Tổ dân phố 9")
    flag(world, village)
    client.force_login(world.provincial)
    page = client.get("/prevention/coverage/").content.decode()
    assert world.commune_a.name in page
    assert client.get(f"/prevention/coverage/?commune={world.commune_a.pk}").status_code == 200
    client.force_login(world.provincial_other)
    assert client.get(f"/prevention/coverage/?commune={world.commune_a.pk}").status_code == 404


class TestVillageAssignmentWithNothingChosen:
    """Walkthrough D3: "Phân công" with nothing chosen and "Thêm" with an empty name were HTTP 500s
    ('ValidationError' object has no attribute 'error_dict'); they are refused on the form."""

    def counts(self) -> tuple[int, int, int]:
        from haven.prevention.models import Coverage

        # A refused coverage that does not exist is itself audited (access.denied), and changes nothing.
        events = AuditEvent.objects.exclude(action="access.denied").count()
        return Village.objects.count(), Coverage.objects.count(), events

    def test_assign_with_nobody_and_no_village_is_refused_next_to_the_fields(self, world, client, village):
        client.force_login(world.officer_a)
        before = self.counts()
        response = client.post("/prevention/coverage/", {"do": "assign", "commune": world.commune_a.pk})
        assert response.status_code == 200
        errors = response.context["assign_form"].errors
        assert set(errors) == {"collaborator", "village"}
        assert "Thông tin này là bắt buộc." in response.content.decode()
        assert self.counts() == before

    def test_a_village_without_a_name_is_refused_next_to_the_field(self, world, client, village):
        client.force_login(world.officer_a)
        before = self.counts()
        for name in ("", "   "):
            response = client.post("/prevention/coverage/", {"do": "village", "name": name})
            assert response.status_code == 200
            assert "name" in response.context["village_form"].errors
        assert self.counts() == before

    def test_a_post_that_names_no_form_says_so(self, world, client, village):
        client.force_login(world.officer_a)
        before = self.counts()
        for body in ({}, {"do": "nonsense"}, {"do": "end", "coverage": "99999999999999999999999"}):
            assert client.post("/prevention/coverage/", body).status_code in (200, 404)
        assert self.counts() == before


def test_a_plain_validation_error_lands_on_the_form_not_in_a_500():
    """The root cause of D3: a ValidationError raised with a plain message has no error_dict."""
    from django import forms
    from django.core.exceptions import ValidationError

    from haven.core.errors import add_to_form, messages_of

    class F(forms.Form):
        name = forms.CharField()

    form = F({"name": "x"})
    form.is_valid()
    add_to_form(form, ValidationError("Check the form."))
    add_to_form(form, ValidationError({"name": ["Too short."], "other": ["Elsewhere."]}))
    assert form.non_field_errors() == ["Check the form.", "Elsewhere."]
    assert form.errors["name"] == ["Too short."]
    assert messages_of(ValidationError(["One.", "Two."])) == "One. Two."


# --- The one step page (haven/workflow/views.py) -------------------------------------------------


def _contacted(world, village, frozen):
    return contacted(world, flag(world, village), frozen.at)


def test_a_refused_step_keeps_what_was_typed_and_changes_nothing(world, client, village, frozen):
    person = _contacted(world, village, frozen)
    client.force_login(world.collaborator_a)
    later = timezone.localtime(frozen.at + dt.timedelta(days=2)).strftime("%d/%m/%Y %H:%M")
    response = client.post(
        f"/prevention/{person.pk}/visit/",
        {"at": later, "mode": "phone", "wellbeing": "concern", "notes": "Chị ấy lo lắng về tiền thuê nhà"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    with translation.override("vi"):
        assert translation.gettext("This time is in the future.") in page
    assert "Chị ấy lo lắng về tiền thuê nhà" in page and later in page
    assert person.visits.count() == 1


def test_an_irreversible_step_asks_to_confirm_first(world, client, village, frozen):
    """Her refusal erases her sensitive data (PDP Law 2025 art. 9): the page says so and asks to tick."""
    person = _contacted(world, village, frozen)
    client.force_login(world.collaborator_a)
    url = f"/prevention/{person.pk}/decline/"
    assert 'name="step-confirm"' in client.get(url).content.decode()
    assert client.post(url, {"reason": "Không muốn theo dõi nữa"}).status_code == 200
    person.refresh_from_db()
    assert person.state == State.CONTACTED
    response = client.post(url, {"reason": "Không muốn theo dõi nữa", "step-confirm": "on"})
    assert response.status_code == 302 and response.url == f"/prevention/{person.pk}/"
    person.refresh_from_db()
    assert person.state == State.DECLINED


def test_a_step_not_open_to_her_sends_her_back_to_the_record(world, client, village, frozen):
    person = _contacted(world, village, frozen)
    client.force_login(world.collaborator_a)
    response = client.get(f"/prevention/{person.pk}/escalate/")  # the commune officer's step
    assert response.status_code == 302 and response.url == f"/prevention/{person.pk}/"
    assert client.get(f"/prevention/{person.pk}/no_such_step/").status_code == 404


def test_the_outcome_of_a_referral_is_recorded_on_the_step_page(world, client, village, frozen):
    from haven.prevention import services

    person = _contacted(world, village, frozen)
    support = services.support_refer(
        actor=world.collaborator_a, person=person, service="counselling", provider="Trạm y tế xã"
    )
    client.force_login(world.collaborator_a)
    url = f"/prevention/{person.pk}/supports/{support.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "delivered", "outcome": "3 buổi tư vấn"})
    assert response.status_code == 302
    support.refresh_from_db()
    assert (support.status, support.outcome) == ("delivered", "3 buổi tư vấn")
    assert person.steps.filter(action="support_outcome").exists()
    assert client.get(url).status_code == 404  # recorded: no longer waiting for an outcome


def test_the_birth_page_asks_how_mother_and_baby_are_and_danger_tells_the_commune(
    world, client, village, frozen
):
    from haven.notifications.models import Notification

    person = _contacted(world, village, frozen)
    client.force_login(world.collaborator_a)
    url = f"/prevention/{person.pk}/birth/"
    born = timezone.localdate(frozen.at).strftime("%d/%m/%Y")
    assert client.post(url, {"born_on": born, "sex": "female"}).status_code == 200  # nothing preselected
    person.refresh_from_db()
    assert person.state == State.CONTACTED
    response = client.post(url, {"born_on": born, "sex": "female", "wellbeing": "danger"})
    assert response.status_code == 302
    assert Notification.objects.filter(
        kind="prevention.birth", organisation=world.orgs["committee_a"]
    ).exists()


class TestTheFirstContactKeepsWhatIsRecorded:
    """Walkthrough D8: the first-contact form showed the risk boxes unticked and the due date empty,
    and saving it wiped the three risk factors and the notes recorded at the flag."""

    RISKS = ["unintended_pregnancy", "single_mother", "says_cannot_keep"]

    def flagged(self, world, village, frozen):
        from haven.core import clock
        from haven.prevention import services

        due = clock.localdate(frozen.at) + dt.timedelta(days=120)
        person = flag(world, village, risk_factors=self.RISKS, expected_delivery=due, notes="Sống một mình")
        assert sorted(person.risk_factors) == sorted(self.RISKS) and services.notes_of(person)
        return person, due

    def test_the_page_shows_and_keeps_the_risk_factors_due_date_and_notes(
        self, world, client, village, frozen
    ):
        from haven.prevention import services

        person, due = self.flagged(world, village, frozen)
        client.force_login(world.collaborator_a)
        page = client.get(f"/prevention/{person.pk}/contact/").content.decode()
        for code in self.RISKS:
            assert re.search(rf'name="risk_factors" value="{code}"[^>]*checked', page), code
        assert f'value="{due:%d/%m/%Y}"' in page and "Sống một mình" in page
        form = response_form(page)  # what the browser sends back once mode, consent and wellbeing are set
        form.update(
            {
                "at": timezone.localtime(frozen.at).strftime("%d/%m/%Y %H:%M"),
                "mode": "home",
                "consent": "1",
                "wellbeing": "good",
            }
        )
        assert client.post(f"/prevention/{person.pk}/contact/", form).status_code == 302
        person.refresh_from_db()
        assert person.state == State.CONTACTED
        assert sorted(person.risk_factors) == sorted(self.RISKS) and person.expected_delivery == due
        assert services.notes_of(person) == "Sống một mình"
        page = client.get(f"/prevention/{person.pk}/").content.decode()
        assert "Mẹ đơn thân, không có sự hỗ trợ của người cha" in page

    def test_the_api_keeps_what_a_contact_leaves_out(self, world, village, frozen):
        from haven.api.tests.client import ApiClient
        from haven.prevention import services

        person, due = self.flagged(world, village, frozen)
        body = {"at": frozen.at.isoformat(), "mode": "home", "consent": True, "wellbeing": "good"}
        assert (
            ApiClient(world.collaborator_a).post(f"/prevention/{person.pk}/contact", body).status_code == 200
        )
        person.refresh_from_db()
        assert sorted(person.risk_factors) == sorted(self.RISKS) and person.expected_delivery == due
        assert services.notes_of(person) == "Sống một mình"

    def test_the_update_form_shows_the_recorded_due_date_and_keeps_it(self, world, client, village, frozen):
        person, due = self.flagged(world, village, frozen)
        from haven.prevention import services

        services.person_contact(
            actor=world.collaborator_a,
            person=person,
            at=frozen.at,
            mode="home",
            wellbeing="good",
            consent=True,
        )
        client.force_login(world.collaborator_a)
        page = client.get(f"/prevention/{person.pk}/update/").content.decode()
        assert f'value="{due:%d/%m/%Y}"' in page
        other = Village.objects.create(commune=world.commune_a, name="Thôn Tây")
        services.coverage_assign(actor=world.officer_a, collaborator=world.collaborator_a, village=other)
        form = response_form(page)
        form["village"] = other.pk
        assert client.post(f"/prevention/{person.pk}/update/", form).status_code == 302
        person.refresh_from_db()
        assert person.village == other and person.expected_delivery == due and person.pregnant


def response_form(page: str) -> dict:
    """The values a browser would send back for the step form of ``page``, untouched."""
    form = page[page.index('<form class="form" method="post"') :]
    form = form[: form.index("</form>")]
    data: dict = {}
    for name, value in re.findall(r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', form):
        data[name] = html.unescape(value)
    for name, value in re.findall(
        r'<input type="(?:checkbox|radio)" name="(\w+)" value="(\w+)"[^>]*checked', form
    ):
        data.setdefault(name, []).append(value) if name == "risk_factors" else data.__setitem__(name, value)
    for name, body in re.findall(r'<textarea name="(\w+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(body.strip())
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_the_flag_form_shows_every_problem_in_one_submit(world, client, village, frozen):
    """Walkthrough D20: the flag form needed four submits to show four problems."""
    client.force_login(world.collaborator_a)
    response = client.post(
        "/prevention/flag/",
        {
            "family_name": "Nguyễn",
            "given_name": "Hoa2",
            "birth_year": "1900",
            "commune": world.commune_a.pk,
            "village": village.pk,
            "expected_delivery": (timezone.localdate(frozen.at) + dt.timedelta(days=60)).strftime("%d/%m/%Y"),
            "risk_factors": ["single_mother"],
        },
    )
    assert response.status_code == 200
    assert {"given_name", "birth_year", "expected_delivery", "consent"} <= set(
        response.context["form"].errors
    )
    assert not AtRiskPerson.objects.exists()
