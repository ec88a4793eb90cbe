"""No API write answers a 500, whatever it is sent, and a refused one changes nothing.

Walks the OpenAPI schema: every POST, PUT, PATCH and DELETE under /api/v1, with its path filled with
real objects of the persona world (haven.core.tests.stage), is sent by every persona (each with its own
bearer token): no body, an empty object, a body that is not an object, every field of the wrong type,
every field a random string, ids too large for any database, and a body of the right shape (so that the
request reaches the service). Every answer must be below 500, and a refused request (4xx) must leave
every domain table and the audit trail's writes as they were."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import traceback

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from haven.accounts.services import api_token_issue
from haven.api.api import api
from haven.core import clock
from haven.core.tests.stage import GARBAGE_TEXT, build_stage, changed, snapshot

WRITES = ("post", "put", "patch", "delete")
TOO_LARGE = 10**30
EVERYONE = {"empty object", "random strings", "ids too large", "right shape", "not an image", "garbage"}


def resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve(schema["allOf"][0], components)
    return schema


def kind_of(schema: dict, components: dict) -> dict:
    """The schema of a value, with ``anyOf [x, null]`` (an optional field) read as x."""
    schema = resolve(schema, components)
    options = [resolve(s, components) for s in schema.get("anyOf", [])]
    options = [s for s in options if s.get("type") != "null"]
    return options[0] if options else schema


def wrong_type(schema: dict, components: dict):
    kind = kind_of(schema, components).get("type")
    return {"string": 12345, "integer": "abc", "number": "NaN", "boolean": "maybe", "array": "x"}.get(
        kind, [1, 2]
    )


def shaped(schema: dict, components: dict, name: str, ids: dict, depth: int = 0):
    """A value of the right shape (so that validation lets it through to the service)."""
    s = kind_of(schema, components)
    if "enum" in s:
        return s["enum"][0]
    if "const" in s:
        return s["const"]
    kind, fmt = s.get("type"), s.get("format")
    if kind == "object" and depth < 3:
        return {k: shaped(v, components, k, ids, depth + 1) for k, v in s.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return int(ids[name]) if name in ids and str(ids[name]).isdigit() else max(1, s.get("minimum", 1))
    if fmt == "date-time":
        return (clock.now() - dt.timedelta(minutes=1)).isoformat()
    if fmt == "date":
        return clock.today().isoformat()
    if fmt == "uuid":
        return ids.get(name, "00000000-0000-0000-0000-000000000000")
    if name in ids:
        return ids[name]
    return "Nguyễn Văn An"


def bodies(operation: dict, components: dict, ids: dict, rng: random.Random) -> list[tuple[str, object]]:
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return [
            ("no body", None),
            ("not an image", {"photo": SimpleUploadedFile("a.jpg", b"<html>" * 100, "image/jpeg")}),
            ("a string, not a file", {"photo": "x"}),
        ]
    if "application/json" not in content:
        return [("no body", None), ("garbage", {"x": "y"})]
    schema = resolve(content["application/json"]["schema"], components)
    props = schema.get("properties", {})
    return [
        ("no body", None),
        ("empty object", {}),
        ("not an object", "x"),
        ("a list", [1, 2]),
        ("wrong types", {k: wrong_type(v, components) for k, v in props.items()}),
        ("random strings", {k: rng.choice(GARBAGE_TEXT) for k in props}),
        (
            "ids too large",
            {
                k: TOO_LARGE if k.endswith("_id") or k == "id" else shaped(v, components, k, ids)
                for k, v in props.items()
            },
        ),
        ("right shape", shaped(schema, components, "", ids)),
    ]


def paths_with(path: str, operation: dict, components: dict, stage) -> list[str]:
    """The path with real ids, and the same path with ids no database holds."""
    real, wild = path, path
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        name, schema = parameter["name"], kind_of(parameter["schema"], components)
        value = schema["enum"][0] if "enum" in schema else stage.value(path, name)
        assert value is not None, f"no object for {name} in {path}: add one to the stage"
        real = real.replace(f"{{{name}}}", str(value))
        wild = wild.replace(f"{{{name}}}", "not-a-uuid" if schema.get("format") == "uuid" else str(TOO_LARGE))
    return [real] if real == wild else [real, wild]


@pytest.mark.parametrize("area", ["foundlings", "protection", "prevention", "care", "others"])
def test_no_api_write_answers_500_and_a_refused_one_changes_nothing(world, area, caplog, settings):
    # Every request must reach its operation: the token's rate limit is tested on its own (test_auth.py).
    settings.HAVEN_API_RATE_PER_MINUTE = 1_000_000
    caplog.set_level(logging.CRITICAL, logger="django.request")
    stage = build_stage(world)
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    rng = random.Random(f"api-garbage-{area}")
    keys = {
        name: api_token_issue(actor=u, user=u, name="garbage", scope="write")[1]
        for name, u in world.users.items()
    }
    failures, requests, refused, accepted = [], 0, 0, 0
    areas = ("foundlings", "protection", "prevention", "care")
    for path, operations in schema["paths"].items():
        section = path.split("/")[3]
        if (section if section in areas else "others") != area:
            continue
        for method, operation in operations.items():
            if method not in WRITES:
                continue
            ids = {k[1]: v for k, v in stage.ids.items() if path.startswith(k[0])}
            urls = paths_with(path, operation, components, stage)
            for url in urls:
                for what, body in bodies(operation, components, ids, rng):
                    # A body the schema refuses is refused before anyone's rights are looked at: one
                    # persona suffices. The others go to everyone, on the real objects.
                    everyone = what in EVERYONE and url == urls[0]
                    for persona, key in keys.items() if everyone else [("officer_a", keys["officer_a"])]:
                        client = Client(headers={"Authorization": f"Bearer {key}"})
                        label = f"{persona} {method.upper()} {url} ({what})"
                        before = snapshot()
                        requests += 1
                        try:
                            with transaction.atomic():
                                if (
                                    isinstance(body, dict)
                                    and any(isinstance(v, SimpleUploadedFile | str) for v in body.values())
                                    and "multipart/form-data"
                                    in operation.get("requestBody", {}).get("content", {})
                                ):
                                    response = getattr(client, method)(url, body)
                                else:
                                    response = getattr(client, method)(
                                        url,
                                        "" if body is None else json.dumps(body),
                                        content_type="application/json",
                                    )
                        except Exception as error:  # the test client re-raises what would be a 500
                            frames = traceback.extract_tb(error.__traceback__)
                            frame = next((f for f in reversed(frames) if "/haven/" in f.filename), frames[-1])
                            failures.append(
                                f"{label}: {type(error).__name__}: {error} at {frame.filename}:{frame.lineno}"
                            )
                            continue
                        if response.status_code >= 500:
                            failures.append(f"{label}: HTTP {response.status_code}")
                        elif response.status_code >= 400:
                            refused += 1
                            diff = changed(before, snapshot())
                            if diff:
                                failures.append(f"{label}: refused ({response.status_code}) but wrote {diff}")
                        else:
                            accepted += 1
    # Every operation was tried, most were refused, and some requests got through to a service.
    assert requests and refused and accepted
    assert not failures, f"{len(failures)} of {requests} requests failed:\n" + "\n".join(failures)
