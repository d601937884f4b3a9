"""The Jinja environment and what every template may call."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request

from accounts import notifications, permissions
from core.errors import N_
from web import admin_menu, auth, csrf
from web.i18n import Translator

# what the audit log's action codes mean, for people reading /admin/audit
AUDIT_ACTIONS = {
    "account.activate": N_("Restored an account"),
    "account.suspend": N_("Suspended an account"),
    "account.end_other_logins": N_("Logged out on other devices"),
    "account.password_change": N_("Changed the password"),
    "role.grant": N_("Gave a role"),
    "role.revoke": N_("Took a role away"),
    "role.make_chair": N_("Made committee chair"),
    "group.set": N_("Changed the stakeholder group"),
    "roster.assign": N_("Put on a grid roster"),
    "roster.remove": N_("Taken off a grid roster"),
    "grid_cell.attach": N_("Added a cell document"),
    "grid_cell.detach": N_("Removed a cell document"),
    "site_setting.change": N_("Changed a site setting"),
    "job.retry": N_("Retried a background job"),
}

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


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    versions = static_versions()
    env.globals["static"] = lambda name: f"/static/{name}?v={versions.get(name, '0')}"
    env.globals["is_admin"] = permissions.is_admin
    env.globals["is_moderator"] = permissions.is_moderator
    env.globals["is_committee_member"] = permissions.is_committee_member
    env.globals["is_committee_chair"] = permissions.is_committee_chair
    env.globals["admin_menu"] = admin_menu.MENU
    env.globals["audit_actions"] = AUDIT_ACTIONS
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
        "url": lambda name, **params: str(request.url_for(name, **params).path),
        "current_path": request.url.path,
        "flash": getattr(request.state, "flash", None),
        "unread_count": lambda: _unread(request),
    }


def _unread(request: Request) -> int:
    user = auth.current_user(request)
    if user is None:
        return 0
    with auth.request_db(request) as session:
        return notifications.unread_count(session, user.id)
