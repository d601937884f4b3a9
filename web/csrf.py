"""CSRF protection: a random cookie, and a token that is an HMAC of it and of the login, under the secret.

Every unsafe request must send the token as the ``csrf_token`` form field or the ``X-CSRF-Token`` header
(htmx sends the header, set once on ``<body hx-headers>``). An attacker can neither read the cookie nor
compute its token without the secret. The token also names the login it was issued to (the signed
login cookie's id), so a visitor's cookie-and-token pair planted in a signed-in victim's browser is
refused; behind HTTPS the cookie is ``__Host-`` prefixed, so a sibling host cannot plant one at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web import auth

COOKIE = "gz_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def cookie_name(request: Request) -> str:
    return auth.cookie_name(request, COOKIE)


def _sign(request: Request, value: str) -> str:
    claims = auth.login_claims(request)
    bound = f"csrf:{value}:{claims[0] if claims else ''}"
    return hmac.new(
        request.app.state.settings.secret_key.value.encode(), bound.encode(), hashlib.sha256
    ).hexdigest()


def token_for(request: Request) -> str:
    """The token forms on this page carry; makes the cookie value if the browser has none yet."""
    value = request.cookies.get(cookie_name(request)) or getattr(request.state, "new_csrf_cookie", None)
    if not value:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = value
    return _sign(request, value)


def is_valid(request: Request, form: Any) -> bool:
    """True when the request carries the token that matches its cookie and its login."""
    cookie = request.cookies.get(cookie_name(request))
    sent = request.headers.get(HEADER) or (form.get(FIELD) if form is not None else None)
    if not cookie or not sent or not isinstance(sent, str):
        return False
    # bytes: compare_digest refuses a str with non-ASCII characters, and a forged token may have them
    return hmac.compare_digest(sent.encode(), _sign(request, cookie).encode())


def set_cookie_if_new(request: Request, response: Response) -> None:
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(
            cookie_name(request),
            value,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
            path="/",
        )
