"""Whether the text a request carries in its address and form body is well-formed UTF-8.

Starlette reads percent-escapes leniently: an invalid UTF-8 sequence becomes U+FFFD, a raw byte becomes
a Latin-1 letter and a broken escape (``%zz``) stays as typed, so garbled text would be saved as if
someone had written it. Browsers send every form and address percent-encoded UTF-8; anything else is
refused with a message instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import Scope

_BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def is_clean(raw: bytes) -> bool:
    """True when ``raw`` (a query string, a path or a urlencoded body) is ASCII with valid escapes of
    UTF-8 text."""
    if not raw.isascii() or _BROKEN_ESCAPE.search(raw):
        return False
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def address_is_clean(scope: Scope) -> bool:
    """True when the request's path and query string are clean (the raw path, where the server gives it)."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
    return is_clean(raw_path) and is_clean(scope.get("query_string", b""))
