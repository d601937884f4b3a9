"""The minimal same-output handlers for bench/pages.py and bench/forums.py (not a bench: CI skips
files starting with _).

    GONGZHI_DATABASE_URL=... GONGZHI_SECRET_KEY=... \\
        uvicorn bench._minimal_app:app_from_env --factory --workers 2     # cwd: the repository root

The floor of the work a page does: a plain ``def`` endpoint, run in Starlette's thread pool like the
project's, reads the same rows with plain SQL (``text()`` statements, one connection, no ORM) and
renders the same bytes with a bare Jinja template from ``bench/minimal_templates/``
(``tests/bench/test_minimal_pages.py`` compares them with the project's pages, the CSRF token aside).

What may be computed once per process, from the project's own declarations, is: the navigation
(``web.features``), the static files' versioned URLs, and translated constant texts (``_("...")`` in a
minimal template is replaced by its translation when the template is loaded; enum labels are looked up
in dicts built at start-up). Everything per request is plain SQL and the bare template, so a feature
that adds a navigation item changes both sides alike and the comparison holds.

The signed-in viewer is found as the project finds it: the signed cookie checked with itsdangerous,
then one query for the login and its user (and the bell's unread count); the CSRF token is the same
HMAC. A bare Starlette text response (``/_bare``) is the box's ceiling.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "minimal_templates"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONSTANT = re.compile(r"""_\((?P<q>["'])(?P<text>(?:(?!(?P=q)).)*)(?P=q)\)""")
LOGIN_MAX_AGE = timedelta(days=14)  # accounts.logins.MAX_AGE
PER_PAGE_THREADS, PER_PAGE_POSTS = 30, 50


# --- what a process computes once ----------------------------------------------------------------


class TranslatingLoader(BaseLoader):
    """Loads a minimal template with each ``_("constant")`` replaced by its translation (once)."""

    def __init__(self, translate: Callable[[str], str]) -> None:
        self.files = FileSystemLoader(TEMPLATES)
        self.translate = translate

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.files.get_source(environment, template)

        def literal(found: re.Match[str]) -> str:
            return json.dumps(self.translate(found.group("text")), ensure_ascii=False)

        return CONSTANT.sub(literal, source), filename, uptodate


class Fixed:
    """Per-process inputs from the project's declarations: navigation, static URLs, labels, texts."""

    def __init__(self, locale: str = "zh_CN") -> None:
        from accounts.models import GROUP_LABELS, ROLE_LABELS
        from deliberation.forums.models import STANCE_LABELS
        from grid.models import ROSTER_LABELS
        from web import features
        from web.i18n import HTML_LANG, Catalogs
        from web.templating import static_versions

        self.catalog = Catalogs().for_locale(locale).catalog
        urls = features.make_urls()
        label = self.markup
        self.nav = [(urls.path(item.route), label(item.label)) for item in features.nav()]
        self.planned = [(area.name, label(area.nav_label)) for area in features.PLANNED if area.nav_label]
        versions = static_versions()
        self.static = {name: f"/static/{name}?v={version}" for name, version in versions.items()}
        self.html_lang = HTML_LANG[locale]
        self.roster = {role.value: label(text) for role, text in ROSTER_LABELS.items()}
        self.roles = {role.value: label(text) for role, text in ROLE_LABELS.items()}
        self.groups = {group.value: label(text) for group, text in GROUP_LABELS.items()}
        self.group_order = [group.value for group in GROUP_LABELS]
        self.stances = {stance.value: label(text) for stance, text in STANCE_LABELS.items()}

    def markup(self, msgid: str) -> Markup:
        return Markup(self.catalog.gettext(msgid))

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> Markup:
        params.setdefault("num", n)
        return Markup(self.catalog.ngettext(singular, plural, n)) % params

    def gettext(self, msgid: str, **params: Any) -> Markup:
        return Markup(self.catalog.gettext(msgid)) % params


def environment(fixed: Fixed) -> Environment:
    env = Environment(
        loader=TranslatingLoader(fixed.catalog.gettext),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(
        fixed=fixed,
        static=fixed.static,
        ngettext=fixed.ngettext,
        gettext=fixed.gettext,
        when=when,
        day=day,
    )
    return env


# --- plain helpers --------------------------------------------------------------------------------


def moment(value: Any) -> datetime | None:
    """A timestamp as the driver returns it (SQLite: naive UTC text; PostgreSQL: aware) as aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def when(value: Any) -> str:
    shown = moment(value).astimezone(SHANGHAI)  # type: ignore[union-attr]
    return f"{shown.year}年{shown.month}月{shown.day}日 {shown:%H:%M}"


def day(value: Any) -> str:
    shown = moment(value).astimezone(SHANGHAI)  # type: ignore[union-attr]
    return f"{shown.year}年{shown.month}月{shown.day}日"


def when_param(value: Any) -> str:
    """A moment as a value in a translated sentence: the time alone when it is today (Shanghai)."""
    shown = moment(value).astimezone(SHANGHAI)  # type: ignore[union-attr]
    if shown.date() == datetime.now(SHANGHAI).date():
        return f"{shown:%H:%M}"
    return when(value)


# --- the app --------------------------------------------------------------------------------------

VIEWER = text(
    "SELECT u.id, u.username, u.display_name, u.stakeholder_group, u.created_at, u.email, u.phone,"
    " l.secret_hash,"
    " EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'admin') AS is_admin,"
    " (SELECT count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread"
    " FROM logins l JOIN users u ON u.id = l.user_id"
    " WHERE l.id = :login AND l.ended_at IS NULL AND l.created_at > :since AND u.is_active"
)


class Minimal:
    """The handlers' shared state: the engine, the environment, the secret."""

    def __init__(self, engine: Engine, secret: str, fixed: Fixed | None = None) -> None:
        self.engine = engine
        self.secret = secret
        self.fixed = fixed or Fixed()
        self.env = environment(self.fixed)
        self.sqlite = engine.dialect.name == "sqlite"
        self.serializer = URLSafeTimedSerializer(secret, salt="gongzhi.login")

    def since(self) -> Any:
        since = datetime.now(UTC) - LOGIN_MAX_AGE
        return since.replace(tzinfo=None) if self.sqlite else since

    def viewer(self, conn: Connection, request: Request) -> tuple[Any, int | None]:
        raw = request.cookies.get("gz_login")
        if not raw:
            return None, None
        try:
            login_id, secret = self.serializer.loads(raw, max_age=int(LOGIN_MAX_AGE.total_seconds()))
        except BadSignature:
            return None, None
        row = conn.execute(VIEWER, {"login": int(login_id), "since": self.since()}).first()
        if row is None or not hmac.compare_digest(
            row.secret_hash, hashlib.sha256(secret.encode()).hexdigest()
        ):
            return None, None
        return row, int(login_id)

    def csrf(self, request: Request, login_id: int | None) -> tuple[str, str | None]:
        cookie = request.cookies.get("gz_csrf")
        new = None
        if not cookie:
            cookie = new = secrets.token_urlsafe(32)
        bound = f"csrf:{cookie}:{login_id if login_id is not None else ''}"
        return hmac.new(self.secret.encode(), bound.encode(), hashlib.sha256).hexdigest(), new

    def page(
        self,
        request: Request,
        template: str,
        read: Callable[[Connection, Any], dict[str, Any] | None],
        *,
        private: bool = False,
    ) -> Response:
        with self.engine.connect() as conn:
            user, login_id = self.viewer(conn, request)
            context = read(conn, user)
        if context is None:
            return HTMLResponse("not found", status_code=404)
        token, new_cookie = self.csrf(request, login_id)
        html = self.env.get_template(template).render(
            user=user,
            login_id=login_id,
            csrf_token=token,
            current_path=request.url.path,
            private=private,
            **context,
        )
        response = HTMLResponse(html)
        response.headers["Vary"] = "HX-Request"
        response.headers["Cache-Control"] = "no-store" if private else "private, no-cache"
        if new_cookie:
            response.set_cookie("gz_csrf", new_cookie, httponly=True, samesite="lax", path="/")
        return response


def create_app(engine: Engine, secret: str, *, threads: int = 8, fixed: Fixed | None = None) -> Starlette:
    from bench import _minimal_pages as pages

    state = Minimal(engine, secret, fixed)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads  # as the project does
        yield

    async def bare(request: Request) -> Response:
        return PlainTextResponse("ok")

    def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [Route(path, pages.bind(state, handler)) for path, handler in pages.ROUTES]
    routes += [Route("/_bare", bare), Route("/healthz", healthz)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.engine = engine
    return app


def app_from_env(env: Mapping[str, str] | None = None) -> Starlette:
    """Zero-argument factory for uvicorn: the project's database and secret from ``GONGZHI_*``."""
    env = os.environ if env is None else env
    url = env["GONGZHI_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    threads = int(env.get("GONGZHI_THREADS", "8"))
    engine = create_engine(url, pool_size=threads, max_overflow=2)  # the project's pool size
    return create_app(engine, env["GONGZHI_SECRET_KEY"], threads=threads)


TOKEN = re.compile(r'(name="csrf_token" value="|"X-CSRF-Token": ")[0-9a-f]{64}"')


def differences(project: str, minimal: str) -> str:
    """'' when two pages are the same but for their CSRF tokens, else a diff to read."""
    a, b = TOKEN.sub(r"\g<1>…", project), TOKEN.sub(r"\g<1>…", minimal)
    if a == b:
        return ""
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "project", "minimal", n=2))


def _groupby(rows: list[Any], key: str) -> list[tuple[Any, list[Any]]]:
    return [(k, list(g)) for k, g in groupby(rows, key=lambda r: getattr(r, key))]
