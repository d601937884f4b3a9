"""Rendering pages and the fragments htmx asks for.

A block is returned only to a plain htmx request: ``HX-Request`` set and neither ``HX-Boosted`` nor
``HX-History-Restore-Request``. Boosted navigation and history restores want whole pages. The handler
names the block; a block name sent by the client is never rendered.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web import csrf, flash
from web.fragments import render_block
from web.i18n import LANG_COOKIE
from web.templating import base_context


def is_fragment_request(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and "hx-boosted" not in headers
        and "hx-history-restore-request" not in headers
    )


def translator(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.catalogs.for_locale(request.cookies.get(LANG_COOKIE))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    private: bool = False,
) -> HTMLResponse:
    """Render ``template`` whole, or only ``block`` for a plain htmx request. Always ``Vary: HX-Request``."""
    language = translator(request)
    env = request.app.state.templates[language.locale]
    fragment = bool(block) and is_fragment_request(request)
    if not fragment:
        flash.pop(request)  # a one-time message belongs to the next whole page, not to a polled fragment
    full_context = base_context(request, language) | (context or {})
    full_context["private"] = private
    # a block swapped in place may take the focus (autofocus), which a whole page must not steal
    full_context["fragment"] = fragment
    if fragment and block:
        html = render_block(env, template, block, full_context)
    else:
        html = env.get_template(template).render(**full_context)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store" if private else "private, no-cache"
    csrf.set_cookie_if_new(request, response)
    if not fragment:
        flash.clear_cookie_if_shown(request, response)
    return response


def redirect(request: Request, path: str, message: str | None = None) -> Response:
    """After a successful form: 303 to ``path`` (htmx follows it), with an optional one-time message."""
    response = RedirectResponse(path, status_code=303)
    if message:
        flash.set(request, response, message)
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to, never another site (``//evil`` or ``/\\evil`` are refused)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
