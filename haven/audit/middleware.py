"""Puts the client's IP where audit.record can read it, for the length of the request."""

from haven.audit.services import RequestContext, current_request


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR only: X-Forwarded-For is trusted only behind a proxy configured to set it.
        token = current_request.set(RequestContext(ip=request.META.get("REMOTE_ADDR") or None))
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
