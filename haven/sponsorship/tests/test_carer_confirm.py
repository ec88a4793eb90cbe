"""The carer confirms the money herself, on the public page named in her SMS, without an account: the
right code confirms once, a wrong one is refused in Vietnamese and counted, five lock the code and tell
the coordinator, an expired code is refused, a guess learns nothing, and one address cannot flood it."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation

from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.notifications.models import Notification
from haven.sponsorship import services
from haven.sponsorship.models import Entry, LedgerLine
from haven.sponsorship.services.confirmation import MAX_ATTEMPTS
from haven.sponsorship.tests.test_resources import code_sent, pay, reference_sent, sms_sent

PAGE = "/xacnhan/"


def vi(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture(autouse=True)
def fresh_limits():
    """The page's per-address limit and its count of guessed references live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paid(scene) -> Entry:
    scene.receive(3_000_000, "FT001")
    return pay(scene, scene.matched(), 1_000_000)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def answer(response) -> str:
    """The page's answer to the carer: the alert above the form, or the thank-you heading."""
    body = response.content.decode()
    for marker in ('id="confirm-answer">', 'id="confirm-thanks">'):
        if marker in body:
            return body.split(marker, 1)[1].split("</", 1)[0].removeprefix("<p>")
    return ""


def test_the_sms_names_the_page_the_reference_and_the_code_in_vietnamese(paid, settings):
    body = sms_sent()
    assert f"{settings.HAVEN_SITE_ADDRESS}/xacnhan" in body
    assert reference_sent().replace(" ", "") == paid.confirmation_reference
    assert "1.000.000 đồng" in body and "mã tham chiếu" in body and "mã xác nhận" in body


def test_the_sms_is_vietnamese_when_the_coordinator_reads_english(scene):
    scene.receive(3_000_000, "FT001")
    with translation.override("en"):
        pay(scene, scene.matched())
    assert "mã tham chiếu" in sms_sent() and "/xacnhan" in sms_sent()


def test_the_right_code_confirms_once_audited_told_and_published(paid, scene, client):
    reference, code = reference_sent(), code_sent()
    page = client.get(PAGE)
    assert page.status_code == 200 and vi("Confirm that you received the money") in page.content.decode()
    done = client.post(PAGE, {"reference": reference, "code": code})
    assert done.status_code == 200 and answer(done) == vi("Received, thank you")
    paid.refresh_from_db()
    assert paid.confirmed_via == "carer" and paid.confirmed_at is not None
    assert Obligation.objects.get(rule="sponsorship.confirm_disbursement").status == Status.MET
    (event,) = AuditEvent.objects.filter(action="sponsorship.disbursement_confirm")
    assert event.actor is None and event.data["by"] == "carer" and event.child_id == scene.child.pk
    told = Notification.objects.get(kind="sponsorship.confirmed")
    assert told.organisation == scene.campaign.organiser and told.link == f"/sponsorship/entries/{paid.pk}/"
    # Once: the same code again changes nothing and says so.
    again = client.post(PAGE, {"reference": reference, "code": code})
    assert vi("You had already confirmed this payment. Nothing more to do.") in again.content.decode()
    assert AuditEvent.objects.filter(action="sponsorship.disbursement_confirm").count() == 1
    # Published as the coordinator's confirmation is: a line of its own naming the disbursement's.
    services.publish(actor=scene.coordinator, everything=True)
    confirmation = [json.loads(line.entry) for line in LedgerLine.objects.order_by("index")][-1]
    paid.refresh_from_db()
    assert confirmation["type"] == "confirmation" and confirmation["via"] == "carer"
    assert confirmation["confirms"] == paid.line.index


def test_a_wrong_code_is_refused_in_vietnamese_and_counted(paid, client):
    reference, code = reference_sent(), code_sent()
    refused = client.post(PAGE, {"reference": reference, "code": wrong(code)})
    assert refused.status_code == 200
    expected = vi(
        "The reference or the code is not right. Check the message and type them again. After "
        "%(n)s wrong tries the code is locked."
    ) % {"n": MAX_ATTEMPTS}
    assert answer(refused) == expected and "kiểm tra lại tin nhắn" in expected
    paid.refresh_from_db()
    assert paid.confirmation_attempts == 1 and paid.confirmed_at is None
    assert AuditEvent.objects.filter(action="sponsorship.confirmation_wrong_code", actor=None).count() == 1
    # The reference typed stays in the form; the code does not.
    assert f'value="{paid.confirmation_reference}"' in refused.content.decode()


def test_a_code_that_is_not_six_digits_is_told_so_and_not_counted(paid, client):
    refused = client.post(PAGE, {"reference": reference_sent(), "code": "12345"})
    assert vi("The confirmation code has 6 digits: copy it from the message.") in refused.content.decode()
    paid.refresh_from_db()
    assert paid.confirmation_attempts == 0


def test_five_wrong_codes_lock_the_entry_and_tell_the_coordinator(paid, scene, client):
    reference, code = reference_sent(), code_sent()
    for _try in range(MAX_ATTEMPTS):
        last = client.post(PAGE, {"reference": reference, "code": wrong(code)})
    locked = vi(
        "This code is locked after %(n)s wrong tries. The coordinator has been told and will send you a "
        "new code."
    ) % {"n": MAX_ATTEMPTS}
    assert answer(last) == locked
    paid.refresh_from_db()
    assert paid.confirmation_locked_at is not None and paid.confirmation_attempts == MAX_ATTEMPTS
    told = Notification.objects.get(kind="sponsorship.confirmation_locked")
    assert told.organisation == scene.campaign.organiser and told.link == f"/sponsorship/entries/{paid.pk}/"
    # The right code no longer confirms, from the page or from the coordinator.
    assert answer(client.post(PAGE, {"reference": reference, "code": code})) == locked
    with pytest.raises(Refused):
        services.disbursement_confirm(entry=paid, code=code, actor=scene.coordinator)
    paid.refresh_from_db()
    assert paid.confirmed_at is None
    # The coordinator sends a new reference and code: the old ones stop working, the new ones confirm.
    client.force_login(scene.coordinator)
    page = client.get(f"/sponsorship/entries/{paid.pk}/").content.decode()
    assert 'id="code-resend"' in page and code not in page
    client.post(f"/sponsorship/entries/{paid.pk}/", {"action": "resend"})
    client.logout()
    new_reference, new_code = reference_sent(), code_sent()
    assert new_reference != reference
    assert answer(client.post(PAGE, {"reference": reference, "code": code})) != vi("Received, thank you")
    done = client.post(PAGE, {"reference": new_reference, "code": new_code})
    assert answer(done) == vi("Received, thank you")
    assert AuditEvent.objects.filter(action="sponsorship.confirmation_resend").count() == 1


def test_the_coordinators_wrong_codes_count_too(paid, scene):
    with pytest.raises(ValidationError):
        services.disbursement_confirm(entry=paid, code=wrong(code_sent()), actor=scene.coordinator)
    paid.refresh_from_db()
    assert paid.confirmation_attempts == 1


def test_an_expired_code_is_refused_and_the_coordinator_told(paid, scene, client, frozen):
    reference, code = reference_sent(), code_sent()
    frozen.advance(days=15)
    refused = client.post(PAGE, {"reference": reference, "code": code})
    assert answer(refused) == vi(
        "This code has expired. The coordinator has been told and will send you a new code."
    )
    paid.refresh_from_db()
    assert paid.confirmed_at is None
    assert Notification.objects.filter(kind="sponsorship.confirmation_expired").count() == 1
    with pytest.raises(Refused):
        services.disbursement_confirm(entry=paid, code=code, actor=scene.coordinator)


def test_a_guess_reveals_nothing(paid, scene, client):
    reference, code = reference_sent(), code_sent()
    unknown = f"{(int(reference.replace(' ', '')) + 1) % 10**8:08d}"
    real_wrong = client.post(PAGE, {"reference": reference, "code": wrong(code)})
    guessed = client.post(PAGE, {"reference": unknown, "code": code})
    # A reference that exists and one that does not get the same answer.
    assert answer(real_wrong) == answer(guessed) != ""
    child = scene.child
    for response in (real_wrong, guessed, client.post(PAGE, {"reference": reference, "code": code})):
        body = response.content.decode()
        for private in ("1.000.000", "1000000", child.given_name, child.family_name, scene.campaign.name):
            assert private not in body
    # A guessed reference locks after as many tries as a real one: the lock says nothing either.
    for _try in range(MAX_ATTEMPTS - 1):
        last = client.post(PAGE, {"reference": unknown, "code": code})
    assert answer(last) == vi(
        "This code is locked after %(n)s wrong tries. The coordinator has been told and will send you a "
        "new code."
    ) % {"n": MAX_ATTEMPTS}


def test_one_address_cannot_try_more_than_the_limit(paid, client):
    from haven.sponsorship.carer_views import LIMIT

    reference, code = reference_sent(), code_sent()
    unknown = f"{(int(reference.replace(' ', '')) + 7) % 10**8:08d}"
    for i in range(LIMIT):
        client.post(PAGE, {"reference": f"{(int(unknown) + i) % 10**8:08d}", "code": "000000"})
    refused = client.post(PAGE, {"reference": reference, "code": code})
    assert answer(refused) == vi(
        "Too many tries from this connection. Wait an hour and try again, or read the code to the "
        "coordinator."
    )
    paid.refresh_from_db()
    assert paid.confirmed_at is None
    # Another address is not held back.
    other = client.post(PAGE, {"reference": reference, "code": code}, REMOTE_ADDR="203.0.113.9")
    assert answer(other) == vi("Received, thank you")
