"""The second factor: required for every national and provincial role and for whoever may show a full
PIN or export a child's record (read from the policy table), set up and turned off only with the
password and a code (security review, findings 3 and 10).

Refused: a person whose role requires a factor and who has none reaches nothing but setting one up and
signing out; one who has a factor reaches nothing before giving its code; turning it off (or setting up
a second phone) without the password and a current code changes nothing."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.access import policy
from haven.access.policy import Scope, SecondFactor, Verb, needs_second_factor, second_factor
from haven.access.scoping import second_factor_required
from haven.accounts.models import Role
from haven.audit.models import AuditEvent
from haven.core.testing import PASSWORD

REQUIRED = [
    "officer_a",
    "chairman_a",
    "civil_status_a",
    "police_a",
    "facility_director",
    "provincial",
    "hotline",
    "ministry",
    "analyst",
    "admin",
]
NOT_REQUIRED = ["collaborator_a", "hospital_sw", "caregiver_b", "school_a"]


def code(device: TOTPDevice) -> str:
    """The code the person's phone shows now, or the next one if this one was used already (a code
    works once; the device accepts the next period's too)."""
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows the next try after a wrong code; time would reset it
    now = int((time.time() - device.t0) // device.step)
    ahead = max(device.drift, device.last_t + 1 - now)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead):06d}"


def sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


# --- Who must give one: read from the policy table --------------------------------------------------


def test_national_and_provincial_roles_and_those_who_export_or_show_a_pin_need_a_second_factor():
    for role, grant in policy.POLICY.items():
        national = grant.scope in (Scope.NATION, Scope.NONE)
        papers = grant.verbs & {Verb.CHILD_EXPORT, Verb.CHILD_PIN_REVEAL}
        expected = SecondFactor.ALWAYS if national or papers else None
        if expected:
            assert second_factor(role) is expected, role
        else:
            assert second_factor(role) is not SecondFactor.ALWAYS, role


def test_an_area_role_needs_it_in_a_province_and_not_in_a_commune(monkeypatch):
    # Today every area role exports or shows PINs; one that did neither would need a factor only when
    # held in a provincial body, which reaches the whole province.
    monkeypatch.setitem(policy.POLICY, Role.CIVIL_STATUS_OFFICER, policy._grant(Scope.AREA, Verb.CHILD_VIEW))
    assert not needs_second_factor(Role.CIVIL_STATUS_OFFICER, "commune")
    assert needs_second_factor(Role.CIVIL_STATUS_OFFICER, "province")
    assert not needs_second_factor(Role.CAREGIVER, "province")


@pytest.mark.parametrize("persona", REQUIRED + NOT_REQUIRED)
def test_the_personas_that_need_a_second_factor(world, persona):
    assert second_factor_required(world.users[persona]) is (persona in REQUIRED)


# --- Enrolment is all a person without the required factor may do ---------------------------------


@pytest.mark.parametrize("persona", ["ministry", "hotline", "provincial", "officer_a", "admin"])
def test_without_the_required_factor_the_password_leads_only_to_setting_one_up(world, persona):
    client = sign_in(persona)
    for path in ["/", "/children/", "/foundlings/", "/accounts/password/", "/accounts/organisations/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/security/", path
    page = client.get("/accounts/security/")
    assert page.status_code == 200
    assert "Vai trò của bạn yêu cầu" in page.content.decode()  # in Vietnamese: your role requires it
    assert 'aria-label="Menu chính"' not in page.content.decode()  # no menu of pages it cannot open
    assert client.post("/accounts/logout/").status_code == 302


@pytest.mark.parametrize("persona", NOT_REQUIRED)
def test_roles_that_need_no_factor_sign_in_with_the_password(world, persona):
    assert sign_in(persona).get("/").status_code == 200


def test_setting_up_the_factor_needs_the_code_and_the_password_and_then_opens_haven(world):
    client = sign_in("ministry")
    client.post("/accounts/security/totp/start/")
    device = TOTPDevice.objects.get(user=world.ministry)
    assert "<svg" in client.get("/accounts/security/").content.decode()  # the QR code to scan
    # Refused: the right code with a wrong password.
    response = client.post("/accounts/security/", {"token": code(device), "password": "wrong"})
    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/children/")["Location"] == "/accounts/security/"
    response = client.post("/accounts/security/", {"token": code(device), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/children/").status_code == 200
    assert AuditEvent.objects.filter(action="account.totp_enable", actor=world.ministry).exists()
    assert AuditEvent.objects.filter(action="account.login_failed", data__reason="password").exists()


def test_with_a_factor_signing_in_asks_for_its_code_before_any_page(world):
    device = TOTPDevice.objects.create(user=world.officer_a, name="phone", confirmed=True)
    client = sign_in("officer_a")
    response = client.get("/children/")
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert client.get("/accounts/security/")["Location"] == "/accounts/verify/"
    assert client.post("/accounts/verify/", {"token": "000000"}).status_code == 200  # wrong: asked again
    assert AuditEvent.objects.filter(action="account.otp_failed", actor=world.officer_a).exists()
    assert client.post("/accounts/verify/", {"token": code(device)}).status_code == 302
    assert client.get("/children/").status_code == 200


def test_a_second_phone_cannot_be_added_while_the_factor_is_on(world, client):
    client.force_login(world.officer_a)  # signed in with the factor the persona has
    assert client.post("/accounts/security/totp/start/").status_code == 302
    assert not TOTPDevice.objects.filter(user=world.officer_a, confirmed=False).exists()
    assert TOTPDevice.objects.filter(user=world.officer_a).count() == 1


# --- Turning it off ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {},  # what a stolen session sent before: nothing but the CSRF token
        {"off-password": PASSWORD},
        {"off-token": "CODE"},
        {"off-password": "wrong", "off-token": "CODE"},
        {"off-password": PASSWORD, "off-token": "000000"},
    ],
)
def test_turning_the_factor_off_without_the_password_and_a_code_changes_nothing(world, client, given):
    client.force_login(world.hospital_sw)
    device = TOTPDevice.objects.create(user=world.hospital_sw, name="phone", confirmed=True)
    client.force_login(world.hospital_sw)
    given = {k: (code(device) if v == "CODE" else v) for k, v in given.items()}
    response = client.post("/accounts/security/totp/stop/", given)
    assert response.status_code == 200  # the form again, with what is missing
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(action="account.totp_disable").exists()


def test_turning_the_factor_off_with_the_password_and_a_code(world, client):
    device = TOTPDevice.objects.create(user=world.hospital_sw, name="phone", confirmed=True)
    client.force_login(world.hospital_sw)
    response = client.post(
        "/accounts/security/totp/stop/", {"off-password": PASSWORD, "off-token": code(device)}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.hospital_sw).exists()
    event = AuditEvent.objects.get(action="account.totp_disable")
    assert event.actor == world.hospital_sw and event.data == {"required": False}
    assert client.get("/children/").status_code == 200  # not required for a hospital social worker


def test_a_role_that_requires_the_factor_sets_up_a_new_one_at_once_after_turning_it_off(world, client):
    client.force_login(world.provincial)
    device = TOTPDevice.objects.get(user=world.provincial)
    response = client.post(
        "/accounts/security/totp/stop/", {"off-password": PASSWORD, "off-token": code(device)}
    )
    assert response.status_code == 302
    assert client.get("/children/")["Location"] == "/accounts/security/"
