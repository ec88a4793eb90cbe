"""The first two middleware of every request (config/settings.py).

- ``RequestMiddleware`` gives the request an id (the proxy's ``X-Request-ID`` when it is well formed,
  otherwise a new one), puts it on every log line written while it is served and on the answer, and
  writes one access line and the request's metrics when it is answered.
- ``ClientAddressMiddleware`` finds the client's address behind the reverse proxy: ``REMOTE_ADDR`` is
  replaced by the address the proxy forwarded only when the request came from a proxy listed in
  ``HAVEN_TRUSTED_PROXIES``; anyone else could write that header. The audit trail, the lockout of an
  address and the metrics' network check all read ``REMOTE_ADDR`` after it.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid

from django.conf import settings

from haven.ops import logs, metrics

access_log = logging.getLogger("haven.request")
WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = offered if WELL_FORMED_ID.match(offered) else uuid.uuid4().hex
        token = logs.request_id.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = logs.route_of(request)
            metrics.observe(request.method, route, response.status_code, seconds)
            access_log.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            response["X-Request-ID"] = request.id
            return response
        finally:
            logs.request_id.reset(token)


def networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return False
    return True


def address_in(address: str, among) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in among)


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = networks(settings.HAVEN_TRUSTED_PROXIES)

    def __call__(self, request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        peer = request.META.get("REMOTE_ADDR", "")
        # True when the request says it was forwarded but by no proxy Haven trusts: its address is
        # then that of whatever sent it, which may be a proxy serving everyone (the metrics refuse).
        request.forwarded_untrusted = bool(forwarded) and not address_in(peer, self.proxies)
        if forwarded and not request.forwarded_untrusted:
            client = peer
            # The proxy appends the address it received from: walk back past the trusted proxies.
            for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
                if not is_address(hop):
                    break
                client = hop
                if not address_in(hop, self.proxies):
                    break
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
