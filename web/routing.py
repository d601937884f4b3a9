"""``route()``: every endpoint goes through the same wrapper, so nobody forgets the session or CSRF."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import N_, DomainError, Unavailable
from web import convertors, csrf, encoding
from web.body_limit import BodyTooLarge
from web.errors import csrf_failure, hashing_full, refused_request, too_large
from web.hashing_gate import HashingGate
from web.session import SAFE_METHODS, Endpoint, RouteOptions, in_session

MAX_FIELDS = 200
TOO_LARGE = N_("The request is larger than %(kib)s KiB. Nothing was saved.")
NO_FILES = N_("This form does not take files. Nothing was saved.")
NOT_A_FORM = N_("This address takes only form submissions. Nothing was saved.")
UNREADABLE = N_("The form could not be read (it is damaged or has too many fields). Nothing was saved.")
BAD_TEXT = N_("The form contains text that is not valid UTF-8. Nothing was saved.")
BAD_ADDRESS = N_("The address contains characters that are not valid UTF-8.")
convertors.register()  # ``{name:id}`` before any route is compiled


class Refused(Exception):
    """A request the route cannot read as its sender meant it: the status and the message to answer."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


async def read_form(request: Request, *, uploads: bool = False) -> FormData:
    """The parsed body of a form post (empty for GET); the body was capped by ``web.body_limit``.

    Only routes declared with ``uploads=True`` read multipart bodies: anywhere else one is refused
    before a byte is read, so the 10 MiB upload cap never becomes every form's cap. A body that is no
    form, a damaged one and text that is not UTF-8 (in the body or the address) are refused too.
    """
    if not encoding.address_is_clean(request.scope) or has_nul(request):
        raise Refused(400, BAD_ADDRESS)
    if request.method in SAFE_METHODS:
        return FormData()
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        if not uploads:
            raise Refused(415, NO_FILES)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        if not encoding.is_clean(await request.body()):  # kept: the parser below reads it again
            raise Refused(400, BAD_TEXT)
    elif await request.body():  # JSON, plain text, or no type at all: nothing here reads those
        raise Refused(415, NOT_A_FORM)
    else:
        return FormData()
    try:
        if content_type.startswith("multipart/form-data"):
            async with aclosing(request.stream()) as stream:
                form = await _Utf8Parts(request.headers, stream, max_files=10, max_fields=MAX_FIELDS).parse()
        else:
            form = await request.form(max_fields=MAX_FIELDS, max_files=10)
    except _NotUtf8:
        raise Refused(400, BAD_TEXT) from None
    except (MultiPartException, HTTPException):  # Starlette turns a parser's complaint into a 400
        raise Refused(400, UNREADABLE) from None
    return _without_nul(form)


def _without_nul(form: FormData) -> FormData:
    if not any(isinstance(value, str) and "\x00" in value for _name, value in form.multi_items()):
        return form
    # no keyboard types a NUL, and PostgreSQL refuses one in any text column (a 500 on every form)
    return FormData(
        [
            (name, value.replace("\x00", "") if isinstance(value, str) else value)
            for name, value in form.multi_items()
        ]
    )


class _NotUtf8(Exception):
    pass


class _Utf8Parts(MultiPartParser):
    """Starlette's multipart parser, except that a text field that is not UTF-8 is refused: Starlette
    would read it as Latin-1 and the garbled text would be saved."""

    def on_part_end(self) -> None:
        if self._current_part.file is None:
            try:
                bytes(self._current_part.data).decode("utf-8")
            except UnicodeDecodeError:
                raise _NotUtf8() from None
        super().on_part_end()


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
        try:
            form = await read_form(request, uploads=opts.uploads)
        except BodyTooLarge as error:
            if opts.errors is not None:
                return opts.errors(request, DomainError(TOO_LARGE, kib=error.limit // 1024), 413)
            return await run_in_threadpool(too_large, request, error.limit)
        except Refused as refused:
            if opts.errors is not None:
                return opts.errors(request, DomainError(refused.message), refused.status)
            return await run_in_threadpool(refused_request, request, refused.message, refused.status)
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
