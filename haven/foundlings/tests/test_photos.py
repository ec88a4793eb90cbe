"""The photo of a found child: only a JPEG or PNG is accepted, through the report form and the API alike;
it is re-encoded (nothing the sender appended or embedded survives, not even the GPS position), stored
under a name the server makes, served with the type of its content in a sandbox, and a replaced photo
leaves no copy behind (security review findings 1 and 20).

Refused: a GIF, a PDF, an image of more pixels than any camera makes; the photo stays as it was."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from haven.accounts.models import TokenScope
from haven.accounts.services import api_token_issue
from haven.audit.models import AuditEvent
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase

SCRIPT = b"<script>document.title='XSS:'+document.domain</script>"
SERVER_NAME = re.compile(r"foundlings/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def image_bytes(kind: str = "PNG", size=(8, 8), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=kind, **save)
    return buffer.getvalue()


def reported(world, frozen) -> FoundlingCase:
    return services.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="male",
        condition="Trẻ sơ sinh, khóc to",
    )


def api(user) -> Client:
    _token, key = api_token_issue(actor=user, user=user, name="tests", scope=TokenScope.WRITE)
    return Client(headers={"Authorization": f"Bearer {key}"})


def send(client: Client, case, content: bytes, name: str, content_type: str = "image/png"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"/api/v1/foundlings/{case.pk}/photo", {"photo": upload})


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_a_photo_named_html_sent_through_the_api_is_never_served_as_html(world, frozen, media):
    case = reported(world, frozen)
    answer = send(api(world.hospital_sw), case, image_bytes() + SCRIPT, "evil.html")
    assert answer.status_code == 200
    case.refresh_from_db()
    assert SERVER_NAME.fullmatch(case.photo.name), case.photo.name
    [stored] = stored_files(media)
    assert SCRIPT not in stored.read_bytes()

    officer = Client()
    officer.force_login(world.officer_a)
    shown = officer.get(f"/foundlings/{case.pk}/photo/")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Security-Policy"].startswith("sandbox")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in shown["Cache-Control"]
    assert b"<script" not in b"".join(shown.streaming_content)


def noise_png() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 64), random.Random(7).randbytes(64 * 64 * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (image_bytes("GIF"), "be.gif"),
        (image_bytes("BMP"), "be.png"),
        (b"%PDF-1.4 not a photo", "be.jpg"),
        (noise_png()[:400], "be.png"),  # cut short
    ],
    ids=["gif", "bmp-named-png", "pdf-named-jpg", "truncated-png"],
)
def test_only_a_whole_jpeg_or_png_is_accepted(world, frozen, media, content, name):
    case = reported(world, frozen)
    answer = send(api(world.hospital_sw), case, content, name)
    assert answer.status_code == 422
    assert answer.json()["fields"]["photo"]
    case.refresh_from_db()
    assert not case.photo
    assert stored_files(media) == []


def test_an_image_of_more_pixels_than_a_camera_makes_is_refused_before_it_is_decoded(world, frozen, media):
    png = bytearray(image_bytes("PNG", size=(1, 1)))
    # Rewrite the header to claim 20,000 × 20,000 pixels (a decompression bomb): 400 million pixels.
    header = b"IHDR" + struct.pack(">II", 20_000, 20_000) + bytes(png[24:29])
    png[12:33] = header + struct.pack(">I", zlib.crc32(header))
    case = reported(world, frozen)
    answer = send(api(world.hospital_sw), case, bytes(png), "bom.png")
    assert answer.status_code == 422
    assert stored_files(media) == []


def test_the_place_where_a_photo_was_taken_does_not_travel_with_it(world, frozen, media):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 10.0)}  # GPS of Ba Đình
    exif[0x010F] = "Điện thoại của người tìm thấy"
    photo = image_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif()
    case = reported(world, frozen)
    assert send(api(world.hospital_sw), case, photo, "IMG_0001.JPG", "image/jpeg").status_code == 200
    case.refresh_from_db()
    assert case.photo.name.endswith(".jpg")
    with Image.open(case.photo.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


def test_a_photo_sent_on_the_report_form_is_checked_the_same_way(world, client, frozen, media):
    client.force_login(world.hospital_sw)
    form = {
        "found_at": frozen.at.strftime("%d/%m/%Y %H:%M"),
        "province": world.hanoi.pk,
        "found_commune": world.commune_a.pk,
        "found_place": "Cổng",
        "sex": "male",
        "condition": "Khỏe",
    }
    gif = SimpleUploadedFile("be.png", image_bytes("GIF"), content_type="image/png")
    refused = client.post("/foundlings/report/", {**form, "photo": gif})
    assert refused.status_code == 200
    assert "JPEG" in refused.content.decode()
    assert not FoundlingCase.objects.exists()

    page = SimpleUploadedFile("a.html", image_bytes() + SCRIPT, content_type="text/html")
    client.post("/foundlings/report/", {**form, "photo": page})
    case = FoundlingCase.objects.get()
    assert SERVER_NAME.fullmatch(case.photo.name)
    assert SCRIPT not in Path(case.photo.path).read_bytes()


def test_a_replaced_photo_is_deleted(world, frozen, media, django_capture_on_commit_callbacks):
    case = reported(world, frozen)
    client = api(world.hospital_sw)
    assert send(client, case, image_bytes(), "first.png").status_code == 200
    case.refresh_from_db()
    first = Path(case.photo.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, case, image_bytes("JPEG"), "second.jpg", "image/jpeg").status_code == 200
    case.refresh_from_db()
    assert not first.exists()
    assert stored_files(media) == [Path(case.photo.path)]


def test_photos_kept_under_a_sender_s_name_are_re_encoded_and_files_no_case_uses_are_deleted(
    world, frozen, media, django_capture_on_commit_callbacks
):
    case = reported(world, frozen)
    folder = media / "foundlings" / "2026" / "12"
    folder.mkdir(parents=True)
    (folder / "evil.html").write_bytes(image_bytes() + SCRIPT)
    (folder / "orphan.png").write_bytes(image_bytes())
    FoundlingCase.objects.filter(pk=case.pk).update(photo="foundlings/2026/12/evil.html")

    officer = Client()
    officer.force_login(world.officer_a)
    before = officer.get(f"/foundlings/{case.pk}/photo/")
    assert before["Content-Type"] == "image/png"  # its content, not its name, even before tidying

    with django_capture_on_commit_callbacks(execute=True):
        call_command("photos", "tidy", stdout=io.StringIO())
    case.refresh_from_db()
    assert SERVER_NAME.fullmatch(case.photo.name)
    assert stored_files(media) == [Path(case.photo.path)]
    assert SCRIPT not in Path(case.photo.path).read_bytes()
    assert AuditEvent.objects.filter(action="child.photo_reencode", child_id=case.child_id).exists()
