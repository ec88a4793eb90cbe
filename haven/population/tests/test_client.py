"""HttpRegister against the real service: lost answers, time-outs, the circuit breaker, refusals."""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from haven.lib import pin as pins
from haven.population.client import BreakerOpen, CircuitBreaker, HttpRegister
from haven.population.register import BirthNotice, PersonQuery, RegisterRefused, RegisterUnavailable

from .conftest import free_port, running

NOTICE = BirthNotice(
    family_name="Nguyễn",
    middle_name="Minh",
    given_name="An",
    sex="male",
    date_of_birth=dt.date(2026, 5, 1),
    registration_province="01",
    registration_commune="00070",
)


def client(url, **options) -> HttpRegister:
    register = HttpRegister(url, **{"timeout": 2.0, "attempts": 3, "backoff": 0.01, **options})
    register.sleep = lambda seconds: None
    return register


class LosingProxy:
    """Forwards to the register; for the first ``lose`` births it lets the register answer, then cuts
    the connection before the answer reaches Haven (the register committed, Haven never heard)."""

    def __init__(self, target: str, *, lose: int) -> None:
        self.target, self.lose, self.forwarded = target, lose, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = urllib.request.Request(  # noqa: S310
                    proxy.target + self.path,
                    data=body,
                    method="POST",
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                        status, payload = answer.status, answer.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                proxy.forwarded += 1
                if proxy.lose > 0:
                    proxy.lose -= 1
                    self.connection.shutdown(socket.SHUT_RDWR)  # the answer is lost on the way
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Silent:
    """Accepts connections and never answers (a register that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self):
        self.sock.close()


def test_a_birth_is_registered_and_the_person_found(register_url):
    register = client(register_url)
    pin = register.register_birth(NOTICE, idempotency_key="c-1")
    assert pins.parse(pin, sex="male", birth_year=2026).province_code == "001"
    person = register.person(pin)
    assert person.full_name == "Nguyễn Minh An" and person.sex == "male" and person.commune_code == "00070"
    found = register.search(
        PersonQuery(family_name="nguyen", given_name="AN", date_of_birth=NOTICE.date_of_birth)
    )
    assert pin in [p.pin for p in found]
    assert register.person("001226999999") is None


def test_a_lost_answer_is_retried_with_the_same_key_and_gets_the_same_pin(register_url, register_db):
    proxy = LosingProxy(register_url, lose=1)
    try:
        pin = client(proxy.url).register_birth(NOTICE, idempotency_key="lost-answer")
    finally:
        proxy.close()
    assert proxy.forwarded == 2  # the register heard the birth twice...
    db = sqlite3.connect(register_db)
    rows = db.execute(
        "SELECT p.pin FROM birth b JOIN person p ON p.id = b.person_id "
        "WHERE b.idempotency_key = 'lost-answer'"
    ).fetchall()
    people = db.execute("SELECT count(*) FROM person WHERE given_key = 'an' AND date_of_birth = '2026-05-01'")
    assert rows == [(pin,)] and people.fetchone()[0] == 1  # ...and registered it once
    db.close()


def test_a_register_that_hangs_times_out(register_url):
    silent = Silent()
    try:
        register = client(silent.url, timeout=0.3, attempts=2)
        started = time.monotonic()
        with pytest.raises(RegisterUnavailable):
            register.register_birth(NOTICE, idempotency_key="hang")
        assert time.monotonic() - started < 3
    finally:
        silent.close()


def test_a_refusal_is_not_retried_and_does_not_trip_the_breaker(register_url):
    register = client(register_url, breaker_failures=1)
    bad = BirthNotice(**{**NOTICE.__dict__, "registration_commune": "99999"})
    with pytest.raises(RegisterRefused) as refused:
        register.register_birth(bad, idempotency_key="bad-commune")
    assert refused.value.code == "unknown_commune" and refused.value.field == "registration_commune"
    with pytest.raises(RegisterRefused) as refused:
        register.person("12")
    assert refused.value.code == "invalid_pin"
    assert register.breaker.state == "closed"
    register.register_birth(NOTICE, idempotency_key="other")  # still asks the register


def test_the_breaker_opens_after_failures_and_then_fails_fast():
    port = free_port()  # nothing listens here
    register = client(f"http://127.0.0.1:{port}", attempts=3, breaker_failures=3, breaker_cooldown=60)
    with pytest.raises(RegisterUnavailable) as first:
        register.register_birth(NOTICE, idempotency_key="down")
    assert not isinstance(first.value, BreakerOpen) and register.breaker.state == "open"
    with pytest.raises(BreakerOpen):
        register.register_birth(NOTICE, idempotency_key="down")
    # The state belongs to the process: a new client object for the same register sees it open.
    with pytest.raises(BreakerOpen):
        client(f"http://127.0.0.1:{port}").person("001226000001")


def test_the_breaker_half_opens_after_the_cooldown(register_db):
    now = [0.0]
    breaker = CircuitBreaker(failures_to_open=2, cooldown=30, clock=lambda: now[0])
    port = free_port()
    register = client(f"http://127.0.0.1:{port}", attempts=1)
    register.breaker = breaker
    for _ in range(2):
        with pytest.raises(RegisterUnavailable):
            register.register_birth(NOTICE, idempotency_key="k")
    assert breaker.state == "open"
    now[0] = 29
    with pytest.raises(BreakerOpen):
        register.register_birth(NOTICE, idempotency_key="k")
    now[0] = 31  # cool-down over; the one trial call fails: open again, for another cool-down
    with pytest.raises(RegisterUnavailable) as trial:
        register.register_birth(NOTICE, idempotency_key="k")
    assert not isinstance(trial.value, BreakerOpen) and breaker.state == "open" and breaker.opened_at == 31
    now[0] = 62  # the register is back: the trial succeeds and the breaker closes
    with running(register_db, port=port):
        pin = register.register_birth(NOTICE, idempotency_key="k")
    assert len(pin) == 12 and breaker.state == "closed" and breaker.failures == 0


def test_only_one_trial_call_while_half_open():
    now = [100.0]
    breaker = CircuitBreaker(failures_to_open=1, cooldown=10, clock=lambda: now[0])
    breaker.failure()
    now[0] = 111
    breaker.before()  # the trial
    with pytest.raises(BreakerOpen):
        breaker.before()  # everyone else waits for its result
    now[0] = 122  # a trial that never reported back does not keep the breaker half-open for ever
    breaker.before()
    breaker.success()
    breaker.before()
    assert breaker.state == "closed"
