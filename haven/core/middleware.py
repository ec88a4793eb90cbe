"""Vietnamese unless the person chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a borrowed laptop set to
English would greet a commune officer in English. Pages follow only the language switch (a cookie);
API clients state their language explicitly with Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
