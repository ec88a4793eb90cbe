"""Prometheus metrics: what the web servers did (requests, latencies), counted in each process, and
what the processes behind them owe (sweep lag, escalations, outbox depth, failed tasks), read from
the database when the metrics are scraped, so that every server reports the same figures.

Under gunicorn each worker process counts its own requests: with PROMETHEUS_MULTIPROC_DIR set (the
systemd unit sets it) they write them to files there and /metrics adds them up; gunicorn's
configuration empties the folder at start and forgets a worker that exits (config/gunicorn.conf.py).
"""

from __future__ import annotations

import os
import threading
import time

from django.db import DatabaseError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "haven_http_requests_total",
    "Requests answered, by method, route pattern and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "haven_http_request_duration_seconds",
    "Time from the request reaching Haven to its answer, by method and route pattern.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


# A scrape reads the database at most once in this many seconds per process (a few indexed counts).
BACKLOG_TTL = 10.0


class BacklogCollector:
    """The figures of haven.ops.health.backlog(), as gauges and counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[float, list] | None = None

    def collect(self):
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > BACKLOG_TTL:
                self._cached = (time.monotonic(), list(self._read()))
            return list(self._cached[1])

    def _read(self):
        from haven.ops import health

        readable = GaugeMetricFamily(
            "haven_backlog_readable", "1 if the figures below could be read from the database."
        )
        try:
            seen = health.backlog()
            unapplied = len(health.unapplied_migrations())
        except DatabaseError:
            readable.add_metric([], 0)
            yield readable
            return
        readable.add_metric([], 1)
        yield readable

        def gauge(name: str, text: str, value: float | None):
            metric = GaugeMetricFamily(name, text)
            metric.add_metric([], -1 if value is None else value)
            return metric

        yield gauge(
            "haven_sweep_lag_seconds",
            "How long the oldest step the sweep should already have escalated has waited (0: none).",
            seen.sweep_lag,
        )
        yield gauge(
            "haven_sweep_heartbeat_age_seconds",
            "Seconds since the sweep last finished a pass (-1: never).",
            seen.sweep_heartbeat_age,
        )
        yield gauge(
            "haven_worker_heartbeat_age_seconds",
            "Seconds since the newest heartbeat of any task worker (-1: never).",
            seen.worker_heartbeat_age,
        )
        yield gauge("haven_outbox_pending", "E-mails and SMS waiting to be sent.", seen.outbox_pending)
        yield gauge("haven_outbox_due", "Waiting messages whose time to be sent has come.", seen.outbox_due)
        yield gauge(
            "haven_outbox_oldest_due_seconds",
            "How long the oldest due message has waited.",
            seen.outbox_oldest_due_age,
        )
        yield gauge("haven_tasks_ready", "Background tasks waiting for a worker.", seen.tasks_ready)
        yield gauge(
            "haven_tasks_oldest_ready_seconds",
            "How long the oldest waiting task has waited.",
            seen.tasks_oldest_ready_age,
        )
        failed = CounterMetricFamily(
            "haven_tasks_failed", "Background tasks that failed (kept in the database)."
        )
        failed.add_metric([], seen.tasks_failed)
        yield failed
        escalations = CounterMetricFamily(
            "haven_escalations",
            "Overdue steps escalated, by rung of the ladder (1 head, 2 province, 3 ministry).",
            labels=["level"],
        )
        for level, count in sorted(seen.escalations.items()):
            escalations.add_metric([str(level)], count)
        yield escalations
        yield gauge(
            "haven_migrations_unapplied", "Migrations of this code not applied to the database.", unapplied
        )
        register = health.register_check()
        yield gauge(
            "haven_register_up", "1 if the population register answered its last probe.", int(register.ok)
        )


BACKLOG = BacklogCollector()


def exposition() -> bytes:
    """The metrics in Prometheus's text format: this process's (or, under gunicorn, every worker's)
    request figures, then the backlog's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        requests = generate_latest(registry)
    else:
        requests = generate_latest(REGISTRY)
    backlog = CollectorRegistry(auto_describe=False)
    backlog.register(BACKLOG)
    return requests + generate_latest(backlog)
