"""The OpenAPI 3.1 description of ``/open311/v2/`` (served as ``openapi.json``). Written by hand from
the GeoReport v2 text; a test checks it names every Open311 route and method."""

from __future__ import annotations

from typing import Any

FORMAT = {"name": "format", "in": "path", "required": True, "schema": {"enum": ["json", "xml"]}}
JSON_XML = ("application/json", "text/xml")
ERRORS = {
    "description": "The standard's error list: one entry per problem",
    "content": {t: {"schema": {"$ref": "#/components/schemas/Errors"}} for t in JSON_XML},
}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {t: {"schema": {"$ref": f"#/components/schemas/{schema}"}} for t in JSON_XML},
    }


def _query(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _get(
    summary: str, schema: str, parameters: list[dict[str, Any]], *, errors: tuple[str, ...] = ("400",)
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _ok(schema, summary)}
    responses.update(dict.fromkeys(errors, ERRORS))
    return {"get": {"summary": summary, "parameters": [FORMAT, *parameters], "responses": responses}}


REQUEST_FILTERS = [
    _query("service_request_id", "Comma-separated ids; overrides every other filter."),
    _query("service_code", "Comma-separated service codes, e.g. component-0103,event-0502."),
    _query("start_date", "W3C date-time; requests made at or after it. Default: 90 days before end_date."),
    _query("end_date", "W3C date-time; requests made at or before it. At most 90 days after start_date."),
    _query(
        "status", "open, closed, or open,closed. closed covers closed (结案) and rejected (不予立案) cases."
    ),
    _query("page", "Page number from 1 (an extension; the Link header names the next page)."),
    _query("page_size", "Requests per page, 1 to 1000 (an extension; default 1000)."),
]
POST_FIELDS = {
    "api_key": {"type": "string", "description": "A key an administrator issued."},
    "service_code": {"type": "string"},
    "lat": {"type": "string", "description": "WGS-84 latitude; with long, or send address_string."},
    "long": {"type": "string", "description": "WGS-84 longitude."},
    "address_string": {"type": "string", "maxLength": 200},
    "description": {"type": "string", "maxLength": 4000},
    "media_url": {"type": "string", "description": "Stored as given and never fetched by the server."},
    "media": {
        "type": "string",
        "format": "binary",
        "description": "One photo (multipart); metadata stripped.",
    },
}


def _record(*fields: str) -> dict[str, Any]:
    return {"type": "object", "properties": {f: {"type": ["string", "null"]} for f in fields}}


SCHEMAS: dict[str, Any] = {
    "Errors": {"type": "array", "items": _record("code", "description")},
    "Discovery": _record("changeset", "contact", "key_service") | {"description": "With an endpoints list."},
    "Services": {
        "type": "array",
        "items": _record("service_code", "service_name", "description", "type", "keywords", "group")
        | {"description": "metadata is a boolean"},
    },
    "ServiceDefinition": _record("service_code") | {"description": "With an attributes list (empty here)."},
    "ServiceRequests": {
        "type": "array",
        "items": _record(
            "service_request_id",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "media_url",
        )
        | {"description": "lat and long are numbers"},
    },
    "Created": {"type": "array", "items": _record("service_request_id", "service_notice", "account_id")},
    "Tokens": {"type": "array", "items": _record("service_request_id", "token")},
}


def document(server: str) -> dict[str, Any]:
    """The description, with ``server`` (this site's ``/open311/v2``) as its one server."""
    requests = _get("Service requests, newest first", "ServiceRequests", REQUEST_FILTERS)
    requests["post"] = {
        "summary": "File a service request: a reported case (source open311), idempotent per key",
        "parameters": [
            FORMAT,
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 64},
                "description": "The client's own reference; without it a hash of the request is used.",
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                t: {
                    "schema": {
                        "type": "object",
                        "required": ["api_key", "service_code"],
                        "properties": POST_FIELDS,
                    }
                }
                for t in ("application/x-www-form-urlencoded", "multipart/form-data")
            },
        },
        "responses": {
            "201": _ok("Created", "A case was opened"),
            "200": _ok("Created", "The same request was filed before: its case"),
            "400": ERRORS,
            "403": ERRORS,
            "404": ERRORS,
            "429": ERRORS,
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "共治 Open311 GeoReport v2",
            "version": "2",
            "description": "The grid case queue's public face. Reading needs no key; filing, an api_key.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/discovery.{format}": _get("Service discovery", "Discovery", [], errors=()),
            "/services.{format}": _get(
                "Services: the taxonomy's active minor classes", "Services", [], errors=()
            ),
            "/services/{service_code}.{format}": _get(
                "A service's definition",
                "ServiceDefinition",
                [_path_param("service_code", "e.g. component-0103")],
                errors=("404",),
            ),
            "/requests.{format}": requests,
            "/requests/{service_request_id}.{format}": _get(
                "One service request",
                "ServiceRequests",
                [_path_param("service_request_id", "The case's id")],
                errors=("404",),
            ),
            "/tokens/{token}.{format}": _get(
                "The request a token (the client's Idempotency-Key) filed",
                "Tokens",
                [_path_param("token", "")],
                errors=("404",),
            ),
            "/openapi.json": {
                "get": {"summary": "This description", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
        },
        "components": {"schemas": SCHEMAS},
    }
