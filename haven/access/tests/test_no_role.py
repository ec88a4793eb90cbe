"""A signed-in account without a role in force reaches its own account pages, signing out and the
language switch, and nothing else: no page, no API operation.

A role is in force while the membership's dates cover today and its organisation and user are active
(haven/accounts/models.py). The walk covers every URL pattern, so a page added later is covered too.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import get_resolver, resolve
from django.utils import timezone

from haven.access import markers
from haven.access.tests.test_urlconf import walk
from haven.accounts.models import Membership
from haven.api.tests.client import ApiClient

# What such an account may still open: its own account pages and the steps of signing in and out.
OPEN_WITHOUT_ROLE = {markers.ACCOUNT, markers.ENROLMENT, markers.SECOND_FACTOR, markers.PUBLIC}
SAMPLES = {"int": "1", "uuid": str(uuid.UUID(int=1, version=4)), "str": "x", "slug": "x", "path": "x"}


def sample_path(route: str) -> str:
    """A concrete address for a URL pattern: a sample value for each parameter."""
    path = route.replace("(?P<code>[0-9]{2})", "01").replace("^", "").replace("$", "")
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], path)


def routes():
    for route, view in walk(get_resolver().url_patterns):
        path = sample_path(route)
        found = resolve(path)
        # (ninja routes one path twice when its operations differ in method: the route then tells)
        assert found.func == view or found.route == route, f"no sample address for {route}"
        yield route, path, getattr(view, "haven_access", None)


def without_role(world, how: str):
    """The three ways to hold no role: never given one, one that ended, one in a closed organisation."""
    if how == "never":
        return world.nobody
    user = world.officer_a
    if how == "ended":
        Membership.objects.filter(user=user).update(valid_to=timezone.localdate() - dt.timedelta(days=1))
    else:
        world.orgs["committee_a"].is_active = False
        world.orgs["committee_a"].save()
    return user


@pytest.mark.parametrize("how", ["never", "ended", "closed_organisation"])
def test_an_account_without_a_role_reaches_no_page_but_its_own(world, how):
    client = Client()
    client.force_login(without_role(world, how))
    reached = []
    for route, path, rule in routes():
        if rule in OPEN_WITHOUT_ROLE or rule == markers.API:
            continue
        response = client.get(path)
        sent_to_account = response.status_code == 302 and response["Location"] == "/accounts/security/"
        if response.status_code != 404 and not sent_to_account:
            reached.append(f"{route} ({response.status_code})")
    assert len(reached) < 1, "\n".join(reached)


def operations():
    """Every operation of /api/v1 as (method, a concrete address)."""
    from haven.api.api import api

    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            address = re.sub(
                r"{(?:(\w+):)?\w+}", lambda m: SAMPLES[m.group(1) or "str"], router.prefix + path
            )
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, "/api/v1" + address


@pytest.mark.parametrize("how", ["never", "ended"])
def test_an_account_without_a_role_is_refused_by_every_api_operation(world, how, settings):
    # Every operation must answer for itself: the token's rate limit has its own test (api/test_auth).
    settings.HAVEN_API_RATE_PER_MINUTE = 1_000_000
    client = ApiClient(without_role(world, how)).client
    reached = []
    for method, address in operations():
        response = client.generic(method, address, "{}", content_type="application/json")
        if response.status_code != 403 or response.json()["code"] != "no_role":
            reached.append(f"{method} {address} ({response.status_code})")
    assert len(reached) < 1, "\n".join(reached)


def test_it_still_opens_its_account_page_signs_out_and_switches_language(world):
    client = Client()
    client.force_login(world.nobody)
    home = client.get("/", follow=True)
    assert home.redirect_chain == [("/accounts/security/", 302)]
    assert "Tài khoản của bạn chưa được phân vai trò" in home.content.decode()  # has no role yet
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/security/").status_code == 302  # signed out: to the sign-in page


def test_a_role_in_force_still_opens_the_pages(world):
    client = Client()
    client.force_login(world.officer_a)
    for path in ("/", "/inbox/", "/areas/", "/deadlines/", "/protection/referrals/"):
        assert client.get(path).status_code == 200, path
    assert ApiClient(world.officer_a).get("/areas/provinces").status_code == 200
