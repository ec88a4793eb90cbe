"""How much Haven accepts in one request, one text field and one search, in one place.

Every bound here answers a finding of the security review: a 500 MB upload was spooled to disk before
it was refused (finding 8); a 5,000-word search answered 500 after 7 seconds, and a 600 KB note made
one printed record take 43 seconds (finding 11). Each is refused with a message in the reader's
language, before any work is done.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The longest free text of a form or an API body (a note, a condition, a reason): about a page.
LONG_TEXT = 2000
# A search is a name or a PIN: "Nguyễn Thị Ngọc Ánh" is five words.
SEARCH_MAX_CHARS = 100
SEARCH_MAX_WORDS = 8


def body_limit(request) -> int:
    """The largest body this request may have: a form with a file, a photo (5 MB) and the rest of the
    form, all held in memory; anything else (a form, a JSON body), what Django reads into memory."""
    if request.content_type == "multipart/form-data":
        return settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeMiddleware:
    """Refuses a body larger than Haven accepts from its declared length, before a byte of it is read,
    so nothing is spooled to memory or disk. A body with no declared length is not read at all (Django
    reads exactly CONTENT_LENGTH bytes). Placed before anything that reads the body (CSRF, the views)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > body_limit(request):
            return too_large(request)
        return self.get_response(request)


def too_large(request):
    message = _("What you sent is too large: a photo may be at most 5 MB, and a text about a page.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_large", "message": message, "fields": {}}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
