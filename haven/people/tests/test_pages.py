"""The children pages. Each test first states who is refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import translation

from haven.audit.models import AuditEvent
from haven.people.models import Child


@pytest.fixture
def child(world):
    return world.child(commune=world.commune_a, family_name="Nguyễn", middle_name="Văn", given_name="An")


def login(client, user):
    client.force_login(user)
    return client


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


class TestList:
    def test_refused_to_a_signed_out_visitor_and_to_roles_without_child_view(self, world, client):
        assert client.get("/children/").status_code == 302
        for persona in ("analyst", "admin", "nobody"):
            assert login(client, world.users[persona]).get("/children/").status_code == 404

    def test_lists_only_the_officers_commune_and_is_audited(self, world, client, child):
        other = world.child(commune=world.commune_b)
        page = login(client, world.officer_a).get("/children/").content.decode()
        assert child.full_name in page and other.full_name not in page
        assert AuditEvent.objects.filter(action="child.search", actor=world.officer_a).exists()

    def test_a_search_without_diacritics_finds_the_child(self, world, client, child):
        found = login(client, world.officer_a).post("/children/", {"q": "nguyen van an"}, follow=True)
        assert "Nguyễn Văn An" in found.content.decode()

    def test_htmx_gets_only_the_results(self, world, client, child):
        response = login(client, world.officer_a).post("/children/", {"q": "an"}, HTTP_HX_REQUEST="true")
        assert "<html" not in response.content.decode() and child.full_name in response.content.decode()

    def test_the_list_page_costs_the_same_queries_for_25_children_as_for_1(
        self, world, client, child, django_assert_max_num_queries
    ):
        login(client, world.officer_a).get("/children/")  # warm the session
        for _ in range(30):
            world.child(commune=world.commune_a)
        with django_assert_max_num_queries(14):
            assert client.get("/children/").status_code == 200


class TestDetail:
    def test_refused_to_another_commune_and_to_an_analyst(self, world, client, child):
        for persona in ("officer_b", "analyst", "hospital_sw"):
            assert login(client, world.users[persona]).get(f"/children/{child.pk}/").status_code == 404

    def test_opening_a_record_is_an_audit_event_shown_in_its_access_log(self, world, client, child):
        login(client, world.officer_a).get(f"/children/{child.pk}/")
        log = client.get(f"/children/{child.pk}/access-log/").content.decode()
        assert world.officer_a.full_name in log
        assert AuditEvent.objects.filter(
            action="child.view", child_id=child.pk, actor=world.officer_a
        ).exists()

    def test_the_access_log_is_refused_to_roles_that_may_not_read_it(self, world, client, child):
        assert login(client, world.civil_status_a).get(f"/children/{child.pk}/access-log/").status_code == 404

    def test_the_pin_is_masked_and_showing_it_is_audited(self, world, client):
        from haven.people import services

        child = services.child_create(
            actor=world.officer_a,
            family_name="Lê",
            given_name="Na",
            sex="female",
            date_of_birth=dt.date(2019, 1, 2),
            current_commune=world.commune_a,
            pin="001319000777",
        )
        page = login(client, world.officer_a).get(f"/children/{child.pk}/").content.decode()
        assert "001******777" in page and "001319000777" not in page
        assert "001319000777" in client.post(f"/children/{child.pk}/pin/").content.decode()
        assert AuditEvent.objects.filter(action="child.pin_reveal", child_id=child.pk).exists()

    def test_only_those_who_handle_papers_may_show_the_full_pin(self, world, client):
        # Refused: the caregiver and the school officer see the child but not its full PIN (least
        # privilege; security review, finding 14). The facility director, who handles its papers, may.
        from haven.people import services

        child = services.child_create(
            actor=world.officer_b,
            family_name="Lê",
            given_name="Na",
            sex="female",
            date_of_birth=dt.date(2019, 1, 2),
            current_commune=world.commune_b,
            pin="001319000777",
        )
        world.involve(child, "facility_b")
        page = login(client, world.caregiver_b).get(f"/children/{child.pk}/").content.decode()
        assert "001******777" in page and f"/children/{child.pk}/pin/" not in page
        assert client.post(f"/children/{child.pk}/pin/").status_code == 404
        assert not AuditEvent.objects.filter(action="child.pin_reveal").exists()
        page = login(client, world.facility_director).get(f"/children/{child.pk}/").content.decode()
        assert f"/children/{child.pk}/pin/" in page
        assert "001319000777" in client.post(f"/children/{child.pk}/pin/").content.decode()


class TestExport:
    def test_refused_to_roles_without_export(self, world, client, child):
        for persona in ("civil_status_a", "officer_b"):
            assert (
                login(client, world.users[persona]).get(f"/children/{child.pk}/export.json").status_code
                == 404
            )

    def test_the_export_is_the_record_and_is_audited(self, world, client, child):
        response = login(client, world.officer_a).get(f"/children/{child.pk}/export.json")
        assert json.loads(response.content)["given_name"] == "An"
        assert "attachment" in response["Content-Disposition"]
        assert AuditEvent.objects.filter(action="child.export", child_id=child.pk).exists()

    def test_the_export_names_only_the_siblings_the_page_names(self, world, client, child):
        from haven.people import services

        # The provincial officer sees both communes and links a brother in commune A and a sister in
        # commune B; the commune A officer may see the brother only.
        brother = world.child(commune=world.commune_a)
        sister = world.child(commune=world.commune_b)
        services.sibling_link(actor=world.provincial, child=child, sibling=brother, kind="full")
        services.sibling_link(actor=world.provincial, child=child, sibling=sister, kind="half")
        client = login(client, world.officer_a)
        page = client.get(f"/children/{child.pk}/").content.decode()
        export = client.get(f"/children/{child.pk}/export.json").content.decode()
        assert str(brother.pk) in page and str(brother.pk) in export
        assert str(sister.pk) not in page and str(sister.pk) not in export
        assert sister.full_name not in export
        # What the page says of the sister (a sibling outside the area, and how related) stays.
        kinds = {s["kind"] for s in json.loads(export)["siblings"]}
        assert kinds == {"full", "half"}


class TestCreate:
    def test_refused_to_roles_without_create(self, world, client):
        for persona in ("chairman_a", "caregiver_b", "analyst"):
            assert login(client, world.users[persona]).get("/children/new/").status_code == 404

    def test_a_child_is_registered_with_a_date_typed_dd_mm_yyyy(self, world, client):
        response = login(client, world.officer_a).post("/children/new/", form(world))
        child = Child.objects.get(given_name="Bảo")
        assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}/"
        assert child.date_of_birth.isoformat() == "2018-03-04"

    @pytest.mark.parametrize(
        ("field", "value", "vietnamese"),
        [
            ("pin", "999218000123", "Ba chữ số đầu"),
            ("date_of_birth", "31/02/2018", "ngày"),
            ("current_commune", "999999", "xã"),
        ],
    )
    def test_bad_input_is_explained_in_vietnamese_and_nothing_is_saved(
        self, world, client, field, value, vietnamese
    ):
        before = (Child.objects.count(), AuditEvent.objects.filter(action="child.create").count())
        response = login(client, world.officer_a).post("/children/new/", form(world, **{field: value}))
        assert response.status_code == 200
        page = response.content.decode()
        assert "errorlist" in page and vietnamese.lower() in page.lower()
        assert (Child.objects.count(), AuditEvent.objects.filter(action="child.create").count()) == before

    def test_the_same_error_reads_in_english_after_the_switch(self, world, client):
        login(client, world.officer_a).post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = client.post("/children/new/", form(world, pin="999218000123")).content.decode()
        assert "The first three digits are not a province code." in page
        translation.activate("vi")


class TestHome:
    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        assert client.get("/").status_code == 302

    def test_an_officer_sees_records_to_complete(self, world, client, child):
        page = login(client, world.officer_a).get("/").content.decode()
        assert child.full_name in page  # no PIN and no group yet

    def test_a_user_without_a_role_is_sent_to_their_account_page_which_says_why(self, world, client):
        page = login(client, world.nobody).get("/", follow=True)
        assert page.redirect_chain == [("/accounts/security/", 302)]
        assert 'class="empty-state"' in page.content.decode()

    def test_an_analyst_sees_figures_never_names(self, world, client, child):
        page = login(client, world.analyst).get("/").content.decode()
        assert child.full_name not in page and "/reports/" in page
        assert client.get("/figures/").url.startswith("/reports/indicators/HV.SC/")
        figures = client.get("/reports/indicators/HV.SC/").content.decode()
        assert child.full_name not in figures


class TestLanguage:
    def test_pages_are_vietnamese_whatever_the_browser_asks_until_the_switch(self, world, client):
        login(client, world.officer_a)
        assert 'lang="vi"' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert 'lang="en"' in client.get("/").content.decode()

    def test_api_clients_choose_their_language_with_accept_language(self, world, client):
        response = client.get("/api/v1/children", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 401 and response["Content-Language"] == "en"
