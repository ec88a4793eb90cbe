"""A browser tab that checks accessibility on every page it shows, so a test cannot forget to.

Every navigation of the main frame (a `goto`, a submitted form, a link, htmx's `hx-push-url`) is
noted; `check()` runs axe-core and the phone-width check on the current page and clears the notes.
The `haven` fixture fails a test that leaves a navigated page unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Locator, Page, Response

from haven.accounts.synth import DEMO_PASSWORD

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

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.unchecked: list[str] = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame.parent_frame is None:
            self.unchecked.append(frame.url)

    def check(self) -> None:
        """Fail on serious or critical axe-core violations, or on a page wider than the viewport."""
        page = self.page
        page.wait_for_load_state()
        violations = blocking_violations(page)
        if violations:
            print(f"\naxe-core violations on {page.url}:\n" + "\n".join(violations))
        assert not violations, f"{len(violations)} serious/critical axe-core violation(s) on {page.url}"
        scroll_width, viewport = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll_width <= viewport, f"{page.url} scrolls sideways: {scroll_width}px in {viewport}px"
        self.unchecked.clear()

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
        self.visit("/accounts/login/")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.follow(lambda: self.page.locator("main form button[type=submit]").click())
        assert self.page.url == self.base_url + "/", f"{username} was not signed in: {self.page.url}"

    def switch_language(self, code: str) -> None:
        self.click(self.page.locator(f".lang-switch button[value={code}]"))
        assert self.page.locator("html").get_attribute("lang") == code

    def search_children(self, query: str) -> Locator:
        """Type ``query`` into the children search and wait for htmx to show the results (as it does
        while one types, and pushes the search into the address bar)."""
        page = self.page
        page.locator("#q").fill(query)
        page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [query])
        self.check()
        return page.locator("#results")
