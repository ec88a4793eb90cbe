"""Each request has an id, on its answer and on every log line written while it is served; the logs
are JSON objects that name a route, never an address, a query, a name or a record's id."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.db import IntegrityError
from django.test import Client

from haven.ops.logs import JsonFormatter, RequestIdFilter, logging_config, redact


@pytest.fixture
def json_log():
    """Everything logged during the test, as the production handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_request_has_an_id_on_its_answer_and_its_log_line(db, json_log):
    response = Client().get("/healthz")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [entry for entry in json_log() if entry["logger"] == "haven.request"]
    assert line["request_id"] == request_id
    assert line | {"duration_ms": 0} == {
        "time": line["time"],
        "level": "INFO",
        "logger": "haven.request",
        "message": "GET healthz 200",
        "request_id": request_id,
        "method": "GET",
        "route": "healthz",
        "status": 200,
        "duration_ms": 0,
    }


def test_the_proxy_s_request_id_is_kept_and_a_malformed_one_replaced(db):
    assert (
        Client().get("/healthz", HTTP_X_REQUEST_ID="4f1c2a9be0d34c7f")["X-Request-ID"] == "4f1c2a9be0d34c7f"
    )
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID="<script>\n")["X-Request-ID"]
    assert replaced != "<script>\n" and len(replaced) == 32


def test_the_log_of_a_child_s_page_names_the_route_not_the_child(world, json_log):
    child = world.child()
    client = Client(REMOTE_ADDR="198.51.100.23")
    client.force_login(world.officer_b)  # another commune's officer: a 404
    response = client.get(f"/children/{child.pk}/", {"q": child.full_name})
    assert response.status_code == 404
    text = "\n".join(json.dumps(entry, ensure_ascii=False) for entry in json_log())
    assert "children/<uuid:child_id>/" in text
    for personal in (str(child.pk), child.full_name, "198.51.100.23", world.officer_b.username):
        assert personal not in text
    (django_line,) = [e for e in json_log() if e["logger"] == "django.request"]
    assert django_line["message"] == "Not Found: children/<uuid:child_id>/"
    assert django_line["request_id"] == response["X-Request-ID"]


def test_a_line_logged_while_serving_carries_the_request_s_id(beating, json_log, monkeypatch):
    from haven.ops import health

    readiness = health.readiness

    def logging_readiness():
        logging.getLogger("haven.test").warning("reading the backlog")
        return readiness()

    monkeypatch.setattr(health, "readiness", logging_readiness)
    response = Client().get("/readyz")
    logging.getLogger("haven.test").warning("outside any request")
    ids = {e["message"]: e["request_id"] for e in json_log()}
    assert ids["reading the backlog"] == response["X-Request-ID"]
    assert ids["GET readyz 200"] == response["X-Request-ID"]
    assert ids["outside any request"] == ""


def test_a_database_error_s_detail_is_cut_from_the_traceback(json_log):
    try:
        raise IntegrityError(
            'duplicate key value violates unique constraint "child_pin_index"\n'
            "DETAIL:  Key (pin_index)=(Nguyễn Văn An 001203004567) already exists."
        )
    except IntegrityError:
        logging.getLogger("haven.test").exception("saving the child failed")
    (entry,) = [e for e in json_log() if e["logger"] == "haven.test"]
    assert entry["error"] == "IntegrityError"
    assert "Nguyễn" not in entry["traceback"] and "001203004567" not in entry["traceback"]
    assert "DETAIL: (removed" in entry["traceback"]
    assert redact("no detail here") == "no detail here"


def test_production_logs_json_and_development_text():
    assert logging_config(level="INFO", form="json")["handlers"]["console"]["formatter"] == "json"
    assert logging_config(level="INFO", form="text")["handlers"]["console"]["formatter"] == "text"
