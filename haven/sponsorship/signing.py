"""The ledger's Ed25519 key (HAVEN_LEDGER_KEY, a versioned ring: docs/runbooks/keys.md).

The newest version signs new checkpoints; every version's public half is published at /ledger/keys,
so a checkpoint signed before a rotation still verifies. The private keys never leave the settings.
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def canonical(value: object) -> bytes:
    """The one byte form of everything the ledger hashes or signs: UTF-8 JSON, keys sorted, no spaces."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@cache
def _private(version: int, secret: str) -> Ed25519PrivateKey:
    try:
        seed = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(
            f"HAVEN_LEDGER_KEY version {version} is not 32 bytes in base64: "
            "make one with `haven keys new ledger`"
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def private(version: int | None = None) -> tuple[int, Ed25519PrivateKey]:
    version = version or settings.HAVEN_LEDGER_KEY_VERSION
    return version, _private(version, settings.HAVEN_LEDGER_KEYS[version])


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_keys() -> dict[int, str]:
    """Every version's public key (base64 of the 32 raw bytes), newest first."""
    versions = sorted(settings.HAVEN_LEDGER_KEYS, reverse=True)
    return {v: public_b64(private(v)[1].public_key()) for v in versions}


def sign(message: bytes) -> tuple[int, str]:
    version, key = private()
    return version, base64.b64encode(key.sign(message)).decode()


def verify(public_key_b64: str, message: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is an Ed25519 signature of ``message`` by the key (both base64)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
