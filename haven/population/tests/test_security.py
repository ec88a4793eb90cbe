"""The register answers no anonymous caller: signed, expiring tokens, scopes per operation, a rate per
client, every call logged with its caller; formulas neutralised in the extract; the service on the
network only over TLS, with bounded threads (security review 2026-12, findings 2, 19 and 21)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
import socket
import sqlite3
import stat
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from haven.core import clock
from haven.population import checks, clients, service
from haven.population.client import HttpRegister
from haven.population.register import PersonQuery, RegisterUnauthorised, RegisterUnavailable

from .conftest import running
from .test_client import NOTICE
from .test_service import BIRTH, call, person_by_pin, someone


def people(db_path) -> int:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        db.close()


def access_log(db_path) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT client, operation, key, status FROM access_log ORDER BY id").fetchall()
    finally:
        db.close()


def get(url: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict, bytes]:
    """Status, headers and body of a GET (for the extract, which is CSV, not JSON), or of a POST of
    ``body``."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url + path, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- authentication ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [("/health", None), ("/persons/lookup", {"pin": "001218000001"}),
     ("/persons/search", {"name": "Nguyen An"}), ("/extract", None), ("/nowhere", None), ("/births", BIRTH)],
)  # fmt: skip
def test_an_anonymous_caller_is_refused_everything(register_url, register_db, path, body):
    before = people(register_db)
    status, answer = call(register_url, path, body=body, key="anonymous", token="")
    assert status == 401 and answer["error"]["code"] == "unauthenticated"
    assert people(register_db) == before and access_log(register_db) == []


def test_a_refused_token_says_how_to_authenticate(register_url):
    status, headers, _body = get(register_url, "/health", "not-a-token")
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(register_url, register_db):
    person = someone(register_db)
    three_days_ago = clock.real_now().timestamp() - 3 * 86_400
    old = clients.issue(register_db, "old", scopes=("lookup",), days=2, now=lambda: three_days_ago)
    status, answer = person_by_pin(register_url, person["pin"], token=old)
    assert status == 401 and answer["error"]["code"] == "token_expired"
    fresh = clients.issue(register_db, "old")  # another token with the client's scopes
    assert person_by_pin(register_url, person["pin"], token=fresh)[0] == 200


def test_a_tampered_or_voided_token_is_refused(register_url, register_db, register_tokens):
    person = someone(register_db)
    lookup = clients.issue(register_db, "lookup-only", scopes=("lookup",))
    version, name, scopes, expires, signature = lookup.split(".")
    forged = [
        f"{version}.{name}.lookup,register,extract.{expires}.{signature}",  # more scopes
        f"{version}.{name}.{scopes}.{int(expires) + 86_400 * 365}.{signature}",  # a later expiry
        f"{version}.haven.{scopes}.{expires}.{signature}",  # another client's name
        f"{version}.{name}.{scopes}.{expires}.{signature[:-2]}AA",  # another signature
        f"{version}.nobody.{scopes}.{expires}.{signature}",
    ]
    for token in forged:
        status, answer = person_by_pin(register_url, person["pin"], token=token)
        assert status == 401 and answer["error"]["code"] == "invalid_token", token
    assert person_by_pin(register_url, person["pin"], token=lookup)[0] == 200
    clients.issue(register_db, "lookup-only", scopes=("lookup",), replace=True)  # a new secret
    assert person_by_pin(register_url, person["pin"], token=lookup)[0] == 401
    assert clients.revoke(register_db, "haven")
    assert person_by_pin(register_url, person["pin"], token=register_tokens["haven"])[0] == 401


# --- permissions per operation -------------------------------------------------------------------------


def test_a_lookup_client_cannot_register_births_or_take_the_extract(register_url, register_db):
    lookup = clients.issue(register_db, "lookup-only", scopes=("lookup",))
    before = people(register_db)
    status, answer = call(register_url, "/births", body=BIRTH, key="not-allowed", token=lookup)
    assert status == 403 and answer["error"]["code"] == "forbidden"
    assert people(register_db) == before
    assert get(register_url, "/extract", lookup)[0] == 403
    assert person_by_pin(register_url, someone(register_db)["pin"], token=lookup)[0] == 200


def test_haven_cannot_take_the_extract_and_the_linkage_job_can_do_nothing_else(
    register_url, register_db, register_tokens
):
    assert get(register_url, "/extract", register_tokens["haven"])[0] == 403
    assert get(register_url, "/extract?province_code=01", register_tokens["linkage"])[0] == 200
    linkage = register_tokens["linkage"]
    assert person_by_pin(register_url, someone(register_db)["pin"], token=linkage)[0] == 403
    assert call(register_url, "/births", body=BIRTH, key="linkage", token=linkage)[0] == 403


def test_narrowing_a_client_narrows_the_tokens_it_already_holds(register_url, register_db):
    both = clients.issue(register_db, "narrowed", scopes=("lookup", "register"))
    db = sqlite3.connect(register_db)
    db.execute("UPDATE client SET scopes = 'lookup' WHERE name = 'narrowed'")
    db.commit()
    db.close()
    assert call(register_url, "/births", body=BIRTH, key="narrowed", token=both)[0] == 403


# --- rate limits --------------------------------------------------------------------------------------


def test_the_101st_request_in_a_minute_is_refused_with_retry_after(register_db):
    pin = someone(register_db)["pin"]
    busy = clients.issue(register_db, "busy", scopes=("lookup",))
    haven = clients.issue(register_db, "haven")
    # The bucket's clock stands still, so the 101 requests fall in one window however slow the machine.
    gate = clients.Gate(register_db, monotonic=lambda: 0.0)
    application = service.Application(service.Register(register_db), gate)
    httpd = service.make_server(
        "127.0.0.1", 0, application, server_class=service._Server, handler_class=service._Quiet
    )
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}"
    try:
        answers = [get(url, "/persons/lookup", busy, body={"pin": pin}) for _ in range(101)]
        assert [s for s, _h, _b in answers[:100]] == [200] * 100
        status, headers, body = answers[100]
        assert status == 429 and int(headers["Retry-After"]) >= 1 and b"rate_limited" in body
        assert access_log(register_db)[-1] == ("busy", "person", pin, 429)
        assert person_by_pin(url, pin, token=haven)[0] == 200  # another client, another bucket
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_bucket_refills_with_time():
    now = [1000.0]
    gate = clients.Gate(":memory:", monotonic=lambda: now[0])
    caller = clients.Caller(name="c", scopes=frozenset({"lookup"}), rate=60)
    assert all(gate.wait(caller) == 0 for _ in range(60))
    assert gate.wait(caller) == 1  # one a second
    now[0] += 1
    assert gate.wait(caller) == 0 and gate.wait(caller) > 0


# --- the access log -----------------------------------------------------------------------------------


def test_every_lookup_is_logged_with_its_caller(register_url, register_db, register_tokens):
    person = someone(register_db)
    assert person_by_pin(register_url, person["pin"])[0] == 200
    assert call(register_url, "/persons/search", body={"family_name": "Nguyen", "given_name": "An"})[0] == 200
    assert call(register_url, f"/households/{person['household_id']}")[0] == 200
    assert person_by_pin(register_url, "001226999999")[0] == 404
    status, _born = call(register_url, "/births", body=BIRTH, key="logged-birth")
    assert get(register_url, "/extract?province_code=01", register_tokens["linkage"])[0] == 200
    assert person_by_pin(register_url, person["pin"], token=register_tokens["linkage"])[0] == 403
    assert status == 201 and access_log(register_db) == [
        ("haven", "person", person["pin"], 200),
        ("haven", "search", "family_name=Nguyen&given_name=An", 200),
        ("haven", "household", person["household_id"], 200),
        ("haven", "person", "001226999999", 404),
        ("haven", "birth", "logged-birth", 201),
        ("linkage", "extract", "01", 200),
        ("linkage", "person", person["pin"], 403),
    ]
    db = sqlite3.connect(register_db)
    at = db.execute("SELECT at, remote FROM access_log ORDER BY id LIMIT 1").fetchone()
    db.close()
    assert dt.datetime.fromisoformat(at[0]).tzinfo is not None and at[1] == "127.0.0.1"


def test_no_answer_leaves_without_its_log_line(register_url, register_db, monkeypatch):
    def broken(self, *args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(clients.Gate, "record", broken)
    status, answer = person_by_pin(register_url, someone(register_db)["pin"])
    assert status == 500 and "pin" not in answer


# --- the extract and formulas -------------------------------------------------------------------------


def test_a_cell_a_spreadsheet_would_run_is_neutralised_in_the_extract(
    register_url, register_db, register_tokens
):
    db = sqlite3.connect(register_db)
    names = {'=HYPERLINK("http://x")': "F1", "+cmd": "F2", "-2+3": "F3", "@SUM(A1)": "F4"}
    for family, person_id in names.items():
        db.execute(
            "UPDATE person SET family_name = ?, mother_name = ? WHERE id = "
            "(SELECT id FROM person WHERE province_code = '01' ORDER BY id LIMIT 1 OFFSET ?)",
            (family, family, int(person_id[1:])),
        )
    db.commit()
    db.close()
    status, _headers, body = get(register_url, "/extract?province_code=01", register_tokens["linkage"])
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    cells = [value for row in rows for value in row.values()]
    for family in names:
        assert "'" + family in cells
        assert family not in cells
    assert not [c for c in cells if c and c[0] in "=+-@"]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+Lan", "-Lan", "@Lan"])
def test_a_birth_named_like_a_formula_is_refused(register_url, register_db, name):
    before = people(register_db)
    status, answer = call(register_url, "/births", body={**BIRTH, "given_name": name}, key="formula")
    assert status == 400 and answer["error"]["code"] == "invalid_name"
    assert people(register_db) == before


# --- Haven's client -----------------------------------------------------------------------------------


class Recorder:
    """An HTTP server that notes each request's headers and answers ``status`` (a 302 to ``location``
    when given)."""

    def __init__(self, status: int = 404, location: str = "") -> None:
        self.seen: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.seen.append({**self.headers, "path": self.path})
                payload = b'{"error": {"code": "not_found", "message": "no"}}'
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_havens_client_sends_its_token_and_never_after_a_redirect():
    elsewhere = Recorder()
    redirecting = Recorder(status=302, location=elsewhere.url + "/persons/001226000001")
    try:
        assert HttpRegister(elsewhere.url, token="v1.haven.t").person("001226000001") is None
        assert elsewhere.seen[0]["Authorization"] == "Bearer v1.haven.t"
        with pytest.raises(Exception):  # noqa: B017 (a 3xx is refused, whatever its class)
            HttpRegister(redirecting.url, token="v1.haven.t").person("001226000001")
        assert redirecting.seen[0]["Authorization"] == "Bearer v1.haven.t"
        assert len(elsewhere.seen) == 1  # the redirect was not followed
    finally:
        elsewhere.close()
        redirecting.close()


def test_havens_client_with_its_token_is_answered(register_url, register_db):
    person = someone(register_db)
    assert HttpRegister(register_url).person(person["pin"]).pin == person["pin"]
    assert access_log(register_db)[-1][:2] == ("haven", "person")


@pytest.mark.parametrize(
    ("url", "production"),
    [
        ("http://register.bca.gov.vn", False),
        ("http://10.0.0.5:8765", False),
        ("http://0.0.0.0:8765", False),
        ("ftp://127.0.0.1", False),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765", True),
    ],
)
def test_havens_client_refuses_to_send_its_token_in_clear(url, production):
    with pytest.raises(ImproperlyConfigured, match="HAVEN_POPULATION_REGISTER_URL"):
        HttpRegister(url, token="t", require_https=production)


def test_havens_client_accepts_https_anywhere_and_http_on_this_machine_outside_production():
    HttpRegister("https://register.bca.gov.vn", token="t", require_https=True)
    HttpRegister("http://127.0.0.1:8765", token="t")
    HttpRegister("http://localhost:8765", token="t")
    HttpRegister("http://[::1]:8765", token="t")


def test_without_a_token_nothing_is_sent_and_the_birth_waits():
    recorder = Recorder()
    try:
        register = HttpRegister(recorder.url, token="", attempts=1)
        with pytest.raises(RegisterUnauthorised, match="HAVEN_POPULATION_REGISTER_TOKEN"):
            register.register_birth(NOTICE, idempotency_key="no-token")
        assert recorder.seen == []
    finally:
        recorder.close()


def test_a_refused_token_is_not_retried_and_the_birth_waits(register_url):
    register = HttpRegister(register_url, token="v1.haven.lookup.1.forged", attempts=3, backoff=0)
    with pytest.raises(RegisterUnauthorised) as refused:
        register.register_birth(NOTICE, idempotency_key="forged")
    assert isinstance(refused.value, RegisterUnavailable)  # the outbox keeps it waiting
    assert refused.value.reason.startswith("401 invalid_token")


def test_the_system_check_refuses_a_register_in_clear(settings):
    settings.HAVEN_POPULATION_REGISTER = checks.HTTP_REGISTER
    settings.HAVEN_POPULATION_REGISTER_HTTP = {"url": "http://register.bca.gov.vn", "token": "t"}
    assert [m.id for m in checks.register_service(None)] == ["population.E001"]
    settings.HAVEN_POPULATION_REGISTER_HTTP = {"url": "https://register.bca.gov.vn"}
    assert [m.id for m in checks.register_service(None)] == ["population.W001"]
    settings.HAVEN_POPULATION_REGISTER = "haven.population.register.InProcessRegister"
    assert checks.register_service(None) == []


# --- the service on the network ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "register.local", ""])  # noqa: S104
def test_the_service_listens_beyond_this_machine_only_over_tls(register_db, host):
    with pytest.raises(ValueError, match="only over TLS"):
        service.server(register_db, host=host, port=0)


def self_signed(directory) -> tuple:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "population register (tests)")])
    now = clock.real_now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "register.pem", directory / "register.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_over_tls_haven_is_answered_when_it_trusts_the_registers_certificate(register_db, tmp_path):
    cert, key = self_signed(tmp_path)
    httpd = service.server(register_db, port=0, certificate=cert, key=key)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"https://127.0.0.1:{httpd.server_port}"
    person = someone(register_db)
    try:
        trusting = HttpRegister(url, ca_file=str(cert), require_https=True, attempts=1)
        assert trusting.person(person["pin"]).pin == person["pin"]
        with pytest.raises(RegisterUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            HttpRegister(url, attempts=1, breaker_failures=100).person(person["pin"])
        with socket.create_connection(("127.0.0.1", httpd.server_port), timeout=5) as plain:
            plain.sendall(b"GET /health HTTP/1.0\r\n\r\n")  # in clear: no HTTP answer at all
            try:
                answer = plain.recv(1024)
            except ConnectionResetError:
                answer = b""
            assert b"HTTP/1" not in answer
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_idle_connections_are_bounded_and_dropped(register_db, monkeypatch):
    monkeypatch.setattr(service, "MAX_CONNECTIONS", 2)
    monkeypatch.setattr(service, "SOCKET_TIMEOUT", 1.5)
    with running(register_db) as url:
        port = int(url.rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(2)]
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as third:
            assert third.recv(1) == b""  # closed at once: every slot is held
            assert time.monotonic() - started < 1.0
        for conn in idle:
            assert conn.recv(1) == b""  # dropped after the time-out, not held for ever
            conn.close()
        assert time.monotonic() - started < 6
        deadline = time.monotonic() + 5
        while True:  # the slots come back as the dropped connections' threads end
            try:
                assert call(url, "/health") == (200, {"status": "ok"})
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)


# --- the clients, from the command line ---------------------------------------------------------------


def test_a_token_is_shown_once_or_written_for_its_owner_only(tmp_path, capsys):
    database = tmp_path / "r.sqlite3"
    call_command(
        "popreg", "client", "add", "haven", "--scopes", "lookup,register", "--database", str(database)
    )
    token = capsys.readouterr().out.strip()
    assert token.startswith("v1.haven.lookup,register.")
    secret_file = tmp_path / "secrets" / "haven.token"
    call_command(
        "popreg", "client", "token", "haven", "--days", "1", "--token-file", str(secret_file),
        "--database", str(database),
    )  # fmt: skip
    assert secret_file.read_text().startswith("v1.haven.") and token not in capsys.readouterr().out
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    db = sqlite3.connect(database)
    assert token not in " ".join(str(v) for row in db.execute("SELECT * FROM client") for v in row)
    db.close()
    with pytest.raises(Exception, match="exists"):
        call_command("popreg", "client", "add", "haven", "--scopes", "lookup", "--database", str(database))
    with pytest.raises(Exception, match="unknown scope"):
        call_command("popreg", "client", "add", "x", "--scopes", "everything", "--database", str(database))
    call_command("popreg", "client", "revoke", "haven", "--database", str(database))
    call_command("popreg", "client", "list", "--database", str(database))
    assert "revoked" in capsys.readouterr().out


# --- PINs and names out of addresses (finding 16) --------------------------------------------------


def test_havens_client_sends_a_pin_or_a_name_in_the_body_never_in_the_address():
    register = Recorder(status=404)
    try:
        client = HttpRegister(register.url, token="v1.haven.t")
        assert client.person("001226000001") is None
        with pytest.raises(Exception):  # noqa: B017 (the recorder answers 404 to a search too)
            client.search(PersonQuery(family_name="Nguyễn", given_name="An"))
        assert [seen["path"] for seen in register.seen] == ["/persons/lookup", "/persons/search"]
    finally:
        register.close()


@pytest.mark.parametrize("path", ["/persons/001226000001", "/persons?name=Nguyen+An"])
def test_the_register_answers_no_lookup_in_the_address(register_url, register_db, path):
    status, answer = call(register_url, path)
    assert status == 405 and "POST /persons/lookup" in answer["error"]["message"]
    assert access_log(register_db) == [("haven", "moved", "", 405)]  # the call, not what it named
