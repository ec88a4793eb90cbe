"""/healthz says the process answers; /readyz says whether this server can serve (503 takes it out of
the load balancer: no database, migrations not applied) and how the processes behind it keep up
(worker heartbeat, sweep lag, outbox depth, population register), degraded but still served when one
of them lags. Neither needs a login, and neither names a person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from haven.deadlines.services import obligation_open
from haven.notifications.models import Channel, OutboxMessage
from haven.ops import health, heartbeats
from haven.ops.models import Heartbeat


def ready(client=None, **query):
    response = (client or Client()).get("/readyz", query)
    return response.status_code, response.json()


def test_healthz_answers_anyone_without_touching_the_database():
    # No `db` fixture: a query here would fail the request (pytest-django refuses it).
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_running_haven_is_ready(beating):
    code, body = ready()
    assert code == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "worker", "sweep", "outbox", "register"}
    assert all(check["ok"] for check in body["checks"].values())


def test_without_its_database_a_server_is_not_ready(beating, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refused)
        code, body = ready()
    assert code == 503 and body["status"] == "not_ready"
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "OperationalError",
        "critical": True,
        "values": {},
    }


def test_a_migration_not_applied_takes_the_server_out_of_the_load_balancer(beating):
    MigrationRecorder(connection).migration_qs.filter(app="ops", name="0001_initial").delete()
    code, body = ready()
    assert code == 503 and body["status"] == "not_ready"
    assert body["checks"]["migrations"]["values"] == {"unapplied": 1}
    assert "haven migrate" in body["checks"]["migrations"]["detail"]


def test_a_silent_worker_degrades_readiness_but_keeps_the_server_in_rotation(beating):
    Heartbeat.objects.filter(name__startswith="worker:").update(
        at=heartbeats.wall_clock() - dt.timedelta(minutes=10)
    )
    code, body = ready()
    assert code == 200 and body["status"] == "degraded"
    assert not body["checks"]["worker"]["ok"]
    assert body["checks"]["worker"]["values"]["heartbeat_age_seconds"] >= 600
    # A monitor that reads only the status code asks strictly.
    assert ready(strict="1")[0] == 503


def test_a_worker_that_never_beat_is_named(db):
    heartbeats.beat(heartbeats.SWEEP)
    _, body = ready()
    assert body["checks"]["worker"] == {
        "ok": False,
        "detail": "no task worker has ever beaten",
        "critical": False,
        "values": {"heartbeat_age_seconds": None, "tasks_ready": 0},
    }


def test_an_overdue_step_the_sweep_has_not_escalated_is_sweep_lag(world, beating, monkeypatch):
    from haven.core import clock

    child = world.child()
    late = obligation_open(
        rule_code="foundling.handover_answer",
        subject=child,
        child=child,
        responsible=world.orgs["committee_a"],
    )
    now = late.next_escalation_at + dt.timedelta(minutes=10)
    monkeypatch.setattr(clock, "now", lambda: now)
    _, body = ready()
    assert not body["checks"]["sweep"]["ok"]
    assert body["checks"]["sweep"]["values"]["lag_seconds"] == 600

    call_command("sweep", verbosity=0)  # escalates it, and beats
    _, body = ready()
    assert body["checks"]["sweep"]["ok"] and body["checks"]["sweep"]["values"]["lag_seconds"] == 0


def test_a_deep_outbox_degrades_readiness(beating, settings):
    from haven.core import clock

    settings.HAVEN_READINESS = {**settings.HAVEN_READINESS, "outbox_depth": 2}
    for n in range(3):
        OutboxMessage.objects.create(
            channel=Channel.SMS,
            to=f"091200011{n}",
            subject="s",
            body="b",
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        )
    _, body = ready()
    assert not body["checks"]["outbox"]["ok"] and body["checks"]["outbox"]["values"]["due"] == 3


def test_an_unreachable_register_degrades_readiness(beating, settings):
    from haven.population import client
    from haven.population.register import register

    settings.HAVEN_POPULATION_REGISTER = "haven.population.client.HttpRegister"
    settings.HAVEN_POPULATION_REGISTER_HTTP = {
        **settings.HAVEN_POPULATION_REGISTER_HTTP,
        "url": "http://127.0.0.1:9",  # discard: nothing answers
        "token": "v1.haven.lookup.0.x",
        "timeout": 0.5,
    }
    register.cache_clear()
    client.breakers_reset()
    try:
        code, body = ready()
    finally:
        register.cache_clear()
        client.breakers_reset()
    assert code == 200 and body["status"] == "degraded"
    assert not body["checks"]["register"]["ok"]
    assert "RegisterUnavailable" in body["checks"]["register"]["detail"]


def test_readiness_names_nobody(world, beating):
    child = world.child()
    text = Client().get("/readyz").content.decode()
    assert child.full_name not in text and str(child.pk) not in text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_probes_answer_plain_http_in_production(path, settings, beating):
    # The load balancer probes inside the data centre, over HTTP: no redirect to HTTPS.
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get(path).status_code != 301


def test_the_sweep_beats_after_each_pass(db):
    call_command("sweep", verbosity=0)
    assert heartbeats.age(heartbeats.SWEEP) < 60


def test_a_failed_pass_does_not_stop_the_sweep_loop(db, monkeypatch):
    from haven.deadlines.management.commands import sweep as command

    passes = []

    def flaky(**kwargs):
        passes.append(1)
        if len(passes) == 1:
            raise OperationalError("the database is restarting")
        return (
            command.sweep.__wrapped__(**kwargs) if hasattr(command.sweep, "__wrapped__") else real(**kwargs)
        )

    real = command.sweep
    monkeypatch.setattr(command, "sweep", flaky)
    monkeypatch.setattr(command.connection, "close", lambda: None)  # the test's database stays open

    class Stop(Exception):
        pass

    def sleep(seconds):
        if len(passes) >= 2:
            raise Stop

    monkeypatch.setattr(command.time, "sleep", sleep)
    with pytest.raises(Stop):
        call_command("sweep", loop=30, verbosity=0)
    assert len(passes) == 2
    assert heartbeats.age(heartbeats.SWEEP) is not None  # the second pass ran to its end


def test_the_task_worker_beats_under_its_usual_name(db, monkeypatch):
    from haven.ops.management.commands import db_worker

    started = []
    monkeypatch.setattr(db_worker, "beat_in_background", started.append)
    # The worker drops connections between tasks; the test's own, inside its transaction, must stay.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w1", verbosity=0)
    assert len(started) == 1 and started[0].startswith("worker:") and started[0].endswith(":w1")


def test_a_heartbeat_is_read_as_the_age_of_the_newest(db):
    assert heartbeats.age("worker:") is None
    heartbeats.beat("worker:a:1")
    Heartbeat.objects.filter(name="worker:a:1").update(at=heartbeats.wall_clock() - dt.timedelta(seconds=90))
    heartbeats.beat("worker:b:2")
    assert heartbeats.age("worker:") < 60
    Heartbeat.objects.filter(name="worker:a:1").update(at=heartbeats.wall_clock() - dt.timedelta(days=2))
    assert heartbeats.forget_old() == 1


def test_migrations_are_read_from_disk_once(db, django_assert_max_num_queries):
    health.unapplied_migrations()
    with django_assert_max_num_queries(2):  # the recorder's table, then its rows
        assert health.unapplied_migrations() == []
