"""CSRF protection: a random cookie, and a token that is the cookie's HMAC under the site secret.

Every unsafe request must send the token as the ``csrf_token`` form field or the ``X-CSRF-Token`` header
(htmx sends the header, set once on ``<body hx-headers>``). An attacker can neither read the cookie nor,
having planted one from a sibling domain, compute its token without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "gz_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def token_for(request: Request) -> str:
    """The token forms on this page carry; makes the cookie value if the browser has none yet."""
    value = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not value:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = value
    return _sign(request.app.state.settings.secret_key.value, value)


def is_valid(request: Request, form: Any) -> bool:
    """True when the request carries the token that matches its cookie."""
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER) or (form.get(FIELD) if form is not None else None)
    if not cookie or not sent or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent, _sign(request.app.state.settings.secret_key.value, cookie))


def set_cookie_if_new(request: Request, response: Response) -> None:
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(
            COOKIE,
            value,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
            path="/",
        )
