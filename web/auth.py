"""The login cookie: signed, HttpOnly, SameSite=Lax, rotated at login, carrying the user's auth epoch.

A password change or "log out everywhere" bumps the epoch in the database; every cookie carrying an
older epoch stops working at its next request.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from core.errors import PermissionDenied
from web.request_db import db

COOKIE = "gz_login"
MAX_AGE = 14 * 24 * 3600
_UNSET = object()


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key.value, salt="gongzhi.login")


def log_in(request: Request, response: Response, user_id: int, auth_epoch: int) -> None:
    """Set a fresh login cookie (a new nonce each time: the old cookie value is never reused)."""
    value = _serializer(request).dumps([user_id, auth_epoch, secrets.token_urlsafe(8)])
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )


def log_out(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=request.app.state.settings.secure_cookies
    )


def _claims(request: Request) -> tuple[int, int] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        user_id, epoch, _nonce = _serializer(request).loads(raw, max_age=MAX_AGE)
        return int(user_id), int(epoch)
    except (BadSignature, ValueError, TypeError):
        return None


def current_user(request: Request) -> User | None:
    """The logged-in user, loaded once per request from the request's session; None for visitors."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    claims = _claims(request)
    user = None
    if claims is not None:
        user = _load(db(request), claims)
    request.state.user = user
    return user


def require_user(request: Request) -> User:
    """The logged-in user; ``PermissionDenied`` for a visitor (the error page sends them to log in)."""
    user = current_user(request)
    if user is None:
        raise PermissionDenied()
    return user


def _load(session: Session, claims: tuple[int, int]) -> User | None:
    user = session.get(User, claims[0])
    if user is None or not user.is_active or user.auth_epoch != claims[1]:
        return None
    return user


def forget_user(request: Request) -> None:
    """Drop the cached user (a new attempt of the request opens a new session)."""
    request.state.user = _UNSET
