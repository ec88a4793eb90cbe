"""Prometheus reads what the servers did and what the processes behind them owe; only the monitoring
network or the holder of the metrics token reads it, and a proxy's address vouches for nobody."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.deadlines.services import obligation_open
from haven.deadlines.sweep import sweep

TOKEN = "metrics-token-of-the-monitoring-team-0123456789"


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def scrape(client: Client | None = None, **headers) -> tuple[int, str]:
    response = (client or Client()).get("/metrics", **headers)
    return response.status_code, response.content.decode()


def test_the_monitoring_network_reads_requests_latencies_and_backlog(beating):
    Client().get("/healthz")
    code, text = scrape()
    assert code == 200
    assert sample(text, 'haven_http_requests_total{method="GET",route="healthz",status="200"}') >= 1
    assert sample(text, 'haven_http_request_duration_seconds_count{method="GET",route="healthz"}') >= 1
    for name in (
        "haven_sweep_lag_seconds",
        "haven_sweep_heartbeat_age_seconds",
        "haven_worker_heartbeat_age_seconds",
        "haven_outbox_pending",
        "haven_outbox_due",
        "haven_tasks_failed_total",
        "haven_migrations_unapplied",
        "haven_register_up",
    ):
        assert sample(text, name) >= 0, name


def test_escalations_and_failed_tasks_are_counted(world, beating, monkeypatch):
    from haven.core import clock

    child = world.child()
    late = obligation_open(
        rule_code="foundling.handover_answer",
        subject=child,
        child=child,
        responsible=world.orgs["committee_a"],
    )
    now = late.next_escalation_at + dt.timedelta(minutes=5)
    monkeypatch.setattr(clock, "now", lambda: now)
    assert sample(scrape()[1], "haven_sweep_lag_seconds") == 300
    sweep(now=now)
    text = scrape()[1]
    assert sample(text, 'haven_escalations_total{level="1"}') == 1
    assert sample(text, "haven_sweep_lag_seconds") == 0


@task()
def broken_task() -> None:
    raise RuntimeError("the SMS gateway refused")


def test_a_task_that_fails_in_the_worker_is_counted(beating, monkeypatch):
    from haven.ops.management.commands import db_worker

    monkeypatch.setattr(db_worker, "beat_in_background", lambda name: None)
    # The worker drops connections between tasks; the test's own, inside its transaction, must stay.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    assert sample(scrape()[1], "haven_tasks_failed_total") == 0
    broken_task.enqueue()
    assert sample(scrape()[1], "haven_tasks_ready") == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    text = scrape()[1]
    assert sample(text, "haven_tasks_failed_total") == 1 and sample(text, "haven_tasks_ready") == 0


def test_anyone_else_gets_a_404(beating):
    code, text = scrape(REMOTE_ADDR="203.0.113.5")
    assert code == 404 and "haven_" not in text


def test_the_token_opens_the_metrics_from_anywhere(beating, settings):
    settings.HAVEN_METRICS_TOKEN = TOKEN
    assert scrape(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")[0] == 200
    assert scrape(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN[:-1]}x")[0] == 404
    assert scrape(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=TOKEN)[0] == 404


def test_without_a_token_set_no_token_opens_them(beating, settings):
    settings.HAVEN_METRICS_TOKEN = ""
    assert scrape(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer ")[0] == 404


@pytest.mark.parametrize(
    ("trusted", "forwarded", "code"),
    [
        # nginx on this machine forwards everyone: unless it is trusted, its loopback address
        # vouches for nobody.
        ([], "203.0.113.5", 404),
        ([], "10.20.0.7", 404),
        # Trusted, the proxy's X-Forwarded-For names the client, and the client's network decides.
        (["127.0.0.1/32"], "10.20.0.7", 200),
        (["127.0.0.1/32"], "203.0.113.5", 404),
        # A client cannot forge its way in: the proxy appends the address it saw, the rightmost.
        (["127.0.0.1/32"], "10.20.0.7, 203.0.113.5", 404),
    ],
)
def test_behind_the_reverse_proxy_the_client_address_decides(beating, settings, trusted, forwarded, code):
    settings.HAVEN_TRUSTED_PROXIES = trusted
    settings.HAVEN_METRICS_NETWORKS = ["10.20.0.0/16"]
    assert scrape(Client(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)[0] == code


def test_the_client_address_behind_a_trusted_proxy_is_what_the_audit_trail_records(world, settings):
    from haven.audit.models import AuditEvent

    settings.HAVEN_TRUSTED_PROXIES = ["127.0.0.1/32"]
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23")
    client.force_login(world.officer_a)
    child = world.child()
    assert client.get(f"/children/{child.pk}/").status_code == 200
    event = AuditEvent.objects.filter(action="child.view").latest("seq")
    assert event.ip == "198.51.100.23"
