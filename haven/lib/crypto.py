"""Field encryption and blind indexes, with keys of their own (never SECRET_KEY).

A PIN is stored twice: encrypted (Fernet: AES-128-CBC + HMAC-SHA256, rotatable with MultiFernet)
so it can be shown to those allowed, and as an HMAC-SHA256 "blind index" so that an exact lookup
("who has PIN 001...?") works without decrypting every row. The field keys are a ring, newest first:
the newest encrypts, every one decrypts, and `haven keys rotate field` moves every value to the newest.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys])


def encrypt(plaintext: str, *, keys: list[str]) -> str:
    return _fernet(tuple(keys)).encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, keys: list[str]) -> str:
    return _fernet(tuple(keys)).decrypt(token.encode()).decode()


def rotate(token: str, *, keys: list[str]) -> str | None:
    """The token re-encrypted under the newest key (the first), or None if it already is: the other
    keys only decrypt. Raises InvalidToken if no key of the ring opens it."""
    try:
        Fernet(keys[0].strip().encode()).decrypt(token.encode())
    except InvalidToken:
        return _fernet(tuple(keys)).rotate(token.encode()).decode()
    return None


def blind_index(value: str, *, key: str, purpose: str) -> str:
    """Keyed hash of ``value``; ``purpose`` separates indexes so one cannot be joined to another."""
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
