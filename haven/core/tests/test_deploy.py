"""The production settings pass Django's deployment checks with no warning (security review finding 9:
no HSTS, no HTTPS redirect), run as an operator would, with production's environment; and `make demo`
serves Haven with DEBUG off, so its users see Haven's own Vietnamese 404 and 500 pages, never Django's
debug pages with the code."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

from haven.core.tests.test_configuration import start


def production_environment() -> dict[str, str]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **keep,
        "HAVEN_ENV": "production",
        "DJANGO_ALLOWED_HOSTS": "haven.example.gov.vn",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "HAVEN_FIELD_KEYS": Fernet.generate_key().decode(),
        "HAVEN_INDEX_KEY": secrets.token_urlsafe(48),
        "HAVEN_AUDIT_KEY": secrets.token_urlsafe(48),
        "HAVEN_LEDGER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": "postgres://haven@db.example.gov.vn:5432/haven",
    }


def test_production_settings_pass_check_deploy_without_a_warning():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "identified no issues" in done.stdout


def demo_server_command() -> str:
    """The shell command with which `make demo` starts the web server, as make would run it (its lines
    joined where they continue), read from `make --dry-run`: nothing is run."""
    done = subprocess.run(
        ["make", "--dry-run", "demo"],  # noqa: S607
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    commands = re.sub(r"\\\n", " ", done.stdout).splitlines()
    servers = [command for command in commands if "bin/gunicorn " in command]
    assert len(servers) == 1, commands
    return servers[0]


def test_make_demo_serves_haven_with_debug_off():
    server = demo_server_command()
    before_gunicorn = server[: server.index("bin/gunicorn ")]
    settings_of_the_shell = dict(re.findall(r"\bexport (\w+)=(\S*?);", before_gunicorn))
    assert settings_of_the_shell.get("DJANGO_DEBUG") == "0", server
    # Nothing later on the line sets it again for the server alone (`DJANGO_DEBUG=1 gunicorn ...`).
    assert before_gunicorn.count("DJANGO_DEBUG") == 1, server
    # And Haven's settings read "0" as off, in the development environment the demo runs in.
    done = start(DJANGO_DEBUG=settings_of_the_shell["DJANGO_DEBUG"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started False"
