"""The per-request unit of work (HOUSE-STYLE.md section 3).

The endpoint runs in the thread pool inside one session; unsafe requests answering below 400 commit,
nothing else does. A lock, deadlock or serialization failure re-runs the whole endpoint (up to three
times, then 409), so endpoints have no effects outside the database.

``web.request_db.db(request)`` is the one way to reach the request's session.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from accounts.permissions import require_admin
from core import ratelimit, site_settings
from core.db import is_unavailable, retrying
from core.errors import DomainError
from web import auth
from web.errors import DATABASE_DOWN, ErrorAnswer, error_page, unavailable
from web.request_db import reading

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Endpoint = Callable[[Request, FormData], Response]


@dataclass(frozen=True)
class RouteOptions:
    limits: tuple[str, ...] = ()  # site-setting names of rate-limit rules, "...per_ip" or "...per_user"
    # registration, login and password change: read, hash outside any transaction, then write
    own_transactions: bool = False
    csrf_exempt: bool = False
    admin: bool = False  # every /admin/ route: the one place the admin check happens for pages
    uploads: bool = False  # the route takes files: multipart bodies up to the upload cap
    hashes: bool = False  # the route hashes a password: it runs behind web.hashing_gate
    errors: ErrorAnswer | None = None  # an API's own error format (Open311): never an HTML page


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_rate_limits(request: Request, names: tuple[str, ...], form: FormData | None = None) -> None:
    """Count this request against each named rule, in its own short transaction before ours.

    A ``...per_key`` rule counts per API key sent as ``api_key``, by its digest (what is stored), so
    no lookup is needed and an unknown key is counted too.
    """
    with reading(request) as session:
        rules = {name: site_settings.get(session, name) for name in names}
        user = auth.current_user(request)
    keys = []
    for name, rule in rules.items():
        if name.endswith("per_user"):
            if user is None:
                continue
            keys.append((f"{name}:{user.id}", rule))
        elif name.endswith("per_key"):
            sent = form.get("api_key") if form is not None else None
            if isinstance(sent, str) and sent:
                keys.append((f"{name}:{hashlib.sha256(sent.encode()).hexdigest()[:32]}", rule))
        else:
            keys.append((f"{name}:{client_ip(request)}", rule))
    ratelimit.hit(request.app.state.sessions, keys)


def in_session(endpoint: Endpoint, request: Request, form: FormData, options: RouteOptions) -> Response:
    """Run ``endpoint`` in one session and commit only a successful unsafe request."""
    try:
        if options.limits:
            check_rate_limits(request, options.limits, form)
        if options.own_transactions:
            return endpoint(request, form)
        return _one_unit(endpoint, request, form, options)
    except DomainError as error:  # still locked after retries (Conflict), rate limits, hashing cap
        if options.errors is not None:
            return options.errors(request, error, None)
        with reading(request):
            return error_page(request, error)
    except DBAPIError as error:
        if not is_unavailable(error):
            raise
        log.warning("database unavailable on %s: %s", request.url.path, error)
        request.state.db = None
        if options.errors is not None:
            return options.errors(request, DATABASE_DOWN, None)
        return unavailable(request)
    finally:
        request.state.db = None


def _one_unit(endpoint: Endpoint, request: Request, form: FormData, options: RouteOptions) -> Response:
    sessions = request.app.state.sessions
    writes = request.method not in SAFE_METHODS
    for attempt in retrying(3):
        auth.forget_user(request)
        with attempt, sessions.write() if writes else sessions.read() as session:
            request.state.db = session
            try:
                if options.admin:
                    require_admin(auth.current_user(request))
                response = endpoint(request, form)
            except DomainError as error:
                session.rollback()
                if options.errors is not None:
                    return options.errors(request, error, None)
                return error_page(request, error)
            if writes and response.status_code < 400:
                session.commit()
            return response
    raise AssertionError("unreachable: retrying() raises on its last attempt")
