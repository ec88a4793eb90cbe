"""The Content-Security-Policy and the photo sandbox in a real browser (docs/decisions/0015). The pages
work under the policy: every page a journey shows fails on anything the policy refused
(e2e/browser.py), and here the print button, which no longer has an inline handler. A script hidden in a
found child's photo, sent under the name ``evil.html``, does not run for the officer who opens the
photo (security review finding 1: it did, and read her children list)."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from playwright.sync_api import expect

from e2e.browser import t

pytestmark = pytest.mark.browser

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SCRIPT = b"<script>document.title='XSS:'+document.domain</script>"


def vi(message: str) -> str:
    return t(message, "vi")


def photo_with_a_page_appended() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue() + SCRIPT


def test_a_script_hidden_in_a_photo_does_not_run_and_the_print_button_works(open_tab, world):
    found_at = (dt.datetime.now(VIETNAM) - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    hospital = open_tab()
    page = hospital.page
    hospital.sign_in("hospital.sw")
    hospital.visit("/foundlings/report/")
    page.locator("#id_found_at").fill(found_at.strftime("%d/%m/%Y %H:%M"))
    page.locator("#id_found_commune").select_option(label=world.commune_a)
    page.locator("#id_found_place").fill("Cổng phụ bệnh viện")
    page.locator("#id_sex").select_option("male")
    page.locator("#id_condition").fill("Trẻ sơ sinh, khỏe")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "evil.html", "mimeType": "text/html", "buffer": photo_with_a_page_appended()}]
    )
    hospital.click(page.get_by_role("button", name=vi("Send the report"), exact=True))
    case_path = urlsplit(page.url).path
    assert re.fullmatch(r"/foundlings/[0-9a-f-]{36}/", case_path), f"not on the case page: {page.url}"

    officer = open_tab()
    officer.sign_in("commune.officer")
    shown = officer.visit(case_path)
    assert "script-src 'self'" in shown.headers["content-security-policy"]
    assert "no-store" in shown.headers["cache-control"]
    photo = officer.page.get_by_role("img", name=vi("Photo taken when the child was found"))
    expect(photo).to_be_visible()
    assert officer.page.evaluate("(img) => img.naturalWidth", photo.element_handle()) == 40

    # Opened on its own, as the review did: an image in a sandbox, and the script does not run.
    alone = officer.page.context.new_page()
    answer = alone.goto(officer.base_url + case_path + "photo/")
    assert answer is not None and answer.status == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["content-security-policy"].startswith("sandbox")
    assert not alone.title().startswith("XSS")
    alone.close()

    # The print button prints, through Haven's own script rather than an inline handler.
    officer.visit(case_path + "timeline/")
    officer.page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    officer.page.get_by_role("button", name=vi("Print")).click()
    assert officer.page.evaluate("window.printed") == 1
