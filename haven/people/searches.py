"""What a person typed into a search stays out of the address: a name or a PIN in a query string ends
up in every access log on the way (the web server's, a proxy's, the browser's history). The search is
sent in a POST body and kept in the session under a random token, and the address carries only the
token (``/children/?s=…``), so that paging, going back and the address bar still work."""

from __future__ import annotations

import secrets

from haven.core.limits import SEARCH_MAX_CHARS

SESSION_KEY = "haven_searches"
KEPT = 20  # the newest searches of a session; an older token finds nothing


def remember(request, query: str) -> str:
    """Keep ``query`` for this session and return the token the address may carry."""
    token = secrets.token_urlsafe(9)
    searches = dict(request.session.get(SESSION_KEY, {}))
    # Kept only as long as a search may be, and a character more: the search still says it is too long.
    searches[token] = query[: SEARCH_MAX_CHARS + 1]
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return token


def recall(request, token: str | None) -> str:
    """The query a token stands for in this session; "" for an unknown or expired one."""
    if not token:
        return ""
    return request.session.get(SESSION_KEY, {}).get(token, "")
