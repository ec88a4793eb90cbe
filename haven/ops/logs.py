"""Structured logs: one JSON object a line, each with the request id of the request that wrote it.

Nothing personal goes in: the access line names the route pattern (``children/<uuid:pk>/``), never
the address, the query or the user, and Django's own request messages ("Not Found: /children/…") are
rewritten to the route as well. A database error's ``DETAIL:`` line, which quotes the values of the
row refused, is cut from tracebacks. What a person did is the audit trail's business, not the log's
(docs/decisions/0024-production-server.md)."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import traceback

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("haven_request_id", default="")

# Attributes every LogRecord has: anything else was passed as `extra=` and is written as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}
STATIC_PREFIX = "/static/"
_DETAIL = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id of the request being served ("" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def route_of(request) -> str:
    """The URL pattern the request matched (``children/<uuid:pk>/``): its path may name a record."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or "/"  # the home page's pattern is empty
    if request.path.startswith(STATIC_PREFIX):
        return "(static)"  # answered by WhiteNoise before URL resolution
    return "(unmatched)"


def _message(record: logging.LogRecord) -> str:
    request = getattr(record, "request", None)
    if request is not None and record.args and hasattr(request, "path"):
        # Django's "Not Found: %s" and the like name the path: name the route instead.
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        args = tuple(route_of(request) if arg == request.path else arg for arg in args)
        try:
            return str(record.msg) % args
        except (TypeError, ValueError):
            return str(record.msg)
    return record.getMessage()


def _request_id(record: logging.LogRecord) -> str:
    # Django logs a 4xx or 5xx answer after the middleware returned it: the request still has its id.
    return getattr(record, "request_id", "") or getattr(getattr(record, "request", None), "id", "") or ""


def _clean(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": _request_id(record),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and name not in entry and name not in ("request", "server_time"):
                entry[name] = _clean(value)
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            entry["traceback"] = redact("".join(traceback.format_exception(*record.exc_info)))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: the same facts on one readable line."""

    def format(self, record: logging.LogRecord) -> str:
        rid = _request_id(record)
        line = f"{record.levelname} {record.name}{f' [{rid[:8]}]' if rid else ''}: {_message(record)}"
        if record.exc_info:
            line += "\n" + redact("".join(traceback.format_exception(*record.exc_info)))
        return line


def redact(text: str) -> str:
    """A traceback without the values a database error quotes (PostgreSQL's ``DETAIL: Key (…)=(…)``)."""
    return _DETAIL.sub("  DETAIL: (removed: it may quote personal data)", text)


def logging_config(*, level: str, form: str) -> dict:
    formatter = "json" if form == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "haven.ops.logs.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "haven.ops.logs.JsonFormatter"},
            "text": {"()": "haven.ops.logs.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "fontTools": {"level": "WARNING"},
            # The middleware writes one access line per request (haven.request); runserver's own
            # line would repeat it with the full address.
            "django.server": {"level": "CRITICAL"},
        },
    }
