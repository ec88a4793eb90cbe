"""The production settings pass Django's deployment checks with no warning (security review finding 9:
no HSTS, no HTTPS redirect), run as an operator would, with production's environment."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings


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
