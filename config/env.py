"""Reading configuration from the environment.

Secrets come from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/systemd credentials).
Outside production a missing secret is generated once into ``var/secrets/`` so that ``make demo``
needs nothing set; production refuses to start without it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENT = os.environ.get("HAVEN_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"


def flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret(name: str, *, make=lambda: secrets.token_urlsafe(48)) -> str:
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    if IS_PRODUCTION:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set in production")
    store = BASE_DIR / "var" / "secrets" / name
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(make())
        store.chmod(0o600)
    return store.read_text().strip()
