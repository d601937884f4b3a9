"""The Jinja environments (one per language) and what every template may call.

Each language has its own environment, whose templates are compiled with their constant texts
already translated: ``{{ _("Log in") }}`` becomes the string ``登录`` at compile time (the
``ConstantTranslations`` extension), so a page pays nothing per request for its fixed wording. Texts
with values (``_("Page %(page)s", page=n)``) and translated variables (``_(entry.role.label)``) are
still translated when the page renders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from starlette.requests import Request

from accounts import permissions
from web import auth, csrf
from web.feature import MenuEntry, NavItem
from web.i18n import Translator
from web.urls import Urls

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def static_versions() -> dict[str, str]:
    """Content hashes of the static files, so their URLs change when they do (long cache lifetimes)."""
    versions = {}
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            versions[path.relative_to(STATIC_DIR).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[
                :12
            ]
    return versions


class ConstantTranslations(Extension):
    """Replaces ``_("constant")`` in a template's token stream by the translated constant."""

    def filter_stream(self, stream: TokenStream) -> Any:
        translate: Callable[[str], str] = self.environment.globals["translate_constant"]  # type: ignore[assignment]
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if len(window) > 4:
                yield window.pop(0)
            if len(window) == 4 and _is_constant_call(window):
                name, _open, text, _close = window
                yield Token(name.lineno, "string", translate(text.value))
                window.clear()
        yield from window


def _is_constant_call(tokens: list[Token]) -> bool:
    name, opening, text, closing = tokens
    return (
        name.type == "name"
        and name.value == "_"
        and opening.type == "lparen"
        and text.type == "string"
        and closing.type == "rparen"
    )


def make_environment(
    urls: Urls,
    translator: Translator,
    *,
    audit_labels: Mapping[str, str],
    admin_menu: Sequence[MenuEntry],
    nav: Sequence[NavItem],
    planned: Sequence[Any] = (),
) -> Environment:
    """The Jinja environment with what every template may call, built once per process."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[ConstantTranslations],
        # templates change with the code, and like the code they are read again when the server restarts:
        # auto_reload would stat every template file on every render (an include per post: 150 a page)
        auto_reload=False,
    )
    env.globals["translate_constant"] = translator.text
    versions = static_versions()
    env.globals["static"] = lambda name: f"/static/{name}?v={versions.get(name, '0')}"
    env.globals["is_admin"] = permissions.is_admin
    env.globals["is_moderator"] = permissions.is_moderator
    env.globals["is_committee_member"] = permissions.is_committee_member
    env.globals["is_committee_chair"] = permissions.is_committee_chair
    env.globals["url"] = urls.path
    env.globals["admin_menu"] = list(admin_menu)
    env.globals["audit_actions"] = dict(audit_labels)
    env.globals["nav_items"] = list(nav)
    env.globals["planned"] = list(planned)
    return env


def base_context(request: Request, translator: Translator) -> dict[str, Any]:
    """What every page knows: the viewer, the language, CSRF, gettext, and URL building."""
    return {
        "request": request,
        "user": auth.current_user(request),
        "csrf_token": csrf.token_for(request),
        "t": translator,
        "_": translator.gettext,
        "gettext": translator.gettext,
        "ngettext": translator.ngettext,
        "msg": translator.message,
        "current_path": request.url.path,
        "flash": getattr(request.state, "flash", None),
        "unread_count": lambda: auth.unread_count(request),
    }
