"""The population register service: a stand-in for the national register's interface (`haven popreg serve`).

A separate process with its own port and its own SQLite database (never Haven's), so that Haven meets
it only over HTTP, as it would meet the Ministry of Public Security's. Framework-free: a WSGI
application over stdlib sqlite3, served by wsgiref with one thread per request (decision 0008).

    GET  /health                      {"status": "ok"}
    POST /persons/lookup              {"pin"}: one person, with parents and household
    POST /persons/search              {"family_name", "middle_name", "given_name", "name", "sex",
                                      "date_of_birth", "commune_code", "limit"}: a search; names are
                                      matched without diacritics ("Hoà" = "hoa")
    GET  /households/<id>             the members of a household
    POST /births                      register a birth (header Idempotency-Key) and receive its PIN
    GET  /extract?province_code=      every person (of one province, or all), as CSV in the link-file
                                      columns plus old_commune_code, streamed (for `haven link run`)

Every call, /health included, needs a client token (``Authorization: Bearer``, clients.py): 401
without a valid one, 403 when the client's scopes do not cover the operation (``lookup`` for the
persons and households, ``register`` for births, ``extract`` for the extract), 429 with Retry-After
past the client's rate. Every call of an authenticated client is written to the access log.

A PIN or a name is sent in the body, never in the address: addresses are what access logs and proxies
record (security review 2026-12, finding 16).

Errors are JSON, ``{"error": {"code": ..., "message": ..., "field": ...}}``, with 400 for bad input
(invalid PIN, impossible date, unknown commune...), 404 for an unknown person, 409 when an
idempotency key is reused for a different birth. Nothing is guessed: a wrong value is refused.

The service listens on a loopback address over plain HTTP, or anywhere over TLS (a certificate and
its key); never on the network in clear.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import ipaddress
import json
import logging
import re
import secrets
import socket
import socketserver
import sqlite3
import ssl
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from haven.core import clock
from haven.lib import pin as pins
from haven.lib.vietnamese import nfc
from haven.population import clients, store

log = logging.getLogger("haven.popreg")

MAX_BODY = 64 * 1024
# The extract's number of people, sent before the rows (haven.population.register.EXTRACT_ROWS_HEADER;
# this process does not load Django).
EXTRACT_ROWS_HEADER = "X-Extract-Rows"
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
EARLIEST_BIRTH = dt.date(1900, 1, 1)
_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")
_COMMUNE = re.compile(r"^\d{5}$")
_PROVINCE = re.compile(r"^\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The link-file columns (haven/linkage/features.py INPUT_COLUMNS) and the optional pre-2025 commune.
EXTRACT_COLUMNS = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "pin",
    "commune_code",
    "province_code",
    "mother_name",
    "father_name",
    "old_commune_code",
)
# A cell a spreadsheet would run as a formula starts with one of these (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Connections served at once (one thread each), and how long a silent connection is kept.
MAX_CONNECTIONS = 64
SOCKET_TIMEOUT = 30.0
STATUS = {
    200: "200 OK",
    201: "201 Created",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    409: "409 Conflict",
    413: "413 Content Too Large",
    429: "429 Too Many Requests",
    500: "500 Internal Server Error",
}


class Problem(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or []


def _bad(code: str, message: str, field: str | None = None) -> Problem:
    return Problem(400, code, message, field)


class Register:
    """The register's behaviour over its database; one SQLite connection per thread."""

    # The register keeps its own time, as the national one would: a demo that moves Haven's clock
    # does not move the register's (haven/core/clock.py, ``real_now``).
    def __init__(self, database: str | Path, *, today: Callable[[], dt.date] = clock.real_today) -> None:
        self.database = str(database)
        self.today = today
        self._local = threading.local()
        store.create(self.db)
        store.index(self.db)

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = store.connect(self.database)
        return db

    # --- reading ---------------------------------------------------------------------------------

    def person(self, pin: str) -> dict:
        value = _pin(pin, "pin")
        row = self.db.execute("SELECT * FROM person WHERE pin = ?", (value,)).fetchone()
        if row is None:
            raise Problem(404, "not_found", "No person has this PIN.", "pin")
        return self._full(row)

    def household(self, household_id: str) -> dict:
        rows = self.db.execute(
            "SELECT * FROM person WHERE household_id = ? ORDER BY date_of_birth, id", (household_id,)
        ).fetchall()
        if not rows:
            raise Problem(404, "not_found", "No household has this identifier.", "household_id")
        return {"household_id": household_id, "members": [_person(r) for r in rows]}

    def search(self, query: dict[str, str]) -> dict:
        known = {"family_name", "middle_name", "given_name", "name", "sex", "date_of_birth", "commune_code"}
        unknown = sorted(set(query) - known - {"limit"})
        if unknown:
            raise _bad("unknown_parameter", f"Unknown search parameter: {unknown[0]}.", unknown[0])
        where, args = [], []
        parts = {k: store.name_key(query.get(k, "")) for k in ("family_name", "middle_name", "given_name")}
        if query.get("name"):
            tokens = store.name_key(query["name"]).split()
            if len(tokens) < 2:
                raise _bad("name_too_short", "Give at least a family name and a given name.", "name")
            parts = {
                "family_name": tokens[0],
                "middle_name": " ".join(tokens[1:-1]),
                "given_name": tokens[-1],
            }
        for part, column in zip(parts, store.KEY_COLUMNS, strict=True):
            if parts[part]:
                where.append(f"{column} = ?")
                args.append(parts[part])
        if query.get("sex"):
            where.append("sex = ?")
            args.append(_sex(query["sex"]))
        if query.get("date_of_birth"):
            where.append("date_of_birth = ?")
            args.append(_date(query["date_of_birth"], "date_of_birth", self.today()).isoformat())
        if not (parts["given_name"] or parts["family_name"]):
            raise _bad(
                "too_broad",
                "Give a name; a date of birth, sex and commune alone match too many people.",
            )
        if query.get("commune_code"):
            code = self._commune(query["commune_code"], "commune_code", current_only=False)
            where.append("(commune_code = ? OR old_commune_code = ?)")
            args += [code, code]
        limit = _limit(query.get("limit"))
        rows = self.db.execute(
            f"SELECT * FROM person WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",  # noqa: S608
            (*args, limit + 1),
        ).fetchall()
        return {"results": [_person(r) for r in rows[:limit]], "truncated": len(rows) > limit}

    def extract(self, query: dict[str, str]) -> tuple[int, Iterable[bytes]]:
        """The people of one province (or of the whole register) in the link-file columns, as CSV
        lines, streamed: a national extract never sits in memory. Checked before the first byte is
        sent, so a bad province code is a 400, not a cut answer."""
        unknown = sorted(set(query) - {"province_code"})
        if unknown:
            raise _bad("unknown_parameter", f"Unknown parameter: {unknown[0]}.", unknown[0])
        province = query.get("province_code", "").strip()
        if province and not _PROVINCE.match(province):
            raise _bad("invalid_province", "A province code has two digits.", "province_code")
        if (
            province
            and not self.db.execute(
                "SELECT 1 FROM commune WHERE province_code = ? LIMIT 1", (province,)
            ).fetchone()
        ):
            raise _bad("unknown_province", f"No province has the code {province}.", "province_code")
        where, args = ("WHERE province_code = ?", (province,)) if province else ("", ())
        # Its own connection: the generator outlives the request thread's turn at the shared one.
        # One read transaction: the number of rows announced (EXTRACT_ROWS_HEADER) is the number sent,
        # so that a client can tell a whole extract from one cut between two chunks.
        db = store.connect(self.database)
        db.execute("BEGIN")
        count = db.execute(f"SELECT count(*) FROM person {where}", args).fetchone()[0]  # noqa: S608
        cursor = db.execute(
            f"SELECT {', '.join(EXTRACT_COLUMNS)} FROM person {where} ORDER BY id",  # noqa: S608
            args,
        )

        def lines() -> Iterable[bytes]:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(EXTRACT_COLUMNS)
            try:
                while rows := cursor.fetchmany(5000):
                    for row in rows:
                        writer.writerow(
                            [
                                {"M": "M", "F": "F"}.get(row[c], "U") if c == "sex" else _cell(row[c])
                                for c in EXTRACT_COLUMNS
                            ]
                        )
                    yield out.getvalue().encode("utf-8")
                    out.seek(0)
                    out.truncate()
                if out.tell():
                    yield out.getvalue().encode("utf-8")
            finally:
                db.rollback()
                db.close()

        return count, lines()

    def _full(self, row: sqlite3.Row) -> dict:
        out = _person(row)
        for parent in ("mother", "father"):
            parent_id = row[f"{parent}_id"]
            found = (
                parent_id and self.db.execute("SELECT * FROM person WHERE id = ?", (parent_id,)).fetchone()
            )
            out[parent] = _ref(found) if found else None
        children = self.db.execute(
            # "!= ''" lets SQLite use the partial indexes on the parents' identifiers.
            "SELECT * FROM person WHERE mother_id = ? AND mother_id != '' "
            "UNION SELECT * FROM person WHERE father_id = ? AND father_id != ''",
            (row["id"], row["id"]),
        ).fetchall()
        out["children"] = [_ref(c) for c in sorted(children, key=lambda c: (c["date_of_birth"], c["id"]))]
        return out

    def _commune(self, value: str, field: str, *, current_only: bool) -> str:
        value = str(value).strip()
        if not _COMMUNE.match(value):
            raise _bad("invalid_commune", "A commune code has five digits.", field)
        row = self.db.execute("SELECT current FROM commune WHERE code = ?", (value,)).fetchone()
        if row is None or (current_only and not row["current"]):
            raise _bad("unknown_commune", f"No commune has the code {value}.", field)
        return value

    # --- registering a birth ---------------------------------------------------------------------

    def register_birth(self, body: dict, idempotency_key: str | None) -> tuple[int, dict]:
        if not idempotency_key or not _KEY.match(idempotency_key):
            raise _bad(
                "idempotency_key", "Send an Idempotency-Key header of 1 to 64 visible ASCII characters."
            )
        # The key names the birth, not its spelling: the hash is of the validated, normalised birth, so
        # a retry that differs only in Unicode form or in null for "" replays the same answer.
        birth = self._birth(body)
        request_hash = _birth_hash(birth)
        replay = self._replay(idempotency_key, request_hash)
        if replay is not None:
            return 200, replay
        db = self.db
        db.execute("BEGIN IMMEDIATE")  # one writer at a time: the key and the PIN are checked, then taken
        try:
            replay = self._replay(idempotency_key, request_hash)
            if replay is not None:
                db.execute("ROLLBACK")
                return 200, replay
            digit = pins.century_sex_digit(
                birth_year=birth["born"].year, sex="female" if birth["sex"] == "F" else "male"
            )
            prefix = f"{int(birth['registration_province']):03d}{digit}{birth['born'].year % 100:02d}"
            while True:
                value = prefix + f"{secrets.randbelow(1_000_000):06d}"
                if db.execute("SELECT 1 FROM person WHERE pin = ?", (value,)).fetchone() is None:
                    break
            person_id = "B" + secrets.token_hex(8)
            mother, father = birth["mother"], birth["father"]
            household = mother["household_id"] if mother else (father["household_id"] if father else "")
            db.execute(
                store.INSERT_PERSON,
                store.person_row(
                    {
                        "id": person_id,
                        "family_name": birth["family_name"],
                        "middle_name": birth["middle_name"],
                        "given_name": birth["given_name"],
                        "sex": birth["sex"],
                        "date_of_birth": birth["born"].isoformat(),
                        "dob_estimated": "1" if birth["estimated"] else "0",
                        "pin": value,
                        "commune_code": birth["registration_commune"],
                        "province_code": birth["registration_province"],
                        "household_id": household or "H" + person_id[1:],
                        "mother_id": mother["id"] if mother else "",
                        "father_id": father["id"] if father else "",
                        "mother_name": _name(mother) if mother else birth["mother_name"],
                        "father_name": _name(father) if father else birth["father_name"],
                    }
                ),
            )
            db.execute(
                "INSERT INTO birth VALUES (?, ?, ?, ?)",
                (idempotency_key, request_hash, person_id, clock.real_now().isoformat()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        row = db.execute("SELECT * FROM person WHERE id = ?", (person_id,)).fetchone()
        return 201, self._full(row)

    def _replay(self, key: str, request_hash: str) -> dict | None:
        answered = self.db.execute(
            "SELECT b.request_hash, p.* FROM birth b JOIN person p ON p.id = b.person_id "
            "WHERE b.idempotency_key = ?",
            (key,),
        ).fetchone()
        if answered is None:
            return None
        if answered["request_hash"] != request_hash:
            raise Problem(
                409,
                "idempotency_conflict",
                "This Idempotency-Key was used for a different birth; a key names one birth.",
            )
        return self._full(answered)

    def _birth(self, body: dict) -> dict:
        if not isinstance(body, dict):
            raise _bad("invalid_body", "Send a JSON object.")
        allowed = {
            "family_name", "middle_name", "given_name", "sex", "date_of_birth", "dob_estimated",
            "registration_province", "registration_commune", "mother_pin", "father_pin", "mother_name",
            "father_name",
        }  # fmt: skip
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise _bad("unknown_field", f"Unknown field: {unknown[0]}.", unknown[0])
        for field in body:
            if field != "dob_estimated" and not isinstance(body[field], str | type(None)):
                raise _bad("invalid_type", f"{field} must be a string.", field)
        text = {k: nfc(body.get(k) or "") for k in allowed - {"dob_estimated"}}
        for field in ("family_name", "given_name"):
            if not text[field]:
                raise _bad("required", f"{field} is required.", field)
        for field in ("family_name", "middle_name", "given_name", "mother_name", "father_name"):
            if len(text[field]) > 100:
                raise _bad("too_long", f"{field} is longer than 100 characters.", field)
            raw = body.get(field) or ""  # before whitespace is collapsed: a newline is a control too
            if any(c.isdigit() or unicodedata.category(c)[0] == "C" for c in raw):
                raise _bad("invalid_name", f"{field} must not contain digits or control characters.", field)
            if text[field].startswith(FORMULA_START):
                raise _bad("invalid_name", f"{field} must not start with = + - or @.", field)
        today = self.today()
        born = _date(text["date_of_birth"], "date_of_birth", today)
        province = text["registration_province"]
        if not _PROVINCE.match(province):
            raise _bad("invalid_province", "A province code has two digits.", "registration_province")
        commune = self._commune(text["registration_commune"], "registration_commune", current_only=True)
        in_province = self.db.execute(
            "SELECT province_code FROM commune WHERE code = ?", (commune,)
        ).fetchone()
        if in_province["province_code"] != province:
            raise _bad(
                "commune_not_in_province",
                f"Commune {commune} is not in province {province}.",
                "registration_commune",
            )
        parents = {}
        for parent, sex in (("mother", "F"), ("father", "M")):
            if text[f"{parent}_pin"]:
                value = _pin(text[f"{parent}_pin"], f"{parent}_pin")
                row = self.db.execute("SELECT * FROM person WHERE pin = ?", (value,)).fetchone()
                if row is None:
                    raise _bad("unknown_parent", f"No person has the {parent}'s PIN.", f"{parent}_pin")
                if row["sex"] != sex or row["date_of_birth"] >= born.isoformat():
                    raise _bad(
                        "parent_mismatch",
                        f"The person with this PIN cannot be the child's {parent}.",
                        f"{parent}_pin",
                    )
                parents[parent] = row
            else:
                parents[parent] = None
        estimated = body.get("dob_estimated", False)
        if not isinstance(estimated, bool):
            raise _bad("invalid_type", "dob_estimated must be true or false.", "dob_estimated")
        return {
            **text,
            "mother_pin": parents["mother"]["pin"] if parents["mother"] else "",
            "father_pin": parents["father"]["pin"] if parents["father"] else "",
            "sex": _sex(text["sex"]),
            "born": born,
            "estimated": estimated,
            "registration_commune": commune,
            "mother": parents["mother"],
            "father": parents["father"],
        }


def _birth_hash(birth: dict) -> str:
    fields = (
        "family_name", "middle_name", "given_name", "sex", "registration_province",
        "registration_commune", "mother_pin", "father_pin", "mother_name", "father_name",
    )  # fmt: skip
    normal = {k: birth[k] for k in fields}
    normal["date_of_birth"], normal["dob_estimated"] = birth["born"].isoformat(), birth["estimated"]
    return hashlib.sha256(json.dumps(normal, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _pin(value: str, field: str) -> str:
    try:
        return pins.parse(str(value)).value
    except pins.InvalidPin as error:
        reasons = {
            "digits": "A PIN is made of digits only.",
            "length": "A PIN has 12 digits.",
            "province": "A PIN starts with the code of a province.",
        }
        raise _bad("invalid_pin", reasons.get(error.reason, "This is not a valid PIN."), field) from error


def _sex(value: str) -> str:
    value = str(value).strip().upper()
    if value not in ("M", "F"):
        raise _bad("invalid_sex", "Sex is M or F.", "sex")
    return value


def _date(value: str, field: str, today: dt.date) -> dt.date:
    value = str(value).strip()
    if not _DATE.match(value):
        raise _bad("invalid_date", f"{value!r} is not a date written YYYY-MM-DD.", field)
    try:
        born = dt.date.fromisoformat(value)
    except ValueError as error:
        raise _bad("impossible_date", f"{value} is not a day of the calendar.", field) from error
    if born > today:
        raise _bad("future_date", "A date of birth cannot be in the future.", field)
    if born < EARLIEST_BIRTH:
        raise _bad("impossible_date", "A date of birth before 1900 is not possible here.", field)
    return born


def _limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    if not str(value).isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _bad("invalid_limit", f"limit is a number from 1 to {MAX_LIMIT}.", "limit")
    return int(value)


def _cell(value: object) -> object:
    """A text cell a spreadsheet would take for a formula, made plain text by a leading apostrophe.
    Births refuse such names; people loaded another way may still carry one."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _name(row: sqlite3.Row) -> str:
    return " ".join(p for p in (row["family_name"], row["middle_name"], row["given_name"]) if p)


def _ref(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "pin": row["pin"], "name": _name(row), "sex": row["sex"]}


def _person(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "pin": row["pin"],
        "family_name": row["family_name"],
        "middle_name": row["middle_name"],
        "given_name": row["given_name"],
        "full_name": _name(row),
        "sex": row["sex"],
        "date_of_birth": row["date_of_birth"],
        "dob_estimated": row["dob_estimated"] == "1",
        "commune_code": row["commune_code"],
        "province_code": row["province_code"],
        "old_commune_code": row["old_commune_code"],
        "household_id": row["household_id"],
        "mother_id": row["mother_id"],
        "father_id": row["father_id"],
        "mother_name": row["mother_name"],
        "father_name": row["father_name"],
    }


# --- HTTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """What a request asks for: the operation (as the access log names it), the scope it needs, the
    key it is about (a PIN, a household, a search, an idempotency key, a province) and how to answer."""

    operation: str
    scope: str | None
    key: str
    run: Callable[[], tuple]


@dataclass(frozen=True)
class _Stream:
    count: int
    lines: Iterable[bytes]


class Application:
    """The WSGI application: the caller is authenticated, rate-limited and authorised, then answered;
    the call is logged before the answer leaves (no log, no answer)."""

    def __init__(self, register: Register, gate: clients.Gate | None = None) -> None:
        self.register = register
        self.gate = gate or clients.Gate(register.database)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        caller: clients.Caller | None = None
        endpoint: Endpoint | None = None
        headers: list[tuple[str, str]] = []
        try:
            caller = self._authenticate(environ)
            endpoint = self.endpoint(environ)
            wait = self.gate.wait(caller)
            if wait:
                raise Problem(
                    429,
                    "rate_limited",
                    f"Too many requests; try again in {wait:.0f} s.",
                    headers=[("Retry-After", f"{wait:.0f}")],
                )
            if endpoint.scope and endpoint.scope not in caller.scopes:
                raise Problem(403, "forbidden", f"This client is not allowed the {endpoint.scope} operation.")
            answer = endpoint.run()
            if isinstance(answer, _Stream):
                self._record(caller, endpoint, 200, environ)
                start_response(
                    STATUS[200],
                    [("Content-Type", "text/csv; charset=utf-8"), (EXTRACT_ROWS_HEADER, str(answer.count))],
                )
                return answer.lines
            status, body = answer
            self._record(caller, endpoint, status, environ)
        except Problem as problem:
            status, headers = problem.status, problem.headers
            body = {"error": {"code": problem.code, "message": problem.message, "field": problem.field}}
            try:
                self._record(caller, endpoint, status, environ)
            except Exception:
                status, headers, body = 500, [], _internal()
                log.exception("population register: the access log could not be written")
        except Exception:
            log.exception("population register: unexpected error")
            status, body = 500, _internal()
            try:  # nothing was answered, but the call was made: recorded when the log can be written
                self._record(caller, endpoint, status, environ)
            except Exception:
                log.exception("population register: the access log could not be written")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start_response(
            STATUS[status],
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(payload))),
                *headers,
            ],
        )
        return [payload]

    def _authenticate(self, environ: dict) -> clients.Caller:
        try:
            return self.gate.authenticate(environ.get("HTTP_AUTHORIZATION"))
        except clients.Unauthenticated as refused:
            log.warning(
                "population register: refused %s %s from %s (%s)",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO", ""),
                environ.get("REMOTE_ADDR", ""),
                refused.code,
            )
            raise Problem(
                401,
                refused.code,
                refused.message,
                headers=[("WWW-Authenticate", 'Bearer realm="population-register"')],
            ) from None

    def _record(
        self, caller: clients.Caller | None, endpoint: Endpoint | None, status: int, environ: dict
    ) -> None:
        if caller is None or endpoint is None or endpoint.operation == "health":
            return
        self.gate.record(caller, endpoint.operation, endpoint.key, status, environ.get("REMOTE_ADDR", ""))

    def endpoint(self, environ: dict) -> Endpoint:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "").rstrip("/") or "/"
        parts = path.strip("/").split("/")
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        register = self.register

        def get(answer: Callable[[], tuple]) -> Callable[[], tuple]:
            def run() -> tuple:
                _only(method, "GET")
                return answer()

            return run

        def post(answer: Callable[[], tuple]) -> Callable[[], tuple]:
            def run() -> tuple:
                _only(method, "POST")
                return answer()

            return run

        def posted() -> dict[str, str]:
            """The body of a lookup or a search, its values as text (as a query string's were)."""
            if method != "POST":
                return {}
            body = _json(environ)
            if not isinstance(body, dict):
                raise _bad("invalid_json", "The request body must be a JSON object.")
            return {str(k): "" if v is None else str(v) for k, v in body.items()}

        def moved() -> tuple:
            raise Problem(
                405,
                "method_not_allowed",
                "Use POST /persons/lookup or POST /persons/search: a PIN or a name never goes in an address.",
            )

        def birth() -> tuple:
            _only(method, "POST")
            return register.register_birth(_json(environ), environ.get("HTTP_IDEMPOTENCY_KEY"))

        def unknown() -> tuple:
            raise Problem(404, "no_such_endpoint", f"No endpoint {path}.")

        if path == "/health":
            return Endpoint("health", None, "", get(lambda: (200, {"status": "ok"})))
        if path == "/persons/lookup":
            asked = posted()
            pin = asked.get("pin", "")
            return Endpoint("person", "lookup", pin, post(lambda: (200, register.person(pin))))
        if path == "/persons/search":
            asked = posted()
            search = post(lambda: (200, register.search(asked)))
            return Endpoint("search", "lookup", urlencode(sorted(asked.items())), search)
        if path == "/persons" or (len(parts) == 2 and parts[0] == "persons"):
            return Endpoint("moved", None, "", moved)
        if len(parts) == 2 and parts[0] == "households":
            return Endpoint("household", "lookup", parts[1], get(lambda: (200, register.household(parts[1]))))
        if path == "/births":
            return Endpoint("birth", "register", environ.get("HTTP_IDEMPOTENCY_KEY") or "", birth)
        if path == "/extract":
            return Endpoint(
                "extract",
                "extract",
                query.get("province_code") or "all",
                get(lambda: _Stream(*register.extract(query))),
            )
        return Endpoint("unknown", None, path, unknown)


def _internal() -> dict:
    return {"error": {"code": "internal", "message": "The register failed; try again.", "field": None}}


def _only(method: str, allowed: str) -> None:
    if method != allowed:
        raise Problem(405, "method_not_allowed", f"Use {allowed}.")


def _json(environ: dict) -> dict:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length < 0:  # read(-1) would wait for the client to close the connection
        raise _bad("invalid_length", "The Content-Length header is negative.")
    if length > MAX_BODY:
        raise Problem(413, "too_large", "The request body is too large.")
    try:
        return json.loads(environ["wsgi.input"].read(length) or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise _bad("invalid_json", "The request body is not JSON.") from error


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    """One thread a connection, at most MAX_CONNECTIONS at once (more are closed at once), each with a
    time-out, so that idle or slow connections cannot hold threads without end; TLS when configured,
    its handshake in the connection's thread, never in the one that accepts."""

    daemon_threads = True
    allow_reuse_address = True
    ssl_context: ssl.SSLContext | None = None

    def server_activate(self) -> None:
        super().server_activate()
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: socket.socket, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            log.warning("population register: %d connections open; one refused", MAX_CONNECTIONS)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def finish_request(self, request: socket.socket, client_address) -> None:
        request.settimeout(SOCKET_TIMEOUT)
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            secure = self.ssl_context.wrap_socket(request, server_side=True)
        except OSError as error:  # ssl.SSLError and time-outs included
            log.info("population register: no TLS with %s: %s", client_address[0], error)
            return
        try:
            super().finish_request(secure, client_address)
        finally:
            self.shutdown_request(secure)

    def handle_error(self, request, client_address) -> None:
        log.warning("population register: connection from %s ended badly", client_address[0], exc_info=True)


class _Quiet(WSGIRequestHandler):
    timeout = None  # set on the connection before the TLS handshake (_Server.finish_request)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The path without its query, and without a PIN a client still put in it: a search's names and
        # a PIN do not go to the process log (the access log, in the register's database, has what
        # was looked up, with the caller).
        path = re.sub(r"\d{9,}", "…", self.path.partition("?")[0])
        log.info("%s %s %s %s", self.address_string(), self.command, path, code)

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.address_string(), format % args)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(certificate: str | Path, key: str | Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificate, key)
    return context


def server(
    database: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    certificate: str | Path | None = None,
    key: str | Path | None = None,
) -> WSGIServer:
    """A threaded HTTP server for the register over ``database`` (port 0 picks a free port): plain
    HTTP on a loopback address only, HTTPS with ``certificate`` and ``key``. ValueError otherwise."""
    if (certificate is None) != (key is None):
        raise ValueError("give both a certificate and its key")
    if certificate is None and not is_loopback(host):
        raise ValueError(
            f"the register answers on {host} only over TLS: give a certificate and its key, "
            "or listen on 127.0.0.1"
        )
    context = tls_context(certificate, key) if certificate is not None and key is not None else None
    httpd = make_server(
        host, port, Application(Register(database)), server_class=_Server, handler_class=_Quiet
    )
    httpd.ssl_context = context
    return httpd
