"""Access markers: every view declares who may reach it; DenyByDefaultMiddleware enforces it.

A view with no marker is refused, and haven/access/tests/test_urlconf.py walks the URLconf to prove
every URL carries one.
"""

from __future__ import annotations

from collections.abc import Callable

from haven.access.policy import Verb

PUBLIC = "public"  # anyone, no login (login page, the public report forms)
AUTHENTICATED = "authenticated"  # any signed-in, verified user; the view scopes what it shows
SECOND_FACTOR = "second_factor"  # signed in with a password, second factor not yet given
API = "api"  # django-ninja checks its own bearer token on every operation (haven/api)


def _mark(rule: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        view.haven_access = rule
        return view

    return decorate


public = _mark(PUBLIC)
authenticated = _mark(AUTHENTICATED)
second_factor = _mark(SECOND_FACTOR)
api = _mark(API)


def requires(verb: Verb) -> Callable:
    """Signed in and holding a role that grants ``verb``; objects are checked again in the view."""
    return _mark(verb.value)
