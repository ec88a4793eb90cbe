"""The inbox, on the page and through the API: the messages of the user's organisations that the user
can open, the newest first, a page at a time; a message to one member is that member's alone."""

from __future__ import annotations

import datetime as dt

from haven.api.tests.client import ApiClient
from haven.notifications import views
from haven.notifications.services import notify


def test_the_api_gives_the_same_messages_as_the_page_newest_first(world, client, frozen):
    committee = world.orgs["committee_a"]
    for n in range(3):
        notify(
            organisation=committee, kind="test", title=f"Tin số {n}", at=frozen.at + dt.timedelta(minutes=n)
        )
    notify(organisation=world.orgs["committee_b"], kind="test", title="Của xã khác")
    body = ApiClient(world.officer_a).get("/inbox").json()
    assert [m["title"] for m in body["items"]] == ["Tin số 2", "Tin số 1", "Tin số 0"]
    client.force_login(world.officer_a)
    page = client.get("/inbox/").content.decode()
    assert "Tin số 2" in page and "Của xã khác" not in page


def test_a_message_to_one_member_is_not_read_by_the_others(world, client, frozen):
    committee = world.orgs["committee_a"]
    chairman = world.users["chairman_a"]
    notify(organisation=committee, kind="test", title="Chỉ cho chủ tịch", user=chairman)
    assert [m["title"] for m in ApiClient(chairman).get("/inbox").json()["items"]] == ["Chỉ cho chủ tịch"]
    assert ApiClient(world.officer_a).get("/inbox").json()["items"] == []
    client.force_login(world.officer_a)
    assert "Chỉ cho chủ tịch" not in client.get("/inbox/").content.decode()


def test_no_message_is_cut_off_every_one_is_on_some_page(world, client, frozen, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    committee = world.orgs["committee_a"]
    for n in range(5):
        notify(organisation=committee, kind="test", title=f"Tin {n}", at=frozen.at + dt.timedelta(minutes=n))
    client.force_login(world.officer_a)
    seen = [
        t
        for p in (1, 2, 3)
        for t in [f"Tin {n}" for n in range(5)]
        if t in client.get(f"/inbox/?page={p}").content.decode()
    ]
    assert sorted(seen) == [f"Tin {n}" for n in range(5)]
    api = ApiClient(world.officer_a).get("/inbox").json()
    assert api["count"] == 5


def test_without_a_token_the_inbox_is_refused(world):
    assert ApiClient().get("/inbox").status_code == 401
