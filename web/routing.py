"""``route()``: every endpoint goes through the same wrapper, so nobody forgets the session or CSRF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import N_, DomainError, Unavailable
from web import convertors, csrf
from web.body_limit import BodyTooLarge
from web.errors import csrf_failure, files_refused, hashing_full, too_large
from web.hashing_gate import HashingGate
from web.session import SAFE_METHODS, Endpoint, RouteOptions, in_session

MAX_FIELDS = 200
TOO_LARGE = N_("The request is larger than %(kib)s KiB. Nothing was saved.")
NO_FILES = N_("This form does not take files. Nothing was saved.")
convertors.register()  # ``{name:id}`` before any route is compiled


class FilesRefused(Exception):
    """A multipart body sent to a route that takes no files (its larger cap is for uploads only)."""


async def read_form(request: Request, *, uploads: bool = False) -> FormData:
    """The parsed body of a form post (empty for GET); the body was capped by ``web.body_limit``.

    Only routes declared with ``uploads=True`` read multipart bodies: anywhere else one is refused
    before a byte is read, so the 10 MiB upload cap never becomes every form's cap.
    """
    if request.method in SAFE_METHODS:
        return FormData()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data") and not uploads:
        raise FilesRefused()
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return FormData()
    form = await request.form(max_fields=MAX_FIELDS, max_files=10)
    if not any(isinstance(value, str) and "\x00" in value for _name, value in form.multi_items()):
        return form
    # no keyboard types a NUL, and PostgreSQL refuses one in any text column (a 500 on every form)
    return FormData(
        [
            (name, value.replace("\x00", "") if isinstance(value, str) else value)
            for name, value in form.multi_items()
        ]
    )


def has_nul(request: Request) -> bool:
    """A NUL in the path or the query: PostgreSQL cannot even compare one with a text column."""
    return "\x00" in request.url.path or any("\x00" in v for _k, v in request.query_params.multi_items())


def route(
    path: str,
    endpoint: Endpoint,
    methods: Sequence[str] = ("GET",),
    name: str | None = None,
    **options: Any,
) -> Route:
    """A Starlette route whose synchronous ``endpoint(request, form)`` runs in the session wrapper."""
    opts = RouteOptions(**options)

    async def asgi_endpoint(request: Request) -> Response:
        if has_nul(request):
            raise HTTPException(400)
        try:
            form = await read_form(request, uploads=opts.uploads)
        except BodyTooLarge as error:
            if opts.errors is not None:
                return opts.errors(request, DomainError(TOO_LARGE, kib=error.limit // 1024), 413)
            return await run_in_threadpool(too_large, request, error.limit)
        except FilesRefused:
            if opts.errors is not None:
                return opts.errors(request, DomainError(NO_FILES), 415)
            return await run_in_threadpool(files_refused, request)
        except MultiPartException:
            form = FormData()
        if request.method not in SAFE_METHODS and not opts.csrf_exempt and not csrf.is_valid(request, form):
            return await run_in_threadpool(csrf_failure, request)
        if opts.hashes:  # never in the page threads: see web.hashing_gate
            try:
                gate: HashingGate = request.app.state.hashing_gate
                return await gate.run(in_session, endpoint, request, form, opts)
            except Unavailable as error:
                return await run_in_threadpool(hashing_full, request, error)
        return await run_in_threadpool(in_session, endpoint, request, form, opts)

    wrapped = Route(path, asgi_endpoint, methods=list(methods), name=name or endpoint.__name__)
    wrapped.options = opts  # type: ignore[attr-defined] # read by the completeness tests
    return wrapped


def options_of(route: BaseRoute) -> RouteOptions | None:
    """The options a route was declared with (None for routes not made by ``route()``)."""
    return getattr(route, "options", None)
