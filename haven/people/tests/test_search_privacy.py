"""A child's name or PIN never goes into an address: every access log on the way (the web server's, a
proxy's, the browser's history) records addresses. A search is posted; the address then carries an
opaque token that stands for it in the person's own session.

Refused: a token from another session finds nothing, and the API answers a search in the address
with 422 rather than with every child.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from haven.api.tests.client import ApiClient
from haven.people import services
from haven.people.models import Child
from haven.people.tests.test_api import a_pin

BORN = dt.date(2018, 5, 1)


@pytest.fixture
def an(world) -> Child:
    child = world.child(
        family_name="Nguyễn", middle_name="Văn", given_name="An", sex="male", date_of_birth=BORN
    )
    return services.child_update(actor=world.officer_a, child=child, pin=a_pin(sex="male", born=BORN))


@pytest.fixture
def officer(world) -> Client:
    client = Client()
    client.force_login(world.officer_a)
    return client


def test_a_search_by_pin_is_posted_and_the_address_carries_only_a_token(world, an, officer):
    others = [world.child(commune=world.commune_a) for _ in range(2)]
    response = officer.post("/children/", {"q": an.pin})
    assert response.status_code == 303
    address = response["Location"]
    assert an.pin not in address and "q=" not in address and "s=" in urlsplit(address).query
    page = officer.get(address).content.decode()
    assert an.full_name in page and not any(o.full_name in page for o in others)


def test_a_search_by_name_while_typing_pushes_a_token_not_the_name(world, an, officer):
    response = officer.post("/children/", {"q": "nguyen van an"}, HTTP_HX_REQUEST="true")
    assert an.full_name in response.content.decode()
    pushed = response["HX-Push-Url"]
    assert "nguyen" not in pushed.lower() and "s=" in pushed
    # The address pushed finds the same child again (going back, reloading).
    assert an.full_name in officer.get(pushed).content.decode()


def test_the_pages_of_results_link_by_token(world, officer):
    for _ in range(30):
        world.child(commune=world.commune_a, family_name="Trần", given_name="Bình")
    page = officer.post("/children/", {"q": "tran binh"}, follow=True).content.decode()
    assert "?s=" in page and "page=2" in page and "q=" not in page


def test_a_token_from_another_session_finds_nothing(world, an, officer):
    address = officer.post("/children/", {"q": an.pin})["Location"]
    stranger = Client()
    stranger.force_login(world.officer_a)  # the same officer, on another browser
    page = stranger.get(address).content.decode()
    assert an.full_name in page  # the whole list: the token is not a search here
    assert f'value="{an.pin}"' not in page


def test_a_search_in_the_address_is_not_honoured(world, an, officer):
    other = world.child(commune=world.commune_a)
    page = officer.get("/children/", {"q": an.pin}).content.decode()
    assert other.full_name in page  # the whole list, not the search


def test_the_sibling_search_is_posted_too(world, an, officer):
    brother = world.child(commune=world.commune_a, family_name="Nguyễn", given_name="Bảo")
    response = officer.post(f"/children/{an.pk}/siblings/new/", {"q": "nguyen bao"})
    assert response.status_code == 303 and "nguyen" not in response["Location"].lower()
    assert brother.full_name in officer.get(response["Location"]).content.decode()


def test_the_api_searches_in_the_body_and_refuses_a_search_in_the_address(world, an):
    api = ApiClient(world.officer_a)
    found = api.post("/children/search", {"q": an.pin}).json()
    assert [c["id"] for c in found["items"]] == [str(an.pk)]
    refused = api.get("/children", q=an.pin)
    assert refused.status_code == 422 and list(refused.json()["fields"]) == ["q"]


def test_no_api_operation_takes_a_name_or_a_pin_in_its_address():
    document = json.loads((Path(settings.BASE_DIR) / "docs" / "openapi.json").read_text(encoding="utf-8"))
    personal = {"q", "name", "pin", "family_name", "middle_name", "given_name", "full_name"}
    in_address = [
        f"{method.upper()} {path} ?{parameter['name']}"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["name"] in personal
    ]
    assert in_address == []
