"""Every response Haven renders carries its security headers (security review finding 9), and no page
holds a script or style the Content-Security-Policy would have to allow inline.

Walks the URLconf with a real object for every parameter (haven.core.tests.stage), reads each page as a
visitor and then as each persona until one reaches it, and checks every answer on the way: a 404, a
redirect to sign in, a page, a PDF. Every answer has the policy, and it lets no inline script, eval or
other host run a script; every answer is ``no-store``, because pages, exports and PDFs name children.
Every HTML page is read for inline ``<script>``, ``on*`` attributes and ``style`` attributes."""

from __future__ import annotations

import logging
from html.parser import HTMLParser

from django.test import Client

from haven.api.tests.client import ApiClient
from haven.core.headers import POLICY
from haven.core.tests.stage import build_stage
from haven.core.tests.test_no_server_error import concrete, routes

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:", "data:")


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def header_problems(response) -> list[str]:
    problems = []
    policy = directives(response.get("Content-Security-Policy", ""))
    if not policy:
        problems.append("no Content-Security-Policy")
    elif "sandbox" not in policy:  # a served file is sandboxed with default-src 'none'
        scripts = policy.get("script-src", policy.get("default-src"))
        if scripts is None or any(word in UNSAFE for word in scripts):
            problems.append(f"scripts allowed: {scripts}")
        if policy.get("object-src") != ["'none'"] or policy.get("frame-ancestors") != ["'none'"]:
            problems.append("plugins or framing allowed")
        if any(word in UNSAFE for word in policy.get("style-src", ["'self'"])):
            problems.append(f"inline styles allowed: {policy['style-src']}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    return problems


class Inline(HTMLParser):
    """What in a page would need the policy to allow inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        self._script = (
            tag == "script" and "src" not in names and dict(attrs).get("type") != "application/json"
        )
        self.found += [f"<{tag} {name}>" for name in names if name.startswith("on") or name == "style"]
        if tag == "style":
            self.found.append("<style>")

    def handle_data(self, data):
        if self._script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag):
        self._script = False


def test_the_policy_runs_only_haven_s_own_scripts():
    policy = directives(POLICY)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


def test_every_answer_of_every_page_carries_the_policy_and_no_store(world, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # the expected 404s
    stage = build_stage(world)
    personas = [None, *sorted(world.users)]
    problems: dict[str, set[str]] = {}
    reached = 0
    for route, _view in routes():
        if route.startswith("api/"):
            continue  # below, with a token
        for path in concrete(route, stage):
            for persona in personas:
                client = Client()
                if persona:
                    client.force_login(world.users[persona])
                response = client.get(path)
                found = header_problems(response)
                if "text/html" in response.get("Content-Type", "") and response.status_code == 200:
                    page = Inline()
                    page.feed(response.content.decode())
                    found += page.found
                for problem in found:
                    problems.setdefault(f"{path} ({response.status_code}): {problem}", set()).add(
                        persona or "visitor"
                    )
                if persona and response.status_code == 200:
                    reached += 1
                    break
    assert reached > 100
    assert not problems, "\n".join(f"{p}: {', '.join(sorted(who))}" for p, who in problems.items())


def test_api_answers_carry_the_policy_and_no_store(world):
    client = ApiClient(world.officer_a)
    for path in ("/children", "/foundlings", "/inbox"):
        response = client.get(path)
        assert response.status_code == 200
        assert header_problems(response) == [], path
