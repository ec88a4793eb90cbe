"""No page answers a 500, whatever is posted to it, and a refused post changes nothing.

Walks the URLconf (every step of every pathway included), fills each URL's parameters with a real
object of the persona world (haven.core.tests.stage), and for every persona (and a visitor who is not
signed in): reads the page, posts an empty body, and, where the persona reaches the page, posts garbage
to each of its forms (random strings, wrong types, huge ids, impossible dates, a file that is not an
image, fields missing) and reads it with garbage query parameters. Every answer must be below 500; a
refused post (4xx, the form shown again, or an error message) must leave every domain table and the
audit trail's writes as they were (the issue's "bad input … changes nothing; never a 500")."""

from __future__ import annotations

import logging
import random
import re
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import constants, get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from haven.core.tests.stage import GARBAGE_TEXT, HUGE_ID, build_stage, changed, snapshot

# Paths whose POST is not a form of Haven's: signing in and out, the language switch.
NOT_FORMS = ("/accounts/logout/", "/i18n/")
QUERY_GARBAGE = {
    "q": "<b>x</b>" * 40,
    "page": HUGE_ID,
    "state": "nonsense",
    "status": "nonsense",
    "commune": HUGE_ID,
    "area": "-1",
    "province": "ab",
    "kind": "x",
    "next": "//evil.example/",
    "facility": HUGE_ID,
    "group": "abc",
    "child": "not-a-uuid",
    "step": "x",
    "on": "31/02/2026",
    "date": "2026-13-45",
    "period": "x",
}


def routes(patterns=None, prefix: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def step_slugs(route: str) -> list[str]:
    """The steps a pathway's step URL takes: every row of its app's step table."""
    from importlib import import_module

    app = route.split("/", 1)[0]
    views = import_module(f"haven.{app}.views")
    return sorted(getattr(views, "STEPS", {}))


def concrete(route: str, stage) -> list[str]:
    """The paths of a URL pattern with its parameters filled with real ids (one path per step)."""
    route = route.replace("^", "").replace("$", "")
    path = "/" + route
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", route)
    paths = [path]
    for angle, regex in names:
        name = angle or regex
        token = re.compile(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)")
        if name == "step":
            paths = [token.sub(slug, p) for p in paths for slug in step_slugs(route)]
            continue
        value = stage.value(path, name)
        if value is None:
            raise AssertionError(f"no object for {name} in {route}: add one to the stage")
        paths = [token.sub(value, p) for p in paths]
    return paths


@dataclass
class FormSpec:
    fields: dict[str, dict] = field(default_factory=dict)


class Forms(HTMLParser):
    """The POST forms of a page: for each, its action and its fields (type, value, options)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.forms: list[tuple[str, FormSpec]] = []
        self.current: FormSpec | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            action = urlsplit(a.get("action") or self.path).path or self.path
            self.current = FormSpec()
            self.forms.append((action, self.current))
        elif self.current is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            spec = self.current.fields.setdefault(
                a["name"], {"type": kind, "values": [], "placeholder": a.get("placeholder", "")}
            )
            if a.get("value") is not None:
                spec["values"].append(a["value"])
        elif tag == "textarea":
            self.current.fields.setdefault(a["name"], {"type": "textarea", "values": []})
        elif tag == "select":
            self.select = a["name"]
            self.current.fields.setdefault(a["name"], {"type": "select", "values": []})
        elif tag == "option" and self.select and a.get("value") is not None:
            self.current.fields[self.select]["values"].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def plausible(f: dict) -> str:
    """A value of the right shape, so that the post gets past the form into the service."""
    now = timezone.localtime()
    hint = f.get("placeholder", "")
    if "hh:mm" in hint:
        return now.strftime("%d/%m/%Y %H:%M")
    if "dd/mm/yyyy" in hint:
        return now.strftime("%d/%m/%Y")
    if f["type"] == "number":
        return "1"
    if f["type"] == "file":
        return SimpleUploadedFile("anh.jpg", b"not an image" * 50, content_type="image/jpeg")
    return "Nguyễn Văn An"


def garbage_bodies(spec: FormSpec, rng: random.Random) -> list[dict]:
    """Bodies for one form: garbage everywhere; the choices (and hidden fields) valid and the text
    garbage; the choices kept and the rest missing; every field of a plausible shape, so that the post
    reaches the service (and may be accepted: the pathway then moves on)."""
    bodies = []
    for variant in ("all", "valid_choices", "missing", "plausible"):
        body: dict = {}
        for name, f in spec.fields.items():
            kind, values = f["type"], [v for v in f["values"] if v]
            choice = kind in ("select", "radio", "checkbox", "hidden")
            if kind == "submit" and values:
                body[name] = values[0]
            elif variant == "plausible" and not (choice and values):
                body[name] = plausible(f)
            elif variant != "all" and choice and values:
                body[name] = rng.choice(values) if kind != "checkbox" else values
            elif variant == "missing":
                continue
            elif kind == "file":
                body[name] = SimpleUploadedFile("anh.jpg", b"not an image" * 50, content_type="image/jpeg")
            elif kind == "checkbox" or (kind == "select" and rng.random() < 0.3):
                body[name] = [rng.choice(GARBAGE_TEXT), HUGE_ID]
            else:
                body[name] = rng.choice(GARBAGE_TEXT)
        bodies.append(body)
    return bodies


def refused(response) -> bool | None:
    """Whether the post was refused: True, False (done), or None when the answer does not say."""
    if response.status_code >= 400:
        return True
    if response.status_code == 200:
        # The form shown again with its errors; a page without any (a public report's thanks) is done.
        body = response.content
        return True if b"errorlist" in body or b"alert-error" in body else None
    levels = {m.level for m in get_messages(response.wsgi_request)}
    if constants.SUCCESS in levels:
        return False
    if levels & {constants.ERROR, constants.WARNING}:
        return True
    if "/accounts/login/" in response.get("Location", ""):
        return True
    return None


@dataclass
class Walk:
    world: object
    stage: object
    failures: list[str] = field(default_factory=list)
    forms: dict[str, list[FormSpec]] = field(default_factory=dict)
    reached: dict[str, set[str]] = field(default_factory=dict)
    post_only: set[str] = field(default_factory=set)
    requests: int = 0
    accepted: list = field(default_factory=list)

    def client(self, persona: str | None) -> Client:
        client = Client()
        if persona:
            client.force_login(self.world.users[persona])
        return client

    def call(self, client: Client, method: str, path: str, who: str, data=None, check_writes=False):
        self.requests += 1
        label = f"{who} {method} {path} {summary(data)}"
        before = snapshot() if check_writes else None
        try:
            with transaction.atomic():
                # Garbage comes from a new address each time, so that the public pages' limit per
                # address (haven.core.throttle) does not stop it before the form; empty bodies share one.
                address = f"10.0.{self.requests // 250 % 250}.{self.requests % 250}" if data else "127.0.0.1"
                response = getattr(client, method.lower())(path, data or {}, REMOTE_ADDR=address)
        except Exception as error:  # the test client re-raises what would be a 500
            frames = traceback.extract_tb(error.__traceback__)
            frame = next((f for f in reversed(frames) if "/haven/" in f.filename), frames[-1])
            self.failures.append(
                f"{label}: {type(error).__name__}: {error} at {frame.filename}:{frame.lineno}"
            )
            return None
        if response.status_code >= 500:
            self.failures.append(f"{label}: HTTP {response.status_code}")
        outcome = refused(response) if check_writes else None
        if outcome is False:
            self.accepted.append(label)
        if outcome:
            diff = changed(before, snapshot())
            if diff:
                self.failures.append(f"{label}: refused ({response.status_code}) but wrote {diff}")
        return response


def summary(data) -> str:
    if not data:
        return "(empty)" if data is not None else ""
    return "{" + ", ".join(f"{k}={str(v)[:20]!r}" for k, v in sorted(data.items())) + "}"


def personas(world) -> list[str | None]:
    return [None, *sorted(world.users)]


APPS = {
    "foundlings": ("/foundlings/", "/report/"),
    "protection": ("/protection/",),
    "prevention": ("/prevention/",),
    "care": ("/care/",),
    "people": ("/children/",),
    "sponsorship": ("/sponsorship/", "/ledger/", "/xacnhan/"),
    "others": None,  # everything not above
}


def paths_of(app: str, stage) -> list[str]:
    chosen = []
    claimed = tuple(p for prefixes in APPS.values() if prefixes for p in prefixes)
    for route, _view in routes():
        if route.startswith("api/"):
            continue  # the API's operations are walked from its OpenAPI schema (api/tests)
        for path in concrete(route, stage):
            prefixes = APPS[app]
            if (prefixes and path.startswith(prefixes)) or (
                prefixes is None and not path.startswith(claimed)
            ):
                chosen.append(path)
    return chosen


@pytest.fixture(autouse=True)
def fresh_limits():
    """The walk posts to the public pages many times from one address: their per-address limit
    (haven.core.throttle, in the cache) is cleared before and after, so no other test inherits it."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("app", list(APPS))
def test_no_page_answers_500_and_a_refused_post_changes_nothing(world, app, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # thousands of expected 404s
    stage = build_stage(world)
    walk = Walk(world, stage)
    rng = random.Random(f"garbage-{app}")
    paths = paths_of(app, stage)
    assert paths
    who_all = personas(world)
    # Read every page as everyone: who reaches it, and the forms it holds (by the URL they post to).
    for path in paths:
        for persona in who_all:
            client = walk.client(persona)
            response = walk.call(client, "GET", path, persona or "visitor")
            if response is None:
                continue
            if response.status_code == 405:
                walk.post_only.add(path)
            if response.status_code == 200:
                walk.reached.setdefault(path, set()).add(persona)
                if "text/html" in response.get("Content-Type", ""):
                    parser = Forms(path)
                    parser.feed(response.content.decode())
                    for action, spec in parser.forms:
                        known = walk.forms.setdefault(action, [])
                        if all(set(spec.fields) != set(k.fields) for k in known):
                            known.append(spec)
                if len(walk.reached[path]) == 1:  # garbage in the query, once a page
                    walk.call(client, "GET", path, persona or "visitor", QUERY_GARBAGE)
    # Then post: an empty body as everyone; garbage as those who reach the page.
    for path in paths:
        if path.startswith(NOT_FORMS):
            continue
        specs = walk.forms.get(path, [])
        for persona in who_all:
            client = walk.client(persona)
            walk.call(client, "POST", path, persona or "visitor", {}, check_writes=True)
            if persona not in walk.reached.get(path, set()) and path not in walk.post_only:
                continue
            for spec in specs[:2] or [FormSpec({k: {"type": "text", "values": []} for k in QUERY_GARBAGE})]:
                for body in garbage_bodies(spec, rng):
                    walk.call(client, "POST", path, persona or "visitor", body, check_writes=True)
    # The walk reached pages and forms, and some posts got through to a service (so it is not only
    # the forms' own checks that were tried).
    assert walk.reached and walk.requests > len(paths) * len(who_all)
    assert app == "others" or (walk.forms and walk.accepted)
    assert not walk.failures, f"{len(walk.failures)} of {walk.requests} requests failed:\n" + "\n".join(
        walk.failures
    )
