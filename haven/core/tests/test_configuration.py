"""The configuration fails closed (security review, findings 12 and 18): an environment Haven does not
know, DEBUG or a movable clock in production, a development server reached by name, and short or
shared keys all refuse to start, and the demo data refuse to be made in production.

Each case starts a fresh interpreter, because settings are read once, when Django starts."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

START = "import django; django.setup(); from django.conf import settings; print('started', settings.DEBUG)"


def production_secrets() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "HAVEN_FIELD_KEYS": Fernet.generate_key().decode(),
        "HAVEN_INDEX_KEY": secrets.token_urlsafe(48),
        "HAVEN_AUDIT_KEY": secrets.token_urlsafe(48),
        "HAVEN_LEDGER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }


def start(code: str = START, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DJANGO_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    command = [sys.executable, "-c", code]
    return subprocess.run(  # noqa: S603 - this interpreter, the test's own code
        command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("name", ["prod", "Production", "staging", "production "])
def test_an_unknown_environment_refuses_to_start(name):
    done = start(HAVEN_ENV=name)
    assert done.returncode != 0
    assert "is not a known environment" in done.stderr


def test_production_with_its_secrets_and_hosts_starts_without_debug():
    done = start(HAVEN_ENV="production", DJANGO_ALLOWED_HOSTS="haven.example.gov.vn", **production_secrets())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started False"


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        ({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG cannot be on in production"),
        ({"HAVEN_TIME_TRAVEL": "1"}, "HAVEN_TIME_TRAVEL cannot be on in production"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must name"),
        ({"HAVEN_INDEX_KEY": "x"}, "HAVEN_INDEX_KEY is too short"),
    ],
)
def test_production_refuses_what_would_open_it_up(extra, refusal):
    environment = {"HAVEN_ENV": "production", "DJANGO_ALLOWED_HOSTS": "haven.example.gov.vn"}
    done = start(**(environment | production_secrets() | extra))
    assert done.returncode != 0
    assert refusal in done.stderr


def test_one_key_used_for_two_purposes_refuses_to_start():
    keys = production_secrets()
    keys["HAVEN_AUDIT_KEY"] = keys["HAVEN_INDEX_KEY"]
    done = start(HAVEN_ENV="production", DJANGO_ALLOWED_HOSTS="haven.example.gov.vn", **keys)
    assert done.returncode != 0
    assert "HAVEN_AUDIT_KEY version 1 and HAVEN_INDEX_KEY are the same key" in done.stderr


def test_a_development_server_reached_by_name_refuses_to_start():
    # Forgetting HAVEN_ENV on a real server must not give it development's DEBUG pages and secrets.
    done = start(DJANGO_ALLOWED_HOSTS="haven.example.gov.vn", **production_secrets())
    assert done.returncode != 0
    assert "needs HAVEN_ENV=production" in done.stderr
    assert start(DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,::1", **production_secrets()).returncode == 0


def test_demo_data_and_demo_logins_are_never_made_in_production():
    done = start(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('synth', '--size', '0', '--logins')",
        HAVEN_ENV="production",
        DJANGO_ALLOWED_HOSTS="haven.example.gov.vn",
        DATABASE_URL="sqlite:///:memory:",
        **production_secrets(),
    )
    assert done.returncode != 0
    assert "never runs in production" in done.stderr
    assert "Demo logins" not in done.stdout
