"""Bounds on what one request may make Haven do (security review findings 8 and 11): a body larger
than Haven accepts is refused from its declared length before a byte is read, on the public report
forms, the staff forms and the API; a search longer than a name, and a text longer than a page, are
refused with a message in Vietnamese, and change nothing."""

from __future__ import annotations

import importlib
import inspect
import io
import logging
import pkgutil
import time

import pypdf
import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import haven
from haven.api.tests.client import ApiClient
from haven.core.documents import MAX_PAGES
from haven.core.limits import LONG_TEXT, SEARCH_MAX_CHARS
from haven.foundlings.models import FoundlingCase
from haven.people.models import ChildOpinion
from haven.protection.forms import catalog_form
from haven.protection.forms_catalog import FORMS
from haven.protection.models import ProtectionCase

HALF_A_GIGABYTE = 500 * 1024 * 1024
TOO_LARGE = "quá lớn"  # "What you sent is too large", as a Vietnamese reader reads it


class Tripwire:
    """A request body that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body of an oversize request was read")

    readline = read


def huge_post(client: Client, path: str, content_type: str = "multipart/form-data; boundary=xyz"):
    body = Tripwire()
    return client.generic(
        "POST", path, b"", content_type, **{"CONTENT_LENGTH": str(HALF_A_GIGABYTE), "wsgi.input": body}
    )


@pytest.fixture
def quiet(caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")


def test_a_500_mb_upload_to_a_public_form_is_refused_unread(world, quiet):
    for path in ("/report/", "/report/child-at-risk/"):
        answer = huge_post(Client(), path)
        assert answer.status_code == 413, path
        assert TOO_LARGE in answer.content.decode(), path
    assert not FoundlingCase.objects.exists() and not ProtectionCase.objects.exists()


def test_a_500_mb_upload_to_a_staff_form_is_refused_unread(world, quiet):
    client = Client()
    client.force_login(world.hospital_sw)
    answer = huge_post(client, "/foundlings/report/")
    assert answer.status_code == 413
    assert TOO_LARGE in answer.content.decode()
    assert not FoundlingCase.objects.exists()


def test_a_500_mb_upload_to_the_api_is_refused_unread(world, quiet):
    client = ApiClient(world.hospital_sw).client
    answer = huge_post(client, "/api/v1/foundlings/00000000-0000-0000-0000-000000000000/photo")
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"
    assert TOO_LARGE in answer.json()["message"]


def test_a_form_or_json_body_over_2_mb_is_refused_unread(world, quiet):
    client = Client()
    client.force_login(world.officer_a)
    body = Tripwire()
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        answer = client.generic(
            "POST",
            "/children/new/",
            b"",
            content_type,
            CONTENT_LENGTH=str(3 * 1024 * 1024),
            **{"wsgi.input": body},
        )
        assert answer.status_code == 413


def test_uploads_are_held_in_memory_never_spooled_to_disk(settings):
    assert settings.FILE_UPLOAD_HANDLERS == ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    # The largest body accepted fits in memory, so the memory handler takes every upload.
    from haven.core.uploads import PHOTO_MAX_BYTES

    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE > PHOTO_MAX_BYTES


def test_a_5000_word_search_is_refused_with_a_message_and_searches_nothing(world, quiet):
    client = Client()
    client.force_login(world.officer_a)
    query = " ".join(["nguyen"] * 5000)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            "/children/", {"q": query}, follow=True
        )  # a search is posted, never in the address
    assert time.monotonic() - started < 2
    assert answer.status_code == 200
    assert "tối đa 8 từ" in answer.content.decode()
    assert not [q for q in queries if "search_name" in q["sql"]]
    # The search box keeps no more than a name's length of what was typed.
    assert query[: SEARCH_MAX_CHARS + 1] not in answer.content.decode()


def test_a_search_of_nine_words_is_refused_a_name_of_five_is_not(world, quiet):
    client = Client()
    client.force_login(world.officer_a)
    world.child(family_name="Nguyễn", middle_name="Thị Ngọc", given_name="Ánh")
    nine = client.post("/children/", {"q": "a b c d e f g h i"}, headers={"HX-Request": "true"})
    assert "tối đa 8 từ" in nine.content.decode()
    five = client.post("/children/", {"q": "Nguyễn Thị Ngọc Ánh"}, headers={"HX-Request": "true"})
    assert "Ánh" in five.content.decode() and "tối đa 8 từ" not in five.content.decode()
    api = ApiClient(world.officer_a).get("/children", q="a b c d e f g h i")
    assert api.status_code == 422 and api.json()["fields"]["q"]


def test_a_long_search_for_a_sibling_is_refused_too(world, quiet):
    child = world.child()
    client = Client()
    client.force_login(world.officer_a)
    answer = client.post(f"/children/{child.pk}/siblings/new/", {"q": "an " * 3000}, follow=True)
    assert answer.status_code == 200
    assert "tối đa 8 từ" in answer.content.decode()


def test_a_600_kb_note_is_refused_with_a_message_and_nothing_is_saved(world, quiet):
    child = world.child()
    client = Client()
    client.force_login(world.officer_a)
    answer = client.post(
        f"/children/{child.pk}/views/new/",
        {"heard_on": "01/12/2026", "subject": "Nơi ở", "opinion": "a" * 600_000},
    )
    assert answer.status_code == 200
    assert "Tối đa 2000 ký tự" in answer.content.decode()
    assert not ChildOpinion.objects.exists()


def test_a_600_kb_text_on_a_public_report_is_refused(world, quiet):
    answer = Client().post(
        "/report/",
        {
            "found_at": "01/12/2026 08:00",
            "province": world.hanoi.pk,
            "found_commune": world.commune_a.pk,
            "found_place": "Chợ",
            "sex": "male",
            "condition": "a" * 600_000,
        },
    )
    assert answer.status_code == 200
    assert "Tối đa 2000 ký tự" in answer.content.decode()
    assert not FoundlingCase.objects.exists()


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for module in pkgutil.walk_packages(haven.__path__, "haven."):
        if module.name.endswith(".forms"):
            loaded = importlib.import_module(module.name)
            found += [
                c
                for c in vars(loaded).values()
                if inspect.isclass(c) and issubclass(c, forms.BaseForm) and c.__module__ == module.name
            ]
    found += [catalog_form(code, previous={}) for code in FORMS]
    return found


def test_every_text_of_every_web_form_is_bounded_as_the_api_bounds_it():
    classes = _form_classes()
    assert len(classes) > 50
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField)
        and (field.max_length is None or field.max_length > LONG_TEXT)
        and form.__name__ != "LoginForm"  # Django's sign-in form bounds the username itself
    ]
    assert unbounded == []


@pytest.fixture
def recorded(world, frozen):
    from haven.foundlings import services
    from haven.foundlings.tests.test_pathway import RECORD, VITALS, report

    def make(**texts):
        case = report(world, frozen)
        services.foundling_acknowledge(actor=world.officer_a, case=case)
        services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
        services.foundling_record(actor=world.officer_a, case=case, **{**RECORD, **texts})
        return case

    return make


def test_the_longest_record_the_forms_accept_prints_in_moments(world, recorded):
    longest = ("Bé trai, da hồng, nặng khoảng 3 kg, có vết bớt nhỏ ở vai trái. " * 40)[:LONG_TEXT]
    case = recorded(
        physique=longest,
        health=longest,
        belongings=longest,
        witness_name="Phạm Thị Nhung",
        witness_id_document="CCCD 001190054321",
        witness_address="Số 9 ngõ 12, Phường Ba Đình",
        witnesses=longest,
    )
    client = Client()
    client.force_login(world.officer_a)
    started = time.monotonic()
    printed = client.get(f"/foundlings/{case.pk}/record.pdf")
    assert time.monotonic() - started < 15  # about 2 s on a loaded 2-core machine; 43 s before the bounds
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(printed.content)).pages) <= MAX_PAGES


def test_a_record_holding_a_600_kb_text_is_refused_quickly_not_printed(world, recorded, quiet):
    from haven.audit.models import AuditEvent
    from haven.foundlings.models import DiscoveryRecord

    case = recorded()
    # Text no form accepts any more, kept from before the bound (the review's 600 KB value).
    DiscoveryRecord.objects.filter(case=case).update(physique="Bé trai da hồng " * 40_000)
    client = Client()
    client.force_login(world.officer_a)
    started = time.monotonic()
    answer = client.get(f"/foundlings/{case.pk}/record.pdf")
    assert time.monotonic() - started < 5
    assert answer.status_code == 409
    assert "quá dài để in" in answer.content.decode()
    assert not AuditEvent.objects.filter(action="child.export", child_id=case.child_id).exists()
