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

KNOWN_RULES = {
    markers.PUBLIC,
    markers.AUTHENTICATED,
    markers.ACCOUNT,
    markers.SECOND_FACTOR,
    markers.ENROLMENT,
    markers.API,
} | {v.value for v in Verb}


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
        "accounts/reset/",
        "accounts/reset/<str:key>/",
        "areas/communes/",
        "healthz",
        "i18n/js/",
        "i18n/setlang/",
        # The public ledger of sponsorship resources (docs/decisions/0023): no child's data, anyone checks it.
        "ledger/",
        "ledger/checkpoint",
        "ledger/cosign",
        "ledger/donors/",
        "ledger/entries",
        "ledger/keys",
        "ledger/lookup",
        "ledger/open-data.<str:fmt>",
        "ledger/proof/consistency",
        "ledger/proof/inclusion",
        "metrics",  # the monitoring network or its token, else a 404 (haven/ops/views.py)
        "readyz",
        "report/",
        "report/child-at-risk/",
        # Anyone may complain or give feedback, named or not, throttled by address (docs/decisions/0027).
        "report/complaint/",
        # A carer confirms a disbursement with the reference and code of her SMS (docs/decisions/0028).
        "xacnhan/",
    ]


def test_before_the_second_factor_only_signing_in_and_out_and_setting_it_up_are_open():
    # What a person reaches with the password alone (access/middleware.py): the code page and signing
    # out (SECOND_FACTOR), and setting a factor up (ENROLMENT) when they have none.
    open_early = sorted(
        route
        for route, view in walk(get_resolver().url_patterns)
        if getattr(view, "haven_access", None) in (markers.SECOND_FACTOR, markers.ENROLMENT)
    )
    assert open_early == [
        "accounts/logout/",
        "accounts/security/",
        "accounts/security/totp/start/",
        "accounts/verify/",
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


def test_only_the_own_account_pages_open_to_an_account_without_a_role():
    # The account pages (ACCOUNT), and setting up a second factor (ENROLMENT), which opens even before.
    own_account = sorted(
        route
        for route, view in walk(get_resolver().url_patterns)
        if getattr(view, "haven_access", None) in (markers.ACCOUNT, markers.ENROLMENT)
    )
    assert own_account == [
        "accounts/password/",
        "accounts/security/",
        "accounts/security/totp/start/",
        "accounts/security/totp/stop/",
    ]
