"""What no reader may find on a page or a printed paper (issue #13 item 2): the developers' own notes (a
section of the rule book, a file, an issue, a tag of how sure a rule is), a legal citation in English on
a Vietnamese page, a code where its label belongs (a rule code like ``foundling.acknowledge``, a state or
a role by its code), a person by their username, and English words for lengths of time.

``findings(text)`` returns what it finds in the visible text of one page or paper; the crawl
(test_crawl.py) and the papers (test_words.py) apply it, and test_words.py proves it can fail.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pypdf

# Working notes: a section of the rule book (§9c), a file (vietnam-process.md, schedule.py), an issue,
# a tag of certainty ([S] sourced, [V] verified, [U] unverified, [R] recommended), a note to self.
NOTES = re.compile(r"§|\[[SRUVL]\]|\b[\w-]+\.(?:md|py)\b|\bissue\s*#?\d|\bTODO\b|\bFIXME\b")
# A citation in English: Vietnamese pages and papers say "Nghị định", "Thông tư", "Luật", "Điều".
ENGLISH_CITATION = re.compile(r"\bDecree\s|\bCircular\s|\bLaw on\b|\sart\.\s|\bNotice \d")
# A length of time in English words on a Vietnamese page ("126 years", "1 hours", "3 days ago").
ENGLISH_DURATION = re.compile(
    r"\b\d+\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\b|\b(?:hours|days|years|ago)\b"
)
# A code where its label belongs: snake_case (a state, a kind, a role) or a dotted code (a rule, an
# audit action, a username like commune.officer).
CODE = re.compile(r"(?<![\w/.@-])[a-z]+(?:_[a-z0-9]+)+\b|(?<![\w/.@-])[a-z]+\.[a-z_]+[a-z]\b(?![\w/.@-])")


class Visible(HTMLParser):
    """The words a reader sees: text outside scripts and styles, and the attributes read out or shown
    (a title, a label for a screen reader, a placeholder, an image's text)."""

    SHOWN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.SHOWN and value:
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def readable(response) -> str:
    """The words of a page or a printed paper (the test client's response); nothing for anything else."""
    kind = response.get("Content-Type", "")
    if "html" in kind:
        return visible_text(response.content.decode())
    if kind == "application/pdf":
        pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())
    return ""


def _around(text: str, match: re.Match, width: int = 50) -> str:
    return "…" + text[max(match.start() - width, 0) : match.end() + width] + "…"


def findings(text: str, *, usernames: dict[str, str] | None = None, vietnamese: bool = True) -> list[str]:
    """What is wrong with the words of one page or paper, each with its surroundings.

    ``usernames`` maps each username to the person's name: the username may not be shown where the
    person has a name (unless it is shown beside the name, as an administrator's account list does)."""
    usernames = usernames or {}
    found = [f"developer note {m.group()!r}: {_around(text, m)}" for m in NOTES.finditer(text)]
    # A username is judged by the name beside it (below), not as a code.
    found += [
        f"code {m.group()!r}: {_around(text, m)}" for m in CODE.finditer(text) if m.group() not in usernames
    ]
    if vietnamese:
        for what, pattern in (("English citation", ENGLISH_CITATION), ("English duration", ENGLISH_DURATION)):
            found += [f"{what} {m.group()!r}: {_around(text, m)}" for m in pattern.finditer(text)]
    for username, name in usernames.items():
        if not name:
            continue
        for m in re.finditer(rf"(?<![\w.@/-]){re.escape(username)}(?![\w.@/-])", text):
            if name not in text[max(m.start() - len(name) - 5, 0) : m.end() + len(name) + 5]:
                found.append(f"username {username!r} for {name}: {_around(text, m)}")
    return found
