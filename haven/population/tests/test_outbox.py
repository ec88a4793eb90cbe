"""The register is down: the birth's PIN request waits, the user sees it waiting, and it arrives once
the register is back. Haven runs with HttpRegister here; the rest of the suite keeps InProcessRegister."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.utils import translation

from haven.api.tests.client import ApiClient
from haven.core import clock
from haven.foundlings import services
from haven.foundlings.models import State
from haven.population.models import RegisterRequest, RequestStatus
from haven.population.register import register
from haven.population.selectors import pin_status
from haven.population.services import requests_process

from .conftest import free_port, running


@pytest.fixture
def http_register(settings):
    port = free_port()
    settings.HAVEN_POPULATION_REGISTER = "haven.population.client.HttpRegister"
    settings.HAVEN_POPULATION_REGISTER_HTTP = {
        **settings.HAVEN_POPULATION_REGISTER_HTTP,
        "url": f"http://127.0.0.1:{port}",
        "timeout": 2.0,
        "backoff": 0.01,
    }
    register.cache_clear()
    yield port
    register.cache_clear()


def registered_birth(world, capture):
    case = services.foundling_report(
        actor=world.hospital_sw,
        found_at=clock.now() - dt.timedelta(days=9),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="female",
        estimated_age_days=3,
        condition="Trẻ sơ sinh, khóc to",
    )
    case.state = State.NOTICE_EXPIRED  # the steps before are the foundlings' tests
    case.save(update_fields=["state"])
    with capture(execute=True):
        services.foundling_register_birth(
            actor=world.civil_status_a, case=case, family_name="Lê", middle_name="Thu", given_name="Hà"
        )
    case.refresh_from_db()
    return case


def test_register_down_the_request_waits_then_the_pin_arrives(
    world, client, http_register, register_db, django_capture_on_commit_callbacks
):
    case = registered_birth(world, django_capture_on_commit_callbacks)
    request = RegisterRequest.objects.get(child=case.child)
    assert request.status == RequestStatus.WAITING and request.attempts == 1 and request.last_error
    assert case.state == State.BIRTH_REGISTERED and not case.child.pin_encrypted

    # The user sees "waiting for the register", not an error, on the page and through the API.
    client.force_login(world.officer_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/foundlings/{case.pk}/")
    assert page.status_code == 200
    detail = ApiClient(world.officer_a).get(f"/foundlings/{case.pk}")
    assert detail.status_code == 200
    assert (
        detail.json()["pin_request"]["status"] == "waiting" and detail.json()["pin_request"]["attempts"] == 1
    )
    text = page.content.decode()
    assert "waiting for the register" in text and "The register has not answered yet (1 try)" in text

    # Still down at the next retry: nothing lost, one more attempt, a later retry.
    assert requests_process(now=request.next_attempt_at) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.WAITING and request.attempts == 2

    # The register is back: the background retry stores the PIN and moves the case on.
    with running(register_db, port=http_register):
        assert requests_process(now=request.next_attempt_at) == 1
    case.refresh_from_db()
    pin = case.child.pin
    assert len(pin) == 12 and pin[3] == "3"  # a girl born in the 21st century
    db = sqlite3.connect(register_db)
    held = db.execute(
        "SELECT p.family_name, p.given_name, p.commune_code FROM birth b JOIN person p ON p.id = b.person_id "
        "WHERE b.idempotency_key = ? AND p.pin = ?",
        (f"birth-{case.pk}", pin),
    ).fetchall()
    db.close()
    assert held == [("Lê", "Hà", world.commune_a.code)]
    assert "pin_received" in [s.action for s in case.steps.all()]
    assert ApiClient(world.officer_a).get(f"/foundlings/{case.pk}").json()["pin_request"]["status"] == "done"


def test_register_up_the_pin_arrives_at_once(
    world, http_register, register_db, django_capture_on_commit_callbacks
):
    with running(register_db, port=http_register):
        case = registered_birth(world, django_capture_on_commit_callbacks)
    assert len(case.child.pin) == 12
    assert pin_status(case.child).status == "done"


def test_a_refusal_is_kept_with_its_reason_in_the_users_language(world, django_capture_on_commit_callbacks):
    case = registered_birth(world, django_capture_on_commit_callbacks)  # in-process: answered
    request = RegisterRequest.objects.get(child=case.child)
    request.status, request.last_error = RequestStatus.FAILED, "unknown_commune: No commune has the code 1."
    request.save()
    with translation.override("en"):
        status = pin_status(case.child)
    assert status.status == "failed" and status.next_attempt_at is None
    assert status.reason == "The register does not know the commune of registration."
