"""One-time messages after a redirect ("已保存"), carried in a short-lived signed cookie."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "gz_flash"


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key.value, salt="gongzhi.flash")


def set(request: Request, response: Response, message: str) -> None:
    """Show the msgid ``message`` on the next page this browser renders."""
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(message),
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )


def pop(request: Request) -> None:
    """Read the message into ``request.state.flash`` (translated by the template)."""
    if hasattr(request.state, "flash"):
        return
    raw = request.cookies.get(COOKIE)
    message = None
    if raw:
        try:
            message = _serializer(request).loads(raw, max_age=60)
        except BadSignature:
            message = None
    request.state.flash = message if isinstance(message, str) else None


def clear_cookie_if_shown(request: Request, response: Response) -> None:
    if request.cookies.get(COOKIE):
        response.delete_cookie(COOKIE, path="/")
