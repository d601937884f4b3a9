"""Open311 GeoReport v2's two formats: JSON (the Spark convention: a list of records, or one object) and
XML (schemaless, no namespace, UTF-8 with its declaration), and the standard's error list.

Values are strings, booleans, numbers or None; the XML writes None as an empty element and booleans as
``true``/``false``. A list inside a record becomes a plural element holding singular ones
(``attributes`` → ``attribute``), as the standard's examples show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

from starlette.responses import Response

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
SINGULAR = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}

Record = Mapping[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(element, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(child, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _fill(child, SINGULAR.get(name, "item"), item)
    else:
        child.text = _text(value)


def to_xml(root: str, body: Record | Sequence[Record]) -> bytes:
    """``body`` under ``root``: one record's fields, or each record as ``SINGULAR[root]``."""
    element = ElementTree.Element(root)
    if isinstance(body, Mapping):
        for key, value in body.items():
            _fill(element, key, value)
    else:
        for record in body:
            _fill(element, SINGULAR[root], record)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ElementTree.tostring(element, encoding="unicode").encode()
    )


def answer(
    fmt: str,
    root: str,
    body: Record | Sequence[Record],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The response in ``fmt`` (``xml``, or JSON for anything else).

    Any site's script may read it (``Access-Control-Allow-Origin: *``): it is public data, and a
    wildcard origin never carries the browser's cookies, so no login can be used through it.
    """
    headers = {**(headers or {}), "Access-Control-Allow-Origin": "*"}
    if fmt == "xml":
        return Response(to_xml(root, body), status_code=status, headers=headers, media_type=XML_TYPE)
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(data, status_code=status, headers=headers, media_type=JSON_TYPE)


def format_of(path: str) -> str:
    """The format a path asks for by its extension; JSON when it names neither."""
    return "xml" if path.endswith(".xml") else "json"
