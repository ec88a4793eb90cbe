"""Headers on every response Haven renders (static files, served before this, keep theirs).

- A Content-Security-Policy that runs only Haven's own script files: no inline script, no on*
  attribute, no eval, no inline style, nothing from another host. A script that slips into a page
  (stored XSS, security review finding 1) does not run. Decision record:
  docs/decisions/0015-uploads-and-content-security-policy.md.
- ``Cache-Control: no-store`` on everything: pages, exports, PDFs and API answers name children, and a
  shared computer at a commune office or a proxy must not keep a copy (finding 9). The few pages that
  name no one (the sign-in page, the public report forms) lose nothing by it.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Nothing Haven does needs these browser features; a script that got in could not use them either.
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view may narrow the policy (a photo is served in a sandbox), never widen it.
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        add_never_cache_headers(response)
        return response
