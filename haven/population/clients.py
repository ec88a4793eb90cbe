"""Who may ask the population register service what: its clients, their tokens, rate limits and the
access log. Framework-free like the service (stdlib only; no Django).

A national register answers no anonymous caller. Each client (Haven, Haven's linkage job, ...) is a
row of the register's own database with a secret that never leaves it, the operations it may call
(scopes) and its rate. The service gives the client a signed, expiring token once:

    v1.<client>.<scopes>.<expires>.<signature>      e.g. v1.haven.lookup,register.1798761600.Zm9v...

``signature`` is HMAC-SHA256 under the client's secret over the four fields before it, so a token
cannot be altered (another scope, a later expiry) or made without the secret. The client sends it as
``Authorization: Bearer <token>``. A token is worth at most the client's current scopes: narrowing a
client or revoking it takes effect on the next request. Giving a client a new secret (``issue`` with
``replace``) voids every token made before.

Scopes: ``lookup`` (a person by PIN, a search, a household), ``register`` (a birth), ``extract`` (the
CSV extract, for the linkage job only). Every call an authenticated client makes is written to
``access_log``: who, which operation, on what key, when, and the answer's status.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from haven.core import clock
from haven.population import store

SCOPES = ("lookup", "register", "extract")
TOKEN_VERSION = "v1"  # noqa: S105 (the format's version, not a secret)
DEFAULT_DAYS = 90
MAX_DAYS = 366
# Requests a client may make per minute (a token bucket of this many, refilled over a minute).
DEFAULT_RATE = 100
NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class Unauthenticated(Exception):
    """No token, or one the register did not sign, or one that has expired or was revoked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclasses.dataclass(frozen=True)
class Caller:
    name: str
    scopes: frozenset[str]
    rate: int


def _now() -> float:
    return clock.real_now().timestamp()


def parse_scopes(text: str) -> tuple[str, ...]:
    """ "lookup, register" → ("lookup", "register"); ValueError for an unknown or no scope."""
    given = {s.strip() for s in text.split(",") if s.strip()}
    unknown = sorted(given - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}: the scopes are {', '.join(SCOPES)}")
    if not given:
        raise ValueError(f"give at least one scope ({', '.join(SCOPES)})")
    return tuple(s for s in SCOPES if s in given)


def _signature(secret: str, payload: str) -> str:
    mac = hmac.new(bytes.fromhex(secret), payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_for(name: str, secret: str, scopes: tuple[str, ...], expires: int) -> str:
    payload = f"{TOKEN_VERSION}.{name}.{','.join(scopes)}.{expires}"
    return f"{payload}.{_signature(secret, payload)}"


# --- managing clients (`haven popreg client ...`) -----------------------------------------------------


def _open(database: str | Path) -> sqlite3.Connection:
    db = store.connect(database)
    store.create(db)
    return db


def issue(
    database: str | Path,
    name: str,
    *,
    scopes: tuple[str, ...] | None = None,
    days: int = DEFAULT_DAYS,
    rate: int | None = None,
    replace: bool = False,
    now: Callable[[], float] = _now,
) -> str:
    """A token for client ``name``, valid ``days`` days. With ``scopes`` the client is created (or,
    with ``replace``, created again with a new secret, voiding its older tokens); without, the
    existing client gets another token with its current scopes. ValueError when that is not possible."""
    if not NAME.match(name):
        raise ValueError(
            "a client name is 1 to 40 lower-case letters, digits and hyphens, starting with a letter"
        )
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token is valid 1 to {MAX_DAYS} days")
    if rate is not None and not 1 <= rate <= 100_000:
        raise ValueError("the rate is 1 to 100000 requests a minute")
    at = now()
    db = _open(database)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT * FROM client WHERE name = ?", (name,)).fetchone()
            if scopes is not None:
                if row is not None and not replace:
                    raise ValueError(f"the client {name} exists; use --replace to give it a new secret")
                secret = secrets.token_hex(32)
                db.execute(
                    "INSERT OR REPLACE INTO client (name, secret, scopes, rate, created_at, revoked_at) "
                    "VALUES (?, ?, ?, ?, ?, '')",
                    (name, secret, ",".join(scopes), rate or DEFAULT_RATE, _stamp(at)),
                )
            else:
                if row is None or row["revoked_at"]:
                    raise ValueError(f"no client {name}; add it with --scopes")
                secret, scopes = row["secret"], tuple(row["scopes"].split(","))
                if rate is not None:
                    db.execute("UPDATE client SET rate = ? WHERE name = ?", (rate, name))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.close()
    return token_for(name, secret, scopes, int(at) + days * 86_400)


def revoke(database: str | Path, name: str, *, now: Callable[[], float] = _now) -> bool:
    """Void every token of ``name`` at once; False when there is no such client."""
    db = _open(database)
    try:
        done = db.execute(
            "UPDATE client SET revoked_at = ?, secret = ? WHERE name = ? AND revoked_at = ''",
            (_stamp(now()), secrets.token_hex(32), name),
        )
        return done.rowcount == 1
    finally:
        db.close()


def listing(database: str | Path) -> list[dict]:
    db = _open(database)
    try:
        rows = db.execute("SELECT name, scopes, rate, created_at, revoked_at FROM client ORDER BY name")
        return [dict(r) for r in rows]
    finally:
        db.close()


def _stamp(at: float, timespec: str = "seconds") -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec=timespec)


# --- the service's side -----------------------------------------------------------------------------


class Gate:
    """Authentication, rate limits and the access log, over the register's database."""

    def __init__(
        self,
        database: str | Path,
        *,
        now: Callable[[], float] = _now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = str(database)
        self.now, self.monotonic = now, monotonic
        self._local = threading.local()
        self._buckets: dict[str, tuple[float, float]] = {}  # client → (tokens left, when counted)
        self._lock = threading.Lock()

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = store.connect(self.database)
        return db

    def authenticate(self, authorization: str | None) -> Caller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("unauthenticated", "Send a client token: Authorization: Bearer <token>.")
        parts = token.strip().split(".")
        invalid = Unauthenticated("invalid_token", "This token is not one the register issued.")
        if len(parts) != 5 or parts[0] != TOKEN_VERSION or not NAME.match(parts[1]) or not parts[3].isdigit():
            raise invalid
        _version, name, scopes, expires, signature = parts
        row = self.db.execute(
            "SELECT secret, scopes, rate, revoked_at FROM client WHERE name = ?", (name,)
        ).fetchone()
        if row is None or row["revoked_at"]:
            raise invalid
        expected = _signature(row["secret"], f"{TOKEN_VERSION}.{name}.{scopes}.{expires}")
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise invalid
        if int(expires) <= self.now():
            raise Unauthenticated("token_expired", "This token has expired; ask for a new one.")
        return Caller(
            name=name,
            scopes=frozenset(scopes.split(",")) & frozenset(row["scopes"].split(",")),
            rate=int(row["rate"]),
        )

    def wait(self, caller: Caller) -> float:
        """0 when ``caller`` may make a request now (and counts it), else the seconds until it may."""
        per_second = caller.rate / 60
        with self._lock:
            now = self.monotonic()
            tokens, then = self._buckets.get(caller.name, (float(caller.rate), now))
            tokens = min(float(caller.rate), tokens + (now - then) * per_second)
            if tokens >= 1:
                self._buckets[caller.name] = (tokens - 1, now)
                return 0.0
            self._buckets[caller.name] = (tokens, now)
            return max(1.0, math.ceil((1 - tokens) / per_second))

    def record(self, caller: Caller, operation: str, key: str, status: int, remote: str) -> None:
        """One row of the access log; raises if it cannot be written (the answer is then not given)."""
        self.db.execute(
            "INSERT INTO access_log (at, client, operation, key, status, remote) VALUES (?, ?, ?, ?, ?, ?)",
            (_stamp(self.now(), "microseconds"), caller.name, operation, key[:300], status, remote[:64]),
        )
