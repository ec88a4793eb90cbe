"""`make demo` prints logins that work: the demo logins whose role requires a second factor have the
demo's key set up, and sign in with the password and the code it gives."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp

from haven.access.scoping import second_factor_required
from haven.accounts.synth import DEMO_PASSWORD, DEMO_TOTP_BASE32, DEMO_TOTP_SECRET, demo_world


def test_every_demo_login_works_with_the_printed_password_and_code(db):
    out = StringIO()
    call_command("synth", "--size", "0", "--logins", stdout=out)
    printed = out.getvalue()
    world = demo_world()
    assert DEMO_TOTP_BASE32[:4] in printed
    for username, (user, _description) in world.users.items():
        line = next(line for line in printed.splitlines() if line.split()[:1] == [username])
        assert ("+ code" in line) is second_factor_required(user), username
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        if username in world.second_factor:
            assert client.get("/")["Location"] == "/accounts/verify/", username
            response = client.post("/accounts/verify/", {"token": f"{totp(DEMO_TOTP_SECRET):06d}"})
            assert response.status_code == 302, username
        assert client.get("/").status_code == 200, username
    assert {"ministry", "hotline", "province", "commune.officer", "admin"} <= world.second_factor
    assert "hospital.sw" not in world.second_factor


def test_the_current_demo_code_is_printed_on_request(db):
    out = StringIO()
    call_command("synth", "code", stdout=out)
    assert out.getvalue().strip() == f"{totp(DEMO_TOTP_SECRET):06d}"
