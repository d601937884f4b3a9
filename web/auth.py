"""The login cookie: signed, HttpOnly, SameSite=Lax, rotated at login, naming a login record.

The cookie carries the login's id and a random secret; the record (``accounts.logins``) keeps the
secret's hash. Logging out ends the record, so a copy of the cookie is worthless afterwards; a
password change, "log out on other devices" and a suspension end the records they concern. Behind
HTTPS the cookie is ``__Host-`` prefixed: Secure, path /, no domain, so no sibling host can set it.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from accounts import logins
from accounts.models import User
from core.errors import PermissionDenied
from web.request_db import db

COOKIE = "gz_login"
MAX_AGE = int(logins.MAX_AGE.total_seconds())
_UNSET = object()


def cookie_name(request: Request, name: str) -> str:
    """``name``, or ``__Host-name`` when cookies are secure (behind HTTPS)."""
    return f"__Host-{name}" if request.app.state.settings.secure_cookies else name


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key.value, salt="gongzhi.login")


def log_in(request: Request, response: Response, login: logins.NewLogin) -> None:
    """Set the cookie of a new login (a new record each time: an old cookie value is never reused)."""
    value = _serializer(request).dumps([login.login_id, login.secret])
    response.set_cookie(
        cookie_name(request, COOKIE),
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )


def log_out(request: Request, response: Response) -> None:
    """End this browser's login record and drop its cookie."""
    claims = login_claims(request)
    if claims is not None:
        logins.end_login(db(request), claims[0])
    response.delete_cookie(
        cookie_name(request, COOKIE),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )


def login_claims(request: Request) -> tuple[int, str] | None:
    """The login cookie's (login id, secret), checked once per request (the viewer and CSRF ask)."""
    cached = getattr(request.state, "login_claims", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    request.state.login_claims = claims = _read_claims(request)
    return claims


def _read_claims(request: Request) -> tuple[int, str] | None:
    raw = request.cookies.get(cookie_name(request, COOKIE))
    if not raw:
        return None
    try:
        login_id, secret = _serializer(request).loads(raw, max_age=MAX_AGE)
        return int(login_id), str(secret)
    except (BadSignature, ValueError, TypeError):
        return None


def current_user(request: Request) -> User | None:
    """The logged-in user with their roles, found with their login and their unread count in one
    query; None for visitors."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    claims = login_claims(request)
    found = logins.find_viewer(db(request), *claims) if claims else None
    request.state.user, request.state.login_id, request.state.unread = found if found else (None, None, 0)
    return request.state.user  # type: ignore[no-any-return]


def unread_count(request: Request) -> int:
    """The viewer's unread notifications as the request began (found with the viewer); 0 for visitors."""
    current_user(request)
    return getattr(request.state, "unread", 0)


def current_login_id(request: Request) -> int | None:
    """The id of this browser's login record, if it is logged in."""
    current_user(request)
    return getattr(request.state, "login_id", None)


def require_user(request: Request) -> User:
    """The logged-in user; ``PermissionDenied`` for a visitor (the error page sends them to log in)."""
    user = current_user(request)
    if user is None:
        raise PermissionDenied()
    return user


def forget_user(request: Request) -> None:
    """Drop the cached user (a new attempt of the request opens a new session)."""
    request.state.user = _UNSET
