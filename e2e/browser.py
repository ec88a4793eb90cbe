"""A browser tab that checks accessibility on every page it shows, so a test cannot forget to, and
fails on anything the Content-Security-Policy refused (docs/decisions/0015).

Every navigation of the main frame (a `goto`, a submitted form, a link, htmx's `hx-push-url`) is
noted; `check()` runs axe-core and the phone-width check on the current page and clears the notes.
The `haven` fixture fails a test that leaves a navigated page unchecked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django_otp.oath import totp
from playwright.sync_api import Locator, Page, Response

from haven.accounts.synth import DEMO_PASSWORD, DEMO_TOTP_SECRET

VERIFY = "/accounts/verify/"
STEP = 30  # seconds a code lasts (django-otp's default, the demo devices' setting)
# The last period whose code each login used: the server takes a code once per login, so a login
# signed in twice within one period gives the next period's code (the device accepts one period ahead).
_used: dict[str, int] = {}


def demo_code(username: str) -> str:
    """The code the demo's authenticator shows for ``username`` now (haven/accounts/synth.py), one the
    server has not taken yet; waits for the next period if two are used up."""
    now = int(time.time() // STEP)
    period = max(now, _used.get(username, -1) + 1)
    if period > now + 1:
        time.sleep((period - 1) * STEP - time.time() + 0.5)
        now = period - 1
    _used[username] = period
    return f"{totp(DEMO_TOTP_SECRET, step=STEP, drift=period - now):06d}"


# axe-core impacts that fail a test; "minor" and "moderate" findings are reported by axe but tolerated.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
_axe = Axe()


def t(message: str, language: str) -> str:
    """``message`` as the server renders it in ``language`` (the same catalogue, read in-process)."""
    with translation.override(language):
        return translation.gettext(message)


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the current page, one readable line per node."""
    found = _axe.run(page).response["violations"]
    lines = []
    for violation in found:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"[{violation['impact']}] {violation['id']}: {violation['help']}\n"
                f"    at {' '.join(node['target'])}\n"
                f"    {node['failureSummary'].replace(chr(10), chr(10) + '    ')}"
            )
    return lines


class Haven:
    """One user's browser tab on the e2e server."""

    shots = 0  # pictures kept so far (HAVEN_SHOTS), across tabs

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.unchecked: list[str] = []
        # What the Content-Security-Policy refused (an inline script or style, a foreign host): a
        # part of the page that did not work for the user.
        self.refused_by_policy: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.refused_by_policy.append(f"{self.page.url}: {message.text}")

    def _navigated(self, frame) -> None:
        if frame.parent_frame is None:
            self.unchecked.append(frame.url)

    def check(self) -> None:
        """Fail on serious or critical axe-core violations, on a page wider than the viewport, or on
        anything the Content-Security-Policy refused."""
        page = self.page
        page.wait_for_load_state()
        assert not self.refused_by_policy, "\n".join(self.refused_by_policy)
        violations = blocking_violations(page)
        if violations:
            print(f"\naxe-core violations on {page.url}:\n" + "\n".join(violations))
        assert not violations, f"{len(violations)} serious/critical axe-core violation(s) on {page.url}"
        scroll_width, viewport = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll_width <= viewport, f"{page.url} scrolls sideways: {scroll_width}px in {viewport}px"
        self.unchecked.clear()
        self._shoot()

    def _shoot(self) -> None:
        """With HAVEN_SHOTS set to a folder, keep a full-page picture of every page checked, numbered in
        the order seen, for a person to read the journey as its user saw it."""
        folder = os.environ.get("HAVEN_SHOTS")
        if not folder:
            return
        Haven.shots += 1
        path = (
            Path(folder)
            / f"{Haven.shots:03d}-{urlsplit(self.page.url).path.strip('/').replace('/', '_')}.png"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)

    def visit(self, path: str, *, status: int = 200) -> Response:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status == status, f"GET {path}: {response.status}, expected {status}"
        self.check()
        return response

    def follow(self, act: Callable[[], object], *, status: int = 200) -> Response:
        """Do ``act`` (a click, an Enter), wait for the page it leads to, and check that page."""
        with self.page.expect_navigation() as navigation:
            act()
        response = navigation.value
        assert response is not None
        assert response.status == status, f"{response.url}: {response.status}, expected {status}"
        self.check()
        return response

    def click(self, target: Locator, *, status: int = 200) -> Response:
        return self.follow(target.click, status=status)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """The password, then, for a login whose role requires a second factor, the demo's code."""
        self.visit("/accounts/login/")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.follow(lambda: self.page.locator("main form button[type=submit]").click())
        if self.page.url == self.base_url + VERIFY:
            self.give_code(username)
        assert self.page.url == self.base_url + "/", f"{username} was not signed in: {self.page.url}"

    def give_code(self, username: str) -> None:
        """The second step of sign-in, on the code page; once more with the next code if the period
        turned between computing it and the server checking it."""
        for _attempt in range(2):
            self.page.locator("#id_token").fill(demo_code(username))
            self.follow(lambda: self.page.locator("main form button[type=submit]").click())
            if self.page.url != self.base_url + VERIFY:
                return
            time.sleep(1.1)  # django-otp's pause after a wrong code

    def switch_language(self, code: str) -> None:
        self.click(self.page.locator(f".lang-switch button[value={code}]"))
        assert self.page.locator("html").get_attribute("lang") == code

    def search_children(self, query: str) -> Locator:
        """Type ``query`` into the children search and wait for htmx to show the results (as it does
        while one types, and pushes into the address bar a token for the search, never the search)."""
        page = self.page
        before = page.url
        page.locator("#q").fill(query)
        page.wait_for_url(lambda url: url != before and "s" in parse_qs(urlsplit(url).query))
        assert query not in page.url
        self.check()
        return page.locator("#results")
