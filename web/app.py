"""The application factory. ``create_app(settings)`` for tests and the CLI; ``app_from_env()`` for
``uvicorn --factory`` under ``serve --workers N``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from accounts.passwords import Hasher
from core.db import Sessions, make_engine
from core.errors import N_, DomainError, NotFound
from core.settings import Settings
from core.worker import start_thread
from search import follower as search_follower
from search.index import SearchIndex
from web import features, wiring
from web.body_limit import BodyLimit
from web.errors import error_page, log_unexpected, not_found, server_error
from web.hashing_gate import HashingGate
from web.i18n import LOCALES, Catalogs
from web.request_db import reading
from web.security_headers import SecurityHeaders
from web.static_files import VersionedStaticFiles
from web.templating import STATIC_DIR, make_environment


def routes() -> list[BaseRoute]:
    """Every feature's routes, then the static files."""
    return [*features.routes(), Mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static")]


def http_error(request: Request, exc: Exception) -> Response:
    """The router's own answers (no route, wrong method): our error page, with the viewer's header."""
    assert isinstance(exc, HTTPException)
    api = features.api_errors(request.url.path)
    if api is not None:
        error = NotFound() if exc.status_code == 404 else _as_domain_error(exc.status_code)
        return api(request, error, exc.status_code)
    with reading(request):
        if exc.status_code == 404:
            return not_found(request)
        response = error_page(request, _as_domain_error(exc.status_code))
    response.status_code = exc.status_code
    return response


def _as_domain_error(status: int) -> DomainError:
    return DomainError(
        N_("This request cannot be answered.")
        if status != 405
        else N_("This address does not accept that kind of request.")
    )


def unexpected_error(request: Request, exc: Exception) -> Response:
    """500: the error page, or an API's own format under its prefix; the reference id is in the log."""
    api = features.api_errors(request.url.path)
    if api is None:
        return server_error(request, exc)
    reference = log_unexpected(request, exc)
    return api(
        request, DomainError(N_("Something went wrong on our side (reference %(ref)s)."), ref=reference), 500
    )


def create_app(
    settings: Settings, *, sessions: Sessions | None = None, hasher: Hasher | None = None
) -> Starlette:
    """Build the site. Tests inject ``sessions`` bound to their rolled-back connection (and get no worker)."""
    wiring.setup(settings)
    owns_engine = sessions is None
    sessions = sessions or Sessions(make_engine(settings))
    catalogs = Catalogs()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # endpoints and the connection pool share one size, so a burst waits in one place
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        worker = follower = None
        if owns_engine and settings.in_process_worker:
            resources = wiring.worker_resources(settings, catalogs)
            worker = start_thread(sessions, settings.worker_poll_seconds, resources)
        if owns_engine:  # every serve process tries the index folder's lock; the holder follows the feed
            follower = search_follower.start_thread(sessions, app.state.search_index)
        yield
        for _thread, stop in filter(None, (worker, follower)):
            stop.set()
        if worker is not None:
            worker[0].join(timeout=10)
        if follower is not None:
            # a pass cut short commits nothing, or is repeated by the next one: no need to wait long
            search_follower.wake_event().set()
            follower[0].join(timeout=2)
        if owns_engine:
            sessions.engine.dispose()

    app = Starlette(
        routes=routes(),
        middleware=[
            # outermost: everything after it sees the client's own address, from a trusted proxy only
            Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips),
            Middleware(SecurityHeaders, hsts=settings.secure_cookies),
            Middleware(GZipMiddleware, minimum_size=500),
            Middleware(BodyLimit, form_limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes),
        ],
        exception_handlers={HTTPException: http_error, Exception: unexpected_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.hasher = hasher or Hasher.from_settings(settings)
    app.state.hashing_gate = HashingGate(settings.hash_concurrency, settings.hash_wait_seconds)
    app.state.catalogs = catalogs
    app.state.search_index = SearchIndex(settings.index_dir)
    app.state.urls = features.make_urls()
    app.state.links = features.make_links(app.state.urls)
    app.state.home_areas = features.home_areas()
    app.state.participation_areas = features.participation_areas()
    app.state.planned = [area for area in features.PLANNED]
    app.state.templates = {
        locale: make_environment(
            app.state.urls,
            catalogs.for_locale(locale),
            audit_labels=features.audit_labels(),
            admin_menu=features.admin_menu(),
            nav=features.nav(),
            planned=app.state.planned,
        )
        for locale in LOCALES
    }
    return app


def app_from_env() -> Starlette:
    """Zero-argument factory: settings from ``GONGZHI_*``."""
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(settings)
