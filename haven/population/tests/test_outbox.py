"""The register is down: the birth's PIN request waits, the user sees it waiting, and it arrives once
the register is back. Haven runs with HttpRegister here; the rest of the suite keeps InProcessRegister."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.conf import settings
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


def test_the_in_process_register_finds_the_children_it_gave_a_pin(world, django_capture_on_commit_callbacks):
    from haven.population.register import InProcessRegister, PersonQuery, RegisterRefused

    case = registered_birth(world, django_capture_on_commit_callbacks)
    child = case.child
    in_process = InProcessRegister()
    person = in_process.person(child.pin)
    assert person.full_name == "Lê Thu Hà" and person.sex == "female"
    assert person.commune_code == world.commune_a.code
    found = in_process.search(
        PersonQuery(family_name="LE", given_name="ha", date_of_birth=child.date_of_birth)
    )
    assert [p.pin for p in found] == [child.pin]
    assert in_process.search(PersonQuery(family_name="Lê", given_name="Hương")) == []
    assert in_process.person("001226000000") is None
    with pytest.raises(RegisterRefused):
        in_process.person("12")
    with pytest.raises(RegisterRefused):
        in_process.search(PersonQuery(sex="female"))


def _queued_birth(world, capture):
    """A registered birth whose PIN request is queued but not yet tried."""
    case = services.foundling_report(
        actor=world.hospital_sw,
        found_at=clock.now() - dt.timedelta(days=9),
        found_commune=world.commune_a,
        found_place="Cổng chợ",
        sex="female",
        estimated_age_days=3,
        condition="Khỏe",
    )
    case.state = State.NOTICE_EXPIRED
    case.save(update_fields=["state"])
    with capture(execute=False):
        services.foundling_register_birth(
            actor=world.civil_status_a, case=case, family_name="Vũ", middle_name="Thị", given_name="Mai"
        )
    case.refresh_from_db()
    return case


def test_a_pin_the_record_cannot_take_is_kept_for_a_person_and_the_commune_told(
    world, django_capture_on_commit_callbacks
):
    from haven.lib import crypto
    from haven.notifications.models import Notification
    from haven.people.models import Child

    case = _queued_birth(world, django_capture_on_commit_callbacks)
    request = RegisterRequest.objects.get(child=case.child)
    assert request.payload["dob_estimated"] is True  # the foundling's year is estimated
    Child.objects.filter(pk=case.child_id).update(sex="male")  # edited after the request was queued
    assert requests_process(now=clock.now()) == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.CONFLICT and request.last_error.startswith("pin_")
    pin = crypto.decrypt(request.answered_pin_encrypted, keys=settings.HAVEN_FIELD_KEYS)
    assert len(pin) == 12 and pin[3] == "3"  # the girl's PIN the register issued is not lost
    assert request.register_person_id and request.answered_at
    told = Notification.objects.get(child=case.child, kind="pin_conflict")
    assert told.organisation == world.orgs["committee_a"] and told.link == f"/foundlings/{case.pk}/"
    with translation.override("en"):
        status = pin_status(case.child)
    assert status.status == "conflict" and "sex or year" in status.reason


def test_a_refused_birth_is_corrected_and_sent_again_under_a_new_linked_key(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    from haven.notifications.models import Notification
    from haven.population.register import RegisterRefused

    case = _queued_birth(world, django_capture_on_commit_callbacks)
    failed = RegisterRequest.objects.get(child=case.child)

    class Refusing:
        def register_birth(self, *args, **kwargs):
            raise RegisterRefused("Commune 1 is not in province 2.", code="commune_not_in_province")

    with monkeypatch.context() as patch:
        patch.setattr("haven.population.services.register", lambda: Refusing())
        assert requests_process(now=clock.now()) == 0
    failed.refresh_from_db()
    assert failed.status == RequestStatus.FAILED
    assert Notification.objects.filter(
        child=case.child, kind="pin_failed", organisation=world.orgs["committee_a"]
    ).exists()

    # The officer sees the refusal and the action on the page, with the form filled from the record.
    client.force_login(world.civil_status_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/foundlings/{case.pk}/").content.decode()
    assert "Refused by the register" in page and f"/foundlings/{case.pk}/resend_pin/" in page
    form = client.get(f"/foundlings/{case.pk}/resend_pin/").content.decode()
    assert 'value="Mai"' in form

    # Bad input changes nothing.
    api = ApiClient(world.civil_status_a)
    bad = api.post(
        f"/foundlings/{case.pk}/birth-registration/resend", {"family_name": "Vũ", "given_name": " "}
    )
    assert bad.status_code in (400, 422) and RegisterRequest.objects.filter(child=case.child).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            f"/foundlings/{case.pk}/birth-registration/resend",
            {"family_name": "Vũ", "middle_name": "Thị", "given_name": "Mai Anh"},
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["pin_request"]["status"] == "waiting"  # the first try runs once committed
    assert api.get(f"/foundlings/{case.pk}").json()["pin_request"]["status"] == "done"
    again = RegisterRequest.objects.get(replaces=failed)
    assert again.idempotency_key == f"birth-{case.pk}-2" and again.status == RequestStatus.DONE
    case.refresh_from_db()
    assert case.child.given_name == "Mai Anh" and case.birth_registration.given_name == "Mai Anh"
    assert len(case.child.pin) == 12 and "resend_pin" in [s.action for s in case.steps.all()]

    # Nothing is refused any more: no second re-send.
    refused = api.post(
        f"/foundlings/{case.pk}/birth-registration/resend", {"family_name": "Vũ", "given_name": "Mai"}
    )
    assert refused.status_code in (400, 409) and RegisterRequest.objects.filter(child=case.child).count() == 2


def test_a_waiting_request_cannot_be_sent_again(world, django_capture_on_commit_callbacks):
    from haven.core.errors import Refused

    case = _queued_birth(world, django_capture_on_commit_callbacks)
    with pytest.raises(Refused):
        services.foundling_pin_resend(
            actor=world.civil_status_a, case=case, family_name="Vũ", given_name="Mai"
        )


def test_one_broken_row_never_stops_the_pass(world, django_capture_on_commit_callbacks, monkeypatch, caplog):
    from haven.notifications.models import Notification
    from haven.population import services as outbox

    first = _queued_birth(world, django_capture_on_commit_callbacks)
    second = _queued_birth(world, django_capture_on_commit_callbacks)
    broken = RegisterRequest.objects.get(child=first.child)
    broken.payload = {**broken.payload, "date_of_birth": "not a date"}  # a bug: raises ValueError
    broken.save()
    assert requests_process(now=clock.now()) == 1  # the other child still gets its PIN
    second.refresh_from_db()
    assert len(second.child.pin) == 12
    broken.refresh_from_db()
    assert broken.status == RequestStatus.WAITING and broken.attempts == 1
    assert broken.last_error.startswith("internal_error: ValueError") and broken.next_attempt_at > clock.now()
    assert "raised" in caplog.text
    monkeypatch.setattr(outbox, "MAX_BROKEN_ATTEMPTS", 2)
    assert requests_process(now=broken.next_attempt_at) == 0
    broken.refresh_from_db()
    assert broken.status == RequestStatus.FAILED  # given up, for a person, and the commune told
    assert Notification.objects.filter(child=first.child, kind="pin_failed").exists()


def test_a_failing_first_try_does_not_break_the_saved_birth(
    world, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from haven.population import services as outbox

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(outbox, "request_try", boom)
    case = _queued_birth(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # robust: logged, not raised to the page
        outbox.pin_request(
            child=case.child, idempotency_key="robust-check", registration_commune=world.commune_a
        )
    assert "unexpected" in caplog.text
    request = RegisterRequest.objects.get(idempotency_key="robust-check")
    assert request.status == RequestStatus.WAITING and request.next_attempt_at <= clock.now()  # the sweep


def test_an_open_breaker_is_not_an_attempt(world, django_capture_on_commit_callbacks, monkeypatch):
    from haven.population.client import BreakerOpen

    case = _queued_birth(world, django_capture_on_commit_callbacks)

    class Open:
        def register_birth(self, *args, **kwargs):
            raise BreakerOpen("paused")

    monkeypatch.setattr("haven.population.services.register", lambda: Open())
    assert requests_process(now=clock.now()) == 0
    request = RegisterRequest.objects.get(child=case.child)
    assert request.attempts == 0 and request.status == RequestStatus.WAITING
    assert request.next_attempt_at > clock.now()


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("invalid_sex", "the child's sex"),
        ("parent_mismatch", "cannot be this child's parent"),
        ("invalid_province", "province code"),
        ("invalid_commune", "commune code"),
        ("invalid_date", "date of birth"),
        ("too_long", "too long"),
        ("unknown_field", "unknown field"),
        ("invalid_type", "wrong type"),
        ("something_new", "reason: something_new"),
    ],
)
def test_every_refusal_code_reads_in_the_users_language(
    world, django_capture_on_commit_callbacks, code, text
):
    case = _queued_birth(world, django_capture_on_commit_callbacks)
    request = RegisterRequest.objects.get(child=case.child)
    request.status, request.last_error = RequestStatus.FAILED, f"{code}: English text from the register."
    request.save()
    with translation.override("en"):
        reason = pin_status(case.child).reason
    assert text in reason and "English text" not in reason


def test_once_the_register_is_back_every_waiting_request_goes_out_within_minutes(
    world, http_register, register_db, django_capture_on_commit_callbacks, frozen
):
    """Down for a week: each request has backed off to its longest delay. The first pass after the
    register is back stores one PIN, and the next pass (a sweep later) stores all the others."""
    from haven.population.client import breakers_reset
    from haven.population.services import MAX_DELAY

    cases = [registered_birth(world, django_capture_on_commit_callbacks) for _ in range(3)]
    frozen.advance(days=7)
    RegisterRequest.objects.update(attempts=40, next_attempt_at=frozen.at + MAX_DELAY)
    assert requests_process() == 0  # still down: one request asks for all, and backs off again
    assert RegisterRequest.objects.filter(next_attempt_at__lte=frozen.at + dt.timedelta(hours=1)).count() == 0
    with running(register_db, port=http_register):
        frozen.advance(minutes=1)
        breakers_reset()  # the circuit breaker's half-minute pause is over by the next sweep
        register.cache_clear()
        first = requests_process()
        frozen.advance(minutes=1)
        rest = requests_process()
    assert first == 1 and first + rest == len(cases)
    assert set(RegisterRequest.objects.values_list("status", flat=True)) == {RequestStatus.DONE}
