"""The committed OpenAPI document (docs/openapi.json) is what the code serves."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.test import Client

from haven.api.management.commands.openapi import document

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_current():
    assert COMMITTED.read_text(encoding="utf-8") == document(), (
        "docs/openapi.json is stale: run `make openapi` and commit the result"
    )


def test_the_served_schema_is_the_committed_one():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_every_operation_requires_a_bearer_token():
    schema = json.loads(document())
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"scheme": "bearer", "type": "http"}}
    open_operations = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") != [{"TokenAuth": []}]
    ]
    assert open_operations == []
