"""The committed OpenAPI document (docs/openapi.json) is what the code serves."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from ninja.openapi.schema import OpenAPISchema

from haven.accounts.services import api_token_issue
from haven.api.api import api
from haven.api.management.commands.openapi import document

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_current():
    assert COMMITTED.read_text(encoding="utf-8") == document(), (
        "docs/openapi.json is stale: run `make openapi` and commit the result"
    )


def test_the_served_schema_is_the_committed_one(world):
    client = Client()
    client.force_login(world.officer_a)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_api_documentation_is_for_signed_in_people_and_token_holders_only(world, path):
    assert Client().get(path).status_code == 302  # to the sign-in page
    assert "/accounts/login/" in Client().get(path)["Location"]
    assert Client(headers={"Authorization": "Bearer hvn_wrong"}).get(path).status_code == 401
    _token, key = api_token_issue(actor=world.officer_a, user=world.officer_a, name="docs")
    assert Client(headers={"Authorization": f"Bearer {key}"}).get(path).status_code == 200
    signed_in = Client()
    signed_in.force_login(world.officer_a)
    assert signed_in.get(path).status_code == 200


def test_the_swagger_page_loads_nothing_from_another_host(world):
    client = Client()
    client.force_login(world.officer_a)
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources), sources
    assert all(s.startswith("/static/") for s in sources), sources
    assert "<script>" not in page.replace('<script type="application/json"', "")


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


class OneOperation(OpenAPISchema):
    """django-ninja's own document generator, for one operation at a time: what the handler takes
    and returns, with the named schemas that operation alone defines. In the whole document a later
    schema of the same name silently replaces an earlier one (ninja merges all definitions into one
    dictionary), which is how an operation came to document another app's body."""

    def __init__(self) -> None:
        self.api = api
        self.path_prefix = ""
        self.schemas = {}
        self.securitySchemes = {}
        self.all_operation_ids = set()


def operations():
    """Every operation of /api/v1, with its path under the API's root."""
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield router.prefix + path, operation


def resolved(node, definitions: dict, depth: int = 0):
    """``node`` with every $ref replaced by the schema it names, so two documents compare by meaning."""
    assert depth < 30, "a schema refers to itself too deeply to compare"
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return resolved(definitions[name], definitions, depth + 1)
        return {key: resolved(value, definitions, depth) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(item, definitions, depth) for item in node]
    return node


def test_no_two_different_schemas_share_a_name():
    defined: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for _path, operation in operations():
        own = OneOperation()
        own.operation_details(operation)
        for name, definition in own.schemas.items():
            defined[name][json.dumps(definition, sort_keys=True)].add(operation.view_func.__module__)
    shared = {
        name: sorted({module for modules in kinds.values() for module in modules})
        for name, kinds in defined.items()
        if len(kinds) > 1
    }
    assert shared == {}, f"different schemas under one name (one overwrites the other): {shared}"


def test_every_operation_documents_the_body_and_answers_its_handler_has():
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    components = committed["components"]["schemas"]
    documented = {
        operation["operationId"]: operation
        for methods in committed["paths"].values()
        for operation in methods.values()
    }
    wrong = []
    for path, operation in operations():
        own = OneOperation()
        # Through JSON, as the document was written (status codes become strings).
        expected = json.loads(json.dumps(own.operation_details(operation)))
        for part in ("requestBody", "parameters", "responses"):
            said = documented[expected["operationId"]].get(part)
            if resolved(said, components) != resolved(expected.get(part), own.schemas):
                wrong.append(f"{'/'.join(operation.methods)} {path} ({part})")
    assert wrong == [], f"operations whose document is not what their handler takes or returns: {wrong}"
