"""The per-request unit of work (HOUSE-STYLE.md section 3).

The endpoint runs in the thread pool inside one session; unsafe requests answering below 400 commit,
nothing else does. A lock, deadlock or serialization failure re-runs the whole endpoint (up to three
times, then 409), so endpoints have no effects outside the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from core import ratelimit, site_settings
from core.db import is_unavailable, retrying
from core.errors import DomainError
from web import auth
from web.errors import error_page, unavailable

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Endpoint = Callable[[Request, dict], Response]


@dataclass(frozen=True)
class RouteOptions:
    limits: tuple[str, ...] = ()  # site-setting names of rate-limit rules, "...per_ip" or "...per_user"
    own_transactions: bool = False  # login and password change manage their own (HOUSE-STYLE 3)
    csrf_exempt: bool = False


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_rate_limits(request: Request, names: tuple[str, ...]) -> None:
    """Count this request against each named rule, in its own short transaction before ours."""
    sessions = request.app.state.sessions
    with sessions.read() as session:
        rules = {name: site_settings.get(session, name) for name in names}
        user = auth.current_user(request)
    keys = []
    for name, rule in rules.items():
        if name.endswith("per_user"):
            if user is None:
                continue
            keys.append((f"{name}:{user.id}", rule))
        else:
            keys.append((f"{name}:{client_ip(request)}", rule))
    ratelimit.hit(sessions, keys)


@contextmanager
def reading(request: Request) -> Iterator[Session]:
    """A read session for rendering inside an endpoint that manages its own transactions."""
    with request.app.state.sessions.read() as session:
        request.state.db = session
        try:
            yield session
        finally:
            request.state.db = None


def in_session(endpoint: Endpoint, request: Request, form: dict, options: RouteOptions) -> Response:
    """Run ``endpoint`` in one session and commit only a successful unsafe request."""
    sessions = request.app.state.sessions
    writes = request.method not in SAFE_METHODS
    try:
        if options.limits:
            check_rate_limits(request, options.limits)
        if options.own_transactions:
            return endpoint(request, form)
        for attempt in retrying(3):
            auth.forget_user(request)
            with attempt, sessions.write() if writes else sessions.read() as session:
                request.state.db = session
                try:
                    response = endpoint(request, form)
                except DomainError as error:
                    session.rollback()
                    return error_page(request, error)
                if writes and response.status_code < 400:
                    session.commit()
                return response
        raise AssertionError("unreachable: retrying() raises on its last attempt")
    except DomainError as error:  # still locked after retries (Conflict), rate limits, hashing cap
        request.state.db = None
        return error_page(request, error)
    except DBAPIError as error:
        if not is_unavailable(error):
            raise
        log.warning("database unavailable on %s: %s", request.url.path, error)
        request.state.db = None
        return unavailable(request)
    finally:
        request.state.db = None
