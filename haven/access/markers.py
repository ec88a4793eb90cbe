"""Access markers: every view declares who may reach it; DenyByDefaultMiddleware enforces it.

A view with no marker is refused, and haven/access/tests/test_urlconf.py walks the URLconf to prove
every URL carries one.
"""

from __future__ import annotations

from collections.abc import Callable

from haven.access.policy import Verb

PUBLIC = "public"  # anyone, no login (login page, the public report forms)
# Any signed-in, verified user holding a role in force; the view scopes what it shows. An account
# without one is sent to its own account page.
AUTHENTICATED = "authenticated"
ACCOUNT = "account"  # the user's own account pages: signed in and verified, with or without a role
SECOND_FACTOR = "second_factor"  # signed in with a password, second factor not yet given
# Signed in, with the second factor given if one is set up: setting one up. The only pages open to a
# person whose role requires a second factor and who has none yet.
ENROLMENT = "enrolment"
API = "api"  # django-ninja checks its own bearer token on every operation (haven/api)


def _mark(rule: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        view.haven_access = rule
        return view

    return decorate


public = _mark(PUBLIC)
authenticated = _mark(AUTHENTICATED)
account = _mark(ACCOUNT)
second_factor = _mark(SECOND_FACTOR)
enrolment = _mark(ENROLMENT)
api = _mark(API)


def requires(verb: Verb) -> Callable:
    """Signed in and holding a role that grants ``verb``; objects are checked again in the view."""
    return _mark(verb.value)
