"""The probes and the metrics: no login (a load balancer and Prometheus have none), nothing personal.

/healthz says the process answers (liveness: restart it if not); /readyz says whether it can serve
(readiness: route to it or not), with the state of what stands behind it; /metrics is read only from
the monitoring network or with its token, and is a 404 to anyone else."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from haven.access import markers
from haven.ops import health, metrics
from haven.ops.middleware import address_in, networks


@markers.public
@require_GET
def healthz(request):
    # Alive only: no database. A server whose database is down is not helped by a restart.
    return JsonResponse({"status": "ok"})


@markers.public
@require_GET
def readyz(request):
    code, body = health.verdict(health.readiness(), strict=request.GET.get("strict") in ("1", "true"))
    return JsonResponse(body, status=code)


def may_read_metrics(request) -> bool:
    token = settings.HAVEN_METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and offered.startswith("Bearer ") and hmac.compare_digest(offered[7:].strip(), token):
        return True
    if getattr(request, "forwarded_untrusted", False):
        return False  # forwarded by a proxy Haven does not trust: its address says nothing
    return address_in(request.META.get("REMOTE_ADDR", ""), networks(settings.HAVEN_METRICS_NETWORKS))


@markers.public
@require_GET
def prometheus(request):
    if not may_read_metrics(request):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
