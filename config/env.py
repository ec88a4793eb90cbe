"""Reading configuration from the environment.

Secrets come from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/systemd credentials).
Outside production a missing secret is generated once into ``var/secrets/`` so that ``make demo``
needs nothing set; production refuses to start without it. Haven's folders and secret files are made
readable by the service user only (docs/runbooks/keys.md).

The configuration fails closed: ``HAVEN_ENV`` is ``production`` or ``development`` (the default when it
is not set), and anything else (``prod``, ``Production``, a typo) refuses to start rather than fall
back to development's DEBUG pages, generated secrets and movable clock.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from haven.lib.files import create_private, private_dir

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("production", "development")
ENVIRONMENT = os.environ.get("HAVEN_ENV", "development")
if ENVIRONMENT not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"HAVEN_ENV={ENVIRONMENT!r} is not a known environment: set it to one of {', '.join(ENVIRONMENTS)}"
    )
IS_PRODUCTION = ENVIRONMENT == "production"
# Development serves this machine only; a server reached by name must say HAVEN_ENV=production.
LOOPBACK_HOSTS = frozenset({"localhost", "testserver", ""})


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
    store = private_dir(BASE_DIR / "var" / "secrets") / name
    if not store.exists():
        if create_private(store, make()):  # another process may just have made it: then it is kept
            # Loudly: a generated key is a development key, and it lives next to the database.
            print(f"haven: generated the development secret {name} in {store}", file=sys.stderr)
    return store.read_text().strip()


def keyring(value: str) -> dict[int, str]:
    """A versioned keyring, ``"2:newer-key,1:older-key"``; a bare key is version 1. The newest version
    signs, the older ones still verify what they signed (the audit chain: docs/runbooks/keys.md)."""
    keys: dict[int, str] = {}
    for item in value.split(","):
        version, sep, key = item.strip().partition(":")
        if not sep:
            version, key = "1", version
        if not version.isdigit() or int(version) < 1 or int(version) in keys or not key:
            raise ImproperlyConfigured("a keyring entry is not VERSION:KEY, or repeats a version")
        keys[int(version)] = key
    return keys


# Keys shorter than this are guessable or a placeholder (`HAVEN_INDEX_KEY=x`).
MINIMUM_KEY_LENGTH = 32


def require_distinct_strong_keys(**keys: str) -> None:
    """Each key long enough to resist guessing, and no key used for two purposes: a PIN's blind index
    under the audit key, or a session key that also signs the audit chain, would tie their fates."""
    seen: dict[str, str] = {}
    for name, key in keys.items():
        if len(key) < MINIMUM_KEY_LENGTH:
            raise ImproperlyConfigured(f"{name} is too short: at least {MINIMUM_KEY_LENGTH} characters")
        if key in seen:
            raise ImproperlyConfigured(f"{name} and {seen[key]} are the same key: give each its own")
        seen[key] = name


def credential(name: str) -> str:
    """A credential another system issued to Haven (``NAME`` or the file named by ``NAME_FILE``), or
    "" when none is given: unlike a secret of Haven's own, it cannot be made up here."""
    if value := os.environ.get(name):
        return value.strip()
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return ""


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
