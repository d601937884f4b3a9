"""The one error table of DESIGN.md "Web": a domain error or fault becomes a page in the user's language."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from core.errors import (
    N_,
    Conflict,
    DomainError,
    Invalid,
    Message,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unavailable,
)
from web.auth import current_user
from web.htmx import redirect, render
from web.request_db import reading

log = logging.getLogger(__name__)

# How an API (Open311) answers errors in its own format instead of a page: the error and, where no
# domain class says it (413, 405, 500), the status.
ErrorAnswer = Callable[[Request, DomainError, int | None], Response]

STATUS = {
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    RateLimited: 429,
    Unavailable: 503,
    Invalid: 422,
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_page(request: Request, error: DomainError) -> Response:
    """The page for ``error``. A visitor refused a page is sent to log in first."""
    status = status_for(error)
    if status == 403 and _viewer(request) is None and request.method == "GET":
        return redirect(request, f"/accounts/login?next={request.url.path}")
    headers = {}
    if isinstance(error, RateLimited | Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    template = f"errors/{status if status in (403, 404, 409, 429, 503) else 400}.html"
    return render(request, template, {"error": error.message}, status=status, headers=headers)


def _viewer(request: Request) -> User | None:
    try:
        return current_user(request)
    except DBAPIError:  # the database may be what failed; the page must still render
        request.state.user = None
        return None


def csrf_failure(request: Request) -> Response:
    with reading(request):
        return render(
            request,
            "errors/403.html",
            {"error": Message(N_("This form has expired. Reload the page and send it again."))},
            status=403,
        )


def too_large(request: Request, limit: int) -> Response:
    request.state.user = None  # never touch the database for a refused body
    return render(request, "errors/413.html", {"limit_kib": limit // 1024}, status=413)


def refused_request(request: Request, message: str, status: int) -> Response:
    """A request that cannot be read (a body of the wrong kind, damaged, not UTF-8): the 400 page with
    its reason, without touching the database."""
    request.state.user = None
    return render(request, "errors/400.html", {"error": Message(message)}, status=status)


def hashing_full(request: Request, error: Unavailable) -> Response:
    """503 at once when the password-hashing gate is full: no thread, no database."""
    request.state.user = None
    return error_page(request, error)


def not_found(request: Request) -> Response:
    return error_page(request, NotFound())


DATABASE_DOWN = Unavailable(10, N_("The database is not answering. Try again shortly."))


def unavailable(request: Request, seconds: int = 10) -> Response:
    request.state.user = None
    return error_page(request, Unavailable(seconds, DATABASE_DOWN.message.key))


def log_unexpected(request: Request, exc: BaseException) -> str:
    """Log an unhandled error with a fresh reference id, which the answer shows."""
    reference = secrets.token_hex(4)
    log.error("unhandled error %s on %s %s", reference, request.method, request.url.path, exc_info=exc)
    return reference


def server_error(request: Request, exc: BaseException) -> Response:
    """500 with a reference id that is also in the log, so support can find the traceback."""
    reference = log_unexpected(request, exc)
    request.state.user = None
    return render(request, "errors/500.html", {"reference": reference}, status=500)
