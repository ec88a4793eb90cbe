"""No link leads nowhere, no page offers a step its reader may not take (walkthrough D12, D13; issue
12 item 4), and every word of every page is the reader's (issue 13 item 2: haven/core/tests/words.py).

On demo-like data (haven/core/tests/demo.py), each persona opens the home page and every page of the
menu, then follows every internal link on them, one level deep: none may answer 404 or 500. A link
whose address differs only by an identifier is followed for at most ``PER_PATTERN`` identifiers (the
300 children's pages would all be the same page). On every found-child and child-protection case page
reached, each step offered is checked against the rule the step's service applies (the same table,
the acting membership's reach): a step the reader cannot take must not be offered. Every page and
printed paper reached is read for what no reader may find (words.py): one crawl does both, it is slow.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from haven.access.scoping import NotVisible
from haven.core.errors import Refused
from haven.core.tests.demo import build, personas
from haven.core.tests.words import findings, readable
from haven.foundlings import workflow as found_table
from haven.foundlings.models import FoundlingCase, HandoverStatus
from haven.protection import workflow as protection_table
from haven.protection.models import ProtectionCase

PER_PATTERN = 2
# The home page and the menu's pages, the pages they link to (a list's cases, a facility's board), and
# the links on those (a child's care path, a case's timeline).
DEPTH = 3
SKIP = ("/static/", "/media/", "/api/", "/accounts/logout", "/i18n/", "/admin/")
ID = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)")


class Links(HTMLParser):
    """The internal links of a page (``<a href>``), the menu's apart, and the forms that post."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.menu: list[str] = []
        self.posts: list[str] = []
        self._nav = 0

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "nav":
            self._nav += 1
        if tag == "a" and attrs.get("href", "").startswith("/"):
            href = urldefrag(attrs["href"])[0]
            (self.menu if self._nav else self.links).append(href)
        if (
            tag == "form"
            and (attrs.get("method") or "").lower() == "post"
            and attrs.get("action", "").startswith("/")
        ):
            self.posts.append(attrs["action"])

    def handle_endtag(self, tag) -> None:
        if tag == "nav":
            self._nav -= 1


def parse(html: str) -> Links:
    found = Links()
    found.feed(html)
    return found


def followable(href: str) -> bool:
    return not href.startswith(SKIP)


def pattern(href: str) -> str:
    return ID.sub("/<id>", urlsplit(href).path)


# --- Which steps may the reader take? The rule of the services, read from the tables. --------------

FOUNDLING_PAGES = {
    "answer_handover": ("accept_handover", "refuse_handover"),
    "decide_claim": ("reunify", "reject_claim"),
}
PROTECTION_PAGES = {"assess_initial": ("assess_emergency", "assess_support", "assess_unfounded")}


def may_take(user, case, action: str, table) -> bool:
    try:
        table.FLOW.rule(action, case.state)
    except Refused:
        return False
    if action in ("accept_handover", "refuse_handover"):
        handover = case.handovers.filter(status=HandoverStatus.PENDING).first()
        return handover is not None and any(
            m.organisation_id == handover.to_organisation_id and m.role in table.TRANSITIONS[action].roles
            for m in user._haven_memberships[1]
        )
    try:
        table.FLOW.acting(user, case, action)
    except (Refused, NotVisible):
        return False
    return True


def offered_steps(path: str, page: Links) -> list[str]:
    """The steps a case page offers: its links and buttons to /<app>/<case>/<step>/."""
    steps = []
    for href in [*page.links, *page.posts]:
        parts = urlsplit(href).path.strip("/").split("/")
        if (
            len(parts) == 3
            and "/" + "/".join(parts[:2]) + "/" == path
            and parts[2] not in ("timeline", "notice", "photo")
        ):
            steps.append(parts[2])
        if len(parts) == 4 and parts[2] == "duplicates":
            steps.append("mark_duplicate")
    return steps


def check_case_page(user, path: str, page: Links) -> list[str]:
    app, case_id = path.strip("/").split("/")[:2]
    if app == "foundlings":
        case, table, pages = FoundlingCase.objects.get(pk=case_id), found_table, FOUNDLING_PAGES
    else:
        case, table, pages = ProtectionCase.objects.get(pk=case_id), protection_table, PROTECTION_PAGES
    wrong = []
    for step in offered_steps(path, page):
        if step not in table.TRANSITIONS and step not in pages:
            continue  # not a step of the table (a referral, a print)
        actions = pages.get(step, (step,))
        if not any(may_take(user, case, a, table) for a in actions):
            wrong.append(f"{path} offers {step}")
    return wrong


CASE_PAGE = re.compile(r"^/(foundlings|protection)/[0-9a-f-]{36}/$")


def crawl(client, name: str, depth: int, read=None) -> tuple[list[str], list[str]]:
    """One persona's walk: the home page and the menu's pages, then the links on them, ``depth``
    levels deep. Returns the dead links and the steps offered that the reader may not take; each page
    reached is given to ``read`` (its address and response), when given."""
    broken, wrong = [], []
    home = client.get("/")
    assert home.status_code == 200, name
    if read:
        read("/", home)
    first = parse(home.content.decode())
    level = {"/": first}
    for href in dict.fromkeys(first.menu):
        if followable(href) and href not in level:
            response = client.get(href, follow=True)
            if response.status_code >= 400:
                broken.append(f"{name}: menu {href} → {response.status_code}")
                continue
            if read:
                read(href, response)
            level[href] = parse(response.content.decode())
    seen: dict[str, int] = defaultdict(int)
    visited = set(level)
    for _ in range(depth):
        following: dict[str, Links] = {}
        for origin, page in level.items():
            for href in page.links:
                if not followable(href) or href in visited:
                    continue
                visited.add(href)
                seen[pattern(href)] += 1
                if seen[pattern(href)] > PER_PATTERN:
                    continue
                try:
                    response = client.get(href, follow=True)
                except Exception as error:  # a 500 raises in the test client
                    broken.append(f"{name}: {origin} → {href} raised {error!r}")
                    continue
                if response.status_code >= 400:
                    broken.append(f"{name}: {origin} → {href} answered {response.status_code}")
                    continue
                if read:
                    read(href, response)
                if "html" not in response.get("Content-Type", ""):
                    continue
                final = urlsplit(response.redirect_chain[-1][0] if response.redirect_chain else href).path
                page_found = parse(response.content.decode())
                following[final] = page_found
                if CASE_PAGE.match(final):
                    wrong += [f"{name}: {w}" for w in check_case_page(client.user, final, page_found)]
        level = following
    return broken, wrong


@pytest.fixture
def demo(db):
    return build()


def test_no_link_leads_nowhere_no_step_is_offered_in_vain_and_every_word_is_the_reader_s(demo, client):
    """Walk every persona's pages once, in Vietnamese: no dead link, no step offered that the reader
    may not take, and on every page and printed paper reached, no developer note, English citation or
    length of time, code or username (haven/core/tests/words.py; test_words.py proves the scan fails)."""
    people = personas(demo)
    names = {u.username: u.full_name for u in people.values()}
    broken, wrong = [], []
    words: dict[str, set[str]] = defaultdict(set)  # what is wrong on a page → who read it

    def read(href: str, response) -> None:
        assert response.get("Content-Language", "vi") == "vi", href
        for found in findings(readable(response), usernames=names):
            words[f"{pattern(href)}: {found}"].add(client.user.username)

    for name, user in people.items():
        client.force_login(user)
        client.user = user
        found = crawl(client, name, DEPTH, read)
        broken += found[0]
        wrong += found[1]
        client.logout()
    assert not broken, "\n".join(broken)
    assert not wrong, "\n".join(wrong)
    assert not words, "\n".join(f"{w} ({', '.join(sorted(who))})" for w, who in words.items())
