"""Every URL declares its access rule; a view without one is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from haven.access import markers
from haven.access.middleware import DenyByDefaultMiddleware
from haven.access.policy import Verb

KNOWN_RULES = {markers.PUBLIC, markers.AUTHENTICATED, markers.SECOND_FACTOR, markers.API} | {
    v.value for v in Verb
}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_url_declares_a_known_access_rule():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 20
    unmarked = [route for route, view in routes if getattr(view, "haven_access", None) is None]
    unknown = [route for route, view in routes if getattr(view, "haven_access", None) not in KNOWN_RULES]
    assert unmarked == [], f"views without an access marker: {unmarked}"
    assert unknown == [], f"views with an unknown access rule: {unknown}"


def test_only_the_expected_pages_are_public():
    public = sorted(
        route
        for route, view in walk(get_resolver().url_patterns)
        if getattr(view, "haven_access", None) == markers.PUBLIC
    )
    assert public == [
        "accounts/login/",
        "areas/communes/",
        "healthz",
        "i18n/js/",
        "i18n/setlang/",
        "report/",
        "report/child-at-risk/",
    ]


def test_a_view_without_a_marker_is_refused_with_404():
    def unmarked_view(request):  # pragma: no cover - must never run
        raise AssertionError("reached")

    request = RequestFactory().get("/anything")
    request.user = AnonymousUser()
    with pytest.raises(Http404):
        DenyByDefaultMiddleware(lambda r: None).process_view(request, unmarked_view, (), {})


def test_every_api_operation_requires_a_token():
    from haven.api.api import api

    operations = [
        (f"{router.prefix}{path}", op.methods, op.auth_callbacks)
        for router in api._get_bound_routers()
        for path, path_view in router.path_operations.items()
        for op in path_view.operations
    ]
    assert len(operations) >= 7
    open_operations = [(path, methods) for path, methods, auth in operations if not auth]
    assert open_operations == [], f"API operations without authentication: {open_operations}"
