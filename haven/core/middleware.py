"""Vietnamese unless the person chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a borrowed laptop set to
English would greet a commune officer in English. Pages follow only the language switch (a cookie);
API clients state their language explicitly with Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from haven.core.errors import Refused

SUPPORTED = {code for code, _ in settings.LANGUAGES}


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
            vary = "Accept-Language"
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE
            vary = "Cookie"
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, (vary,))
        return response


class RefusalMiddleware:
    """A rule's refusal that no view turned into a form error is shown as a page with its message in
    the reader's language, never as a server error (a paper too long to print, haven/core/documents.py).
    The API answers refusals itself (haven/api/errors.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused) and not request.path.startswith("/api/"):
            return render(request, "refused.html", {"message": exception.message}, status=409)
        return None
