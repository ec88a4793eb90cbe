"""``HttpRegister``: the population register reached over HTTP, without ever registering a birth twice.

- Time-outs on every call (settings.HAVEN_POPULATION_REGISTER_HTTP["timeout"]).
- Retries with a growing, jittered pause, always with the same Idempotency-Key: when the register
  committed a birth but its answer was lost, the retry receives the same PIN, not a second one.
- A circuit breaker shared by the whole process: after ``breaker_failures`` failures in a row it opens
  and calls fail at once (RegisterUnavailable) for ``breaker_cooldown`` seconds; then it half-opens and
  lets one call through: success closes it, failure opens it again.

Only "unavailable" answers count as failures (no connection, time-out, a 5xx, an unreadable answer);
a 4xx is the register saying the request is wrong (RegisterRefused) and is not retried.

The register answers no anonymous caller. Every call carries a client token issued by the register
(`haven popreg client add`), ``Authorization: Bearer``: Haven's (scopes lookup and register,
HAVEN_POPULATION_REGISTER_TOKEN) for people and births, the linkage job's (scope extract,
HAVEN_POPULATION_EXTRACT_TOKEN) for the extract. A token goes only over HTTPS, or over HTTP to this
machine's loopback address outside production; never after a redirect. A refused token (401, 403) is
RegisterUnauthorised: the request waits, like one to a register that is down, and it is logged.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import logging
import random
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haven.population.register import (
    EXTRACT_ROWS_HEADER,
    BirthNotice,
    Issued,
    PersonQuery,
    RegisterPerson,
    RegisterRefused,
    RegisterUnauthorised,
    RegisterUnavailable,
)

log = logging.getLogger("haven.population")


class _CutAnswer(http.client.HTTPException):
    """The extract ended before the number of people the register announced."""


DEFAULTS = {
    "url": "http://127.0.0.1:8765",
    "timeout": 3.0,
    "attempts": 3,
    "backoff": 0.2,
    "breaker_failures": 5,
    "breaker_cooldown": 30.0,
    "token": "",
    "extract_token": "",
    "ca_file": "",  # a private authority's certificate (PEM) for the register's HTTPS; else the system's
    "require_https": False,  # production: even on this machine
}


class BreakerOpen(RegisterUnavailable):
    """The circuit breaker is open: the register is not asked at all until the cool-down ends."""


@dataclass
class CircuitBreaker:
    failures_to_open: int
    cooldown: float
    clock: Callable[[], float] = time.monotonic
    state: str = "closed"  # closed, open, half_open
    failures: int = 0
    opened_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def before(self) -> None:
        """Raise BreakerOpen unless a call may go to the register now."""
        with self._lock:
            if self.state == "closed":
                return
            # After the cool-down one caller is let through as the trial; should the trial never
            # report back, another is let through after a further cool-down.
            if self.clock() - self.opened_at >= self.cooldown:
                self.state, self.opened_at = "half_open", self.clock()
                return
            raise BreakerOpen(
                "the population register is not answering; calls are paused (circuit breaker open)"
            )

    def success(self) -> None:
        with self._lock:
            self.state, self.failures = "closed", 0

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.state == "half_open" or self.failures >= self.failures_to_open:
                self.state, self.opened_at = "open", self.clock()


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str, *, failures: int, cooldown: float) -> CircuitBreaker:
    """One breaker per register address for the whole process (every thread, every client object)."""
    with _breakers_lock:
        found = _breakers.get(url)
        if found is None:
            found = _breakers[url] = CircuitBreaker(failures_to_open=failures, cooldown=cooldown)
        return found


def breakers_reset() -> None:
    """Forget every breaker's state (tests)."""
    with _breakers_lock:
        _breakers.clear()


class HttpRegister:
    def __init__(self, url: str | None = None, **options) -> None:
        config = {**DEFAULTS, **getattr(settings, "HAVEN_POPULATION_REGISTER_HTTP", {}), **options}
        if url is not None:
            config["url"] = url
        self.url = config["url"].rstrip("/")
        problem = url_problem(self.url, require_https=bool(config["require_https"]))
        if problem:
            raise ImproperlyConfigured(problem)
        self.token, self.extract_token = config["token"] or "", config["extract_token"] or ""
        context = ssl.create_default_context(cafile=config["ca_file"] or None)
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())
        self.timeout = float(config["timeout"])
        self.attempts = max(1, int(config["attempts"]))
        self.backoff = float(config["backoff"])
        self.breaker = breaker_for(
            self.url, failures=int(config["breaker_failures"]), cooldown=float(config["breaker_cooldown"])
        )
        self.sleep: Callable[[float], None] = time.sleep

    # --- the protocol ----------------------------------------------------------------------------

    def register_birth(self, notice: BirthNotice, *, idempotency_key: str, patient: bool = True) -> Issued:
        body = {
            "family_name": notice.family_name,
            "middle_name": notice.middle_name,
            "given_name": notice.given_name,
            "sex": {"male": "M", "female": "F"}.get(notice.sex, notice.sex),
            "date_of_birth": notice.date_of_birth.isoformat(),
            "dob_estimated": notice.dob_estimated,
            "registration_province": notice.registration_province,
            "registration_commune": notice.registration_commune,
        }
        return self._call(
            "POST",
            "/births",
            body=body,
            headers={"Idempotency-Key": idempotency_key},
            attempts=self.attempts if patient else 1,
            read=_issued,
        )

    def person(self, pin: str) -> RegisterPerson | None:
        try:
            # In the body: a PIN in the address would be written to every access log on the way.
            answer = self._call("POST", "/persons/lookup", body={"pin": pin.strip()})
        except _NotFound:
            return None
        return _person(answer, parents=True)

    def search(self, query: PersonQuery) -> list[RegisterPerson]:
        params = {
            "family_name": query.family_name,
            "middle_name": query.middle_name,
            "given_name": query.given_name,
            "sex": {"male": "M", "female": "F"}.get(query.sex, query.sex),
            "date_of_birth": query.date_of_birth.isoformat() if query.date_of_birth else "",
            "commune_code": query.commune_code,
            "limit": str(query.limit),
        }
        answer = self._call("POST", "/persons/search", body={k: v for k, v in params.items() if v})
        return [_person(p, parents=False) for p in answer["results"]]

    def extract(self, province_code: str, destination: Path) -> Path:
        """Stream the register's extract (CSV, the link-file columns) of one province, or of all when
        ``province_code`` is "", into ``destination``. One attempt through the breaker: a cut answer
        is RegisterUnavailable and the partial file is removed, never used."""
        query = urllib.parse.urlencode({"province_code": province_code} if province_code else {})
        request = self._request(
            "/extract" + (f"?{query}" if query else ""),
            token=self.extract_token,
            missing="HAVEN_POPULATION_EXTRACT_TOKEN",
            headers={"Accept": "text/csv"},
        )
        self.breaker.before()
        try:
            with (
                self.opener.open(request, timeout=self.timeout) as response,
                open(destination, "wb") as out,
            ):
                announced = response.headers.get(EXTRACT_ROWS_HEADER)
                lines = 0
                while chunk := response.read(1 << 20):
                    lines += chunk.count(b"\n")
                    out.write(chunk)
            # The header line and one line a person (names never hold a line break: the register
            # refuses them); fewer means the answer was cut, and a part is never used as the whole.
            if announced is not None and lines != int(announced) + 1:
                raise _CutAnswer(f"the extract was cut: {max(lines - 1, 0)} of {announced} people received")
        except urllib.error.HTTPError as error:
            destination.unlink(missing_ok=True)
            if error.code >= 500 or error.code == 429:
                self.breaker.failure()
                raise RegisterUnavailable(f"the population register answered {error.code}") from error
            try:
                problem = _json(error.read()).get("error") or {}
            except RegisterUnavailable:
                problem = {}
            if error.code in (401, 403):
                self.breaker.failure()
                raise _unauthorised(error.code, problem) from error
            self.breaker.success()
            raise RegisterRefused(
                problem.get("message") or f"the population register refused the extract ({error.code})",
                code=problem.get("code") or "refused",
                field=problem.get("field"),
            ) from error
        except (OSError, http.client.HTTPException) as error:
            destination.unlink(missing_ok=True)
            self.breaker.failure()
            raise RegisterUnavailable(f"the population register did not answer: {error}") from error
        self.breaker.success()
        return destination

    def health(self) -> dict:
        """The register's ``GET /health`` with Haven's token, tried once (/readyz asks; the breaker's
        state counts: an open breaker is an unreachable register)."""
        return self._call("GET", "/health", attempts=1)

    # --- HTTP ------------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict | None = None,
        headers: dict | None = None,
        attempts: int | None = None,
        read: Callable[[dict], Any] | None = None,
    ) -> Any:
        attempts = attempts or self.attempts
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = self._request(
            path,
            token=self.token,
            missing="HAVEN_POPULATION_REGISTER_TOKEN",
            data=data,
            method=method,
            headers={"Accept": "application/json", "Content-Type": "application/json", **(headers or {})},
        )
        last: RegisterUnavailable | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random()))
            self.breaker.before()  # BreakerOpen ends the attempts at once
            try:
                answer = self._once(request)
            except RegisterUnauthorised:
                self.breaker.failure()  # the same credentials would be refused again at once
                raise
            except RegisterUnavailable as error:
                self.breaker.failure()
                last = error
                continue
            except (RegisterRefused, _NotFound):
                self.breaker.success()  # the register answered: it is up
                raise
            if read is not None:
                try:
                    answer = read(answer)
                except RegisterProtocolError:
                    self.breaker.failure()  # a 200 without a usable answer is a broken register
                    raise
            self.breaker.success()
            return answer
        assert last is not None
        raise last

    def _request(
        self, path: str, *, token: str, missing: str, headers: dict, **options
    ) -> urllib.request.Request:
        if not token:
            log.error("population register: no client token; set %s (or %s_FILE)", missing, missing)
            raise RegisterUnauthorised(f"no token: set {missing} (or {missing}_FILE)")
        request = urllib.request.Request(  # noqa: S310 (the configured register's http(s) URL)
            self.url + path, headers=headers, **options
        )
        # Never carried to another address: urllib copies only redirected headers, and none is followed.
        request.add_unredirected_header("Authorization", f"Bearer {token}")
        return request

    def _once(self, request: urllib.request.Request) -> dict:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return _json(response.read())
        except urllib.error.HTTPError as error:
            status = error.code
            try:
                problem = _json(error.read()).get("error") or {}
            except RegisterUnavailable:
                problem = {}
            if status in (401, 403):
                raise _unauthorised(status, problem) from error
            if status >= 500 or status == 429:
                raise RegisterUnavailable(f"the population register answered {status}") from error
            if status == 404 and problem.get("code") == "not_found":
                raise _NotFound from error
            raise RegisterRefused(
                problem.get("message") or f"the population register refused the request ({status})",
                code=problem.get("code") or "refused",
                field=problem.get("field"),
            ) from error
        except (OSError, http.client.HTTPException) as error:  # no connection, time-out, cut answer
            raise RegisterUnavailable(f"the population register did not answer: {error}") from error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A register answers where it is asked; a redirect is answered as the 3xx it is, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _unauthorised(status: int, problem: dict) -> RegisterUnauthorised:
    reason = f"{status} {problem.get('code') or 'refused'}: {problem.get('message') or ''}".strip()
    log.error("population register: Haven's credentials were refused (%s)", reason)
    return RegisterUnauthorised(reason)


def url_problem(url: str, *, require_https: bool) -> str:
    """Why Haven must not send a token to ``url`` ("" when it may): HTTPS always in production, and
    plain HTTP otherwise only to a loopback address, where the token never crosses a network."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return ""
    if parts.scheme == "http" and not require_https and _loopback(parts.hostname or ""):
        return ""
    if parts.scheme == "http":
        where = "in production" if require_https else f"to {parts.hostname or 'another machine'}"
        return (
            f"The population register's address {url} is plain HTTP: Haven sends its credentials "
            f"{where} only over HTTPS (HAVEN_POPULATION_REGISTER_URL)."
        )
    return f"The population register's address {url} is not an https:// URL (HAVEN_POPULATION_REGISTER_URL)."


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RegisterProtocolError(RegisterRefused):
    """The register said yes but its answer is unusable (no PIN, a malformed one): retrying the same
    request would get the same answer, so it fails for a person to look at."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="protocol_error")


def _issued(answer: dict) -> Issued:
    pin, person_id = answer.get("pin"), answer.get("id")
    if not isinstance(pin, str) or len(pin) != 12 or not pin.isdigit():
        raise RegisterProtocolError("the population register answered without a usable PIN")
    return Issued(pin=pin, person_id=person_id if isinstance(person_id, str) else "")


class _NotFound(Exception):
    pass


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise RegisterUnavailable("the population register's answer was not JSON") from error
    if not isinstance(value, dict):
        raise RegisterUnavailable("the population register's answer was not a JSON object")
    return value


def _person(p: dict, *, parents: bool) -> RegisterPerson:
    mother = (p.get("mother") or {}) if parents else {}
    father = (p.get("father") or {}) if parents else {}
    return RegisterPerson(
        id=p["id"],
        pin=p["pin"],
        family_name=p["family_name"],
        middle_name=p["middle_name"],
        given_name=p["given_name"],
        sex={"M": "male", "F": "female"}[p["sex"]],
        date_of_birth=dt.date.fromisoformat(p["date_of_birth"]),
        dob_estimated=bool(p.get("dob_estimated")),
        commune_code=p.get("commune_code", ""),
        province_code=p.get("province_code", ""),
        old_commune_code=p.get("old_commune_code", ""),
        household_id=p.get("household_id", ""),
        mother_name=p.get("mother_name", ""),
        father_name=p.get("father_name", ""),
        mother_pin=mother.get("pin", ""),
        father_pin=father.get("pin", ""),
    )
