"""Who is not yet safe (Notice 432-TB/VPTW §2: no abandoned child missed). Every found child not
yet in care, with a notice expired and no birth registered, registered without a personal
identification number or a health-insurance card, or with an overdue step, is named with why, on
the page and through the API, a page at a time and never cut. The expected children are worked out
here from the cases themselves, not through the module under test."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.foundlings import reconciliation
from haven.foundlings.models import FoundlingCase, State
from haven.foundlings.tests.test_pathway import report
from haven.people.models import Child


def _set(case: FoundlingCase, state: State, *, pin: str | None = None, card: str = "") -> None:
    FoundlingCase.objects.filter(pk=case.pk).update(state=state, health_insurance_number=card)
    Child.objects.filter(pk=case.child_id).update(pin_index=pin)


@pytest.fixture
def province(world, frozen):
    """Eight found children of one commune, at every stage; three are safe."""
    cases = [report(world, frozen) for _ in range(8)]
    frozen.advance(hours=1)
    # Reported an hour ago: the commune's acknowledgement is overdue for the first two.
    sweep(now=frozen.at)
    Obligation.objects.filter(subject_id__in=[c.pk for c in cases[2:]]).update(
        status=Status.MET, closed_at=frozen.at
    )
    _set(cases[2], State.TEMPORARY_CARE)  # safe: in care, nothing due
    _set(cases[3], State.NOTICE_EXPIRED)
    _set(cases[4], State.BIRTH_REGISTERED, card="HT4010100000001")  # no PIN
    _set(cases[5], State.BENEFITS_ENROLLED, pin="pin-5")  # no card
    _set(cases[6], State.PLACED, pin="pin-6", card="HT4010100000006")  # safe
    _set(cases[7], State.REUNIFIED)  # back with the family: closed
    return cases


def expected(cases, now: dt.datetime) -> dict[str, set[str]]:
    """Why each child is not yet safe, read off each case one by one."""
    now_overdue = {
        o.subject_id for o in Obligation.objects.all() if o.status == Status.OPEN and o.due_at < now
    }
    out: dict[str, set[str]] = {}
    for case in FoundlingCase.objects.filter(pk__in=[c.pk for c in cases]).select_related("child"):
        why = set()
        if case.state in (State.REPORTED, State.ACKNOWLEDGED, State.HANDOVER_PENDING):
            why.add("not_in_care")
        if case.state == State.NOTICE_EXPIRED:
            why.add("notice_expired_unregistered")
        registered = case.state in (
            State.BIRTH_REGISTERED,
            State.BENEFITS_ENROLLED,
            State.CARE_PLANNING,
            State.PLACED,
        )
        if registered and not case.child.pin_index:
            why.add("no_pin")
        if registered and not case.health_insurance_number:
            why.add("no_card")
        if case.pk in now_overdue:
            why.add("overdue_step")
        if why and case.state != State.REUNIFIED:
            out[str(case.child_id)] = why
    return out


def test_every_child_not_yet_safe_is_named_with_why_on_the_page_a_page_at_a_time(
    world, client, frozen, province, monkeypatch
):
    monkeypatch.setattr(reconciliation, "PAGE_SIZE", 2)
    want = expected(province, frozen.at)
    assert len(want) == 5  # two overdue and not in care, notice expired, no PIN, no card
    client.force_login(world.provincial)
    seen: list[str] = []
    page = 1
    while True:
        html = client.get(f"/foundlings/reconciliation/?page={page}").content.decode()
        seen += re.findall(r'data-child="([0-9a-f-]+)"', html)
        if f"page={page + 1}" not in html:
            break
        page += 1
    assert sorted(seen) == sorted(want)  # each child once, none cut
    first = client.get("/foundlings/reconciliation/").content.decode()
    assert "chưa có số định danh cá nhân" in first  # the reason, in Vietnamese


def test_the_api_names_the_same_children_with_the_same_reasons(world, frozen, province, monkeypatch):
    monkeypatch.setattr(reconciliation, "PAGE_SIZE", 2)
    want = expected(province, frozen.at)
    api = ApiClient(world.provincial)
    got: dict[str, set[str]] = {}
    body = api.get("/foundlings/not-yet-safe").json()
    assert body["count"] == len(want) and body["pages"] == 3
    for page in range(1, body["pages"] + 1):
        for item in api.get("/foundlings/not-yet-safe", page=page).json()["items"]:
            assert item["child_id"] not in got
            got[item["child_id"]] = set(item["reasons"])
    assert got == want
    assert body["children"] == {"value": 5, "suppressed": False}
    assert body["counts"]["overdue_step"]["value"] == 2


def test_only_the_children_on_the_page_shown_are_audited_as_seen(
    world, client, frozen, province, monkeypatch
):
    monkeypatch.setattr(reconciliation, "PAGE_SIZE", 2)
    client.force_login(world.provincial)
    html = client.get("/foundlings/reconciliation/").content.decode()
    shown = set(re.findall(r'data-child="([0-9a-f-]+)"', html))
    event = AuditEvent.objects.filter(action="child.list").latest("seq")
    assert set(event.data["shown"]) == shown and len(shown) == 2


def test_an_analyst_gets_counts_only_and_small_counts_are_suppressed(world, client, frozen, province):
    client.force_login(world.analyst)
    html = client.get("/foundlings/reconciliation/").content.decode()
    assert "data-child=" not in html
    body = ApiClient(world.analyst).get("/foundlings/not-yet-safe").json()
    assert body["items"] == [] and body["count"] is None
    assert body["children"] == {"value": 5, "suppressed": False}
    assert body["counts"]["no_pin"] == {"value": None, "suppressed": True}


def test_someone_who_sees_neither_children_nor_figures_is_refused(world, client, frozen):
    # The system administrator holds a role, but neither sees a child nor counts them.
    assert ApiClient(world.admin).get("/foundlings/not-yet-safe").status_code == 404
    client.force_login(world.admin)
    assert client.get("/foundlings/reconciliation/").status_code == 404


def test_a_province_code_that_is_not_one_is_refused_with_a_reason(world, frozen):
    response = ApiClient(world.provincial).get("/foundlings/not-yet-safe", province="x1")
    assert response.status_code == 422
