"""The request's database session: ``db(request)`` is the one way to reach it.

It fails loudly where none is open. Endpoints that manage their own transactions (registration, login,
password change) open one for rendering with ``reading(request)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session
from starlette.requests import Request


class NoSession(RuntimeError):
    """Code asked for the request's database session where none is open."""


def db(request: Request) -> Session:
    """The request's open database session."""
    session: Session | None = getattr(request.state, "db", None)
    if session is None:
        raise NoSession(f"no database session is open for {request.method} {request.url.path}")
    return session


def has_db(request: Request) -> bool:
    return getattr(request.state, "db", None) is not None


@contextmanager
def reading(request: Request) -> Iterator[Session]:
    """A read session as the request's own for the length of the block (the open one if there is one)."""
    if has_db(request):
        yield db(request)
        return
    with request.app.state.sessions.read() as session:
        request.state.db = session
        try:
            yield session
        finally:
            request.state.db = None
