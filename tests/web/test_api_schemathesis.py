"""schemathesis against the machine interfaces, in-process on the ASGI app: Open311 GeoReport v2 from
the description it serves (``/open311/v2/openapi.json``), and ``/healthz``, the one other JSON
endpoint, from the few lines below. No generated request may get a 500; answers must match the
description (status code, content type and, for JSON, the schema).
"""

from __future__ import annotations

import os
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core import site_settings
from tests.web import open311_world

EXAMPLES = int(os.environ.get("GONGZHI_SCHEMATHESIS_EXAMPLES", "25"))  # per operation
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

HEALTH = {  # /healthz is for load balancers, outside Open311's description: its own, here
    "openapi": "3.1.0",
    "info": {"title": "health", "version": "1"},
    "paths": {
        "/healthz": {
            "get": {
                "responses": {
                    code: {
                        "description": "The database answers (200) or not (503)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status", "database"],
                                    "properties": {
                                        "status": {"type": "string"},
                                        "database": {"type": "string"},
                                    },
                                }
                            }
                        },
                    }
                    for code in ("200", "503")
                }
            }
        }
    },
}


def run(schema, answered: Counter[str], key: str = "") -> None:  # type: ignore[no-untyped-def]
    """Every operation of ``schema``, EXAMPLES generated cases each, every check on every answer."""
    for result in schema.get_all_operations():
        exercise(result.ok(), answered, key)


def exercise(operation, answered: Counter[str], key: str) -> None:  # type: ignore[no-untyped-def]
    """A form body gets the issued ``key`` (a made-up one stops every filing at 403), and every other
    one a service that exists, so the filing itself is reached."""
    name = f"{operation.method.upper()} {operation.path}"

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def call(case) -> None:  # type: ignore[no-untyped-def]
        if key and isinstance(case.body, dict):
            case.body["api_key"] = key
            if sum(map(ord, repr(case.body))) % 2:
                case.body["service_code"] = "component-0103"
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        answered[name] += 1

    call()


def test_open311_answers_every_generated_request_as_described(app, session, cast):
    ids = open311_world.build(session, cast)  # a key, a case filed with it and its token
    site_settings.change(session, cast.admin, "rate.open311_post_per_key", "100000/60")
    session.flush()
    schema = schemathesis.openapi.from_asgi("/open311/v2/openapi.json", app)
    answered: Counter[str] = Counter()
    run(schema, answered, str(ids["open311_key"]))
    assert len(answered) >= 7  # every data operation (the description itself has no parameters)
    print(
        f"\nschemathesis Open311: {len(answered)} operations, {sum(answered.values())} cases: "
        f"{dict(answered)}"
    )


def test_health_answers_as_described(app):
    answered: Counter[str] = Counter()
    schema = schemathesis.openapi.from_dict(HEALTH)
    schema.app = app  # in-process, as from_asgi does for a description the app serves itself
    run(schema, answered)
    assert answered["GET /healthz"] >= 1
