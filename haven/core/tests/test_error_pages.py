"""With DEBUG off (as `make demo` and production run), a missing page and a failure are Haven's own
pages in the reader's language, never Django's technical page in English."""

from __future__ import annotations

import pytest
from django.test import Client


def test_a_missing_page_is_havens_own_in_vietnamese(world, client):
    client.force_login(world.officer_a)
    response = client.get("/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page and "Page not found" not in page
    assert "Traceback" not in page and "Django" not in page


@pytest.mark.urls("haven.core.tests.error_urls")
def test_a_failure_is_havens_own_page_in_vietnamese_without_details(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.officer_a)
    response = client.get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in page and "111" in page
    assert "RuntimeError" not in page and "a bug" not in page
