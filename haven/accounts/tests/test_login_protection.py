"""Sign-in is protected: Argon2, a lockout per account and per address that an administrator lifts,
and sessions that end after a period without activity and, however active, a fixed time after sign-in
(security review, finding 10: the sliding session, the lockout anyone could cause and nobody could lift,
password spraying from one address)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.test import Client

from haven.accounts.middleware import SESSION_KEY
from haven.accounts.models import SignInFailure
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.core.testing import PASSWORD


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.fixture
def machine_time(monkeypatch):
    """The machine's clock (clock.real_now), which sessions and locks run on, moved by the test."""

    class MachineTime:
        at = clock.real_now()

        def advance(self, **kwargs) -> None:
            self.at += dt.timedelta(**kwargs)

    moved = MachineTime()
    monkeypatch.setattr(clock, "real_now", lambda: moved.at)
    return moved


def test_passwords_are_hashed_with_argon2(world):
    assert identify_hasher(world.officer_a.password).algorithm == "argon2"


def test_a_good_password_signs_in_and_is_audited(world, client):
    assert sign_in(client, "officer_a").status_code == 302
    assert AuditEvent.objects.filter(action="account.login", actor=world.officer_a).exists()


# --- Lockout per account --------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_even_for_the_right_password(world, client):
    for _ in range(settings.HAVEN_LOGIN_FAILURE_LIMIT):
        assert sign_in(client, "officer_a", "wrong password").status_code == 200
    locked = sign_in(client, "officer_a")
    assert locked.status_code == 429
    assert "khóa" in locked.content.decode()  # the page, in Vietnamese, says until when
    assert (
        AuditEvent.objects.filter(action="account.login_failed").count()
        == settings.HAVEN_LOGIN_FAILURE_LIMIT + 1
    )
    lockout = AuditEvent.objects.get(action="account.lockout")
    assert lockout.data == {"locked": "account", "key": "officer_a", "failures": 5}
    assert not AuditEvent.objects.filter(action="account.login").exists()


def test_a_failure_on_one_account_does_not_lock_another(world, client):
    for _ in range(settings.HAVEN_LOGIN_FAILURE_LIMIT):
        sign_in(client, "officer_a", "wrong password")
    assert sign_in(client, "officer_b").status_code == 302


def test_case_and_spaces_do_not_make_another_account_to_guess_at(world, client):
    for typed in ["officer_a", "OFFICER_A", " Officer_A", "officer_a ", "Officer_a"]:
        sign_in(client, typed, "wrong password")
    assert sign_in(client, "officer_a").status_code == 429


def test_refused_attempts_while_locked_do_not_keep_the_account_locked(world, client, machine_time):
    for _ in range(settings.HAVEN_LOGIN_FAILURE_LIMIT):
        sign_in(client, "officer_a", "wrong password")
    machine_time.advance(minutes=29)
    assert sign_in(client, "officer_a", "wrong password").status_code == 429
    assert SignInFailure.objects.count() == settings.HAVEN_LOGIN_FAILURE_LIMIT
    machine_time.advance(minutes=2)
    assert sign_in(client, "officer_a").status_code == 302


def test_the_right_password_starts_the_count_again(world, client):
    for _ in range(settings.HAVEN_LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "officer_a", "wrong password")
    assert sign_in(client, "officer_a").status_code == 302
    Client().post("/accounts/login/", {"username": "officer_a", "password": "wrong password"})
    assert sign_in(Client(), "officer_a").status_code == 302


# --- Lockout per address: password spraying --------------------------------------------------------


def test_spraying_a_few_guesses_at_many_accounts_from_one_address_locks_the_address(world, settings):
    settings.HAVEN_ADDRESS_FAILURE_LIMIT = 8  # a smaller limit than production's, for the test's speed
    sprayer = from_address("203.0.113.9")
    usernames = [f"user{n}" for n in range(settings.HAVEN_ADDRESS_FAILURE_LIMIT // 2)]
    for username in usernames * 2:  # two guesses each: far below any one account's limit
        assert sign_in(sprayer, username, "Haven@2026").status_code == 200
    # The address is locked now, even for an account's right password...
    assert sign_in(sprayer, "officer_b").status_code == 429
    lockout = AuditEvent.objects.get(action="account.lockout")
    assert lockout.data["locked"] == "address" and lockout.data["key"] == "203.0.113.9"
    # ...but not the accounts themselves: their owners sign in from their own offices.
    assert sign_in(from_address("198.51.100.20"), "officer_b").status_code == 302


# --- The administrator's unlock --------------------------------------------------------------------


def test_only_an_administrator_sees_and_lifts_locks_and_the_unlock_is_audited(world, client):
    for _ in range(settings.HAVEN_LOGIN_FAILURE_LIMIT):
        sign_in(from_address("192.0.2.7"), "officer_a", "wrong password")
    for persona in ("officer_b", "provincial", "ministry"):
        client.force_login(world.users[persona])
        assert client.get("/accounts/locks/").status_code == 404
        assert client.post("/accounts/locks/", {"kind": "account", "key": "officer_a"}).status_code == 404
    assert sign_in(Client(), "officer_a").status_code == 429

    client.force_login(world.admin)
    page = client.get("/accounts/locks/").content.decode()
    assert world.officer_a.full_name in page and "officer_a" in page
    assert f"({world.officer_a.username})" in client.get("/").content.decode()  # the home page lists it
    response = client.post("/accounts/locks/", {"kind": "account", "key": "officer_a"})
    assert response.status_code == 302
    assert sign_in(Client(), "officer_a").status_code == 302
    unlock = AuditEvent.objects.get(action="account.unlock")
    assert unlock.actor == world.admin
    assert unlock.data == {"unlocked": "account", "key": "officer_a", "failures": 5}


def test_an_unlock_of_something_not_locked_changes_nothing_but_is_no_error(world, client):
    client.force_login(world.admin)
    response = client.post("/accounts/locks/", {"kind": "address", "key": "not an address"})
    assert response.status_code == 200 and "key" in response.context["form"].errors
    assert client.post("/accounts/locks/", {"kind": "address", "key": "192.0.2.7"}).status_code == 302
    assert client.post("/accounts/locks/", {"kind": "nonsense", "key": "x"}).status_code == 200


# --- Sessions ---------------------------------------------------------------------------------------


def test_a_session_ends_after_a_period_without_activity(world, client, machine_time):
    client.force_login(world.officer_a)
    assert client.get("/").status_code == 200
    machine_time.advance(seconds=settings.HAVEN_IDLE_TIMEOUT.total_seconds() + 1)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_in_constant_use_still_ends_at_its_absolute_lifetime(world, client, machine_time):
    # The sliding session: used every 20 minutes, it used to live for ever.
    client.force_login(world.officer_a)
    used_for = dt.timedelta(0)
    while used_for < settings.HAVEN_SESSION_LIFETIME - dt.timedelta(minutes=20):
        assert client.get("/").status_code == 200, f"signed out after {used_for}"
        machine_time.advance(minutes=20)
        used_for += dt.timedelta(minutes=20)
    machine_time.advance(minutes=21)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/children/").status_code == 302


def test_the_stored_session_does_not_outlive_the_absolute_lifetime(world, client):
    signed_in = clock.real_now()
    client.force_login(world.officer_a)
    for _ in range(3):
        client.get("/")
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date <= signed_in + settings.HAVEN_SESSION_LIFETIME + dt.timedelta(seconds=1)


def test_a_session_from_before_the_limit_existed_ends(world, client):
    client.force_login(world.officer_a)
    session = client.session
    session.pop("haven_signed_in_at")
    session[SESSION_KEY] = clock.real_now().timestamp()
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
