"""``/admin/settings``: rate limits, lockouts and every rule features add (the settings feature)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core import site_settings
from core.errors import N_, Invalid
from web import auth
from web.feature import Feature, MenuEntry
from web.forms import Form, FormView, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for


def settings_page(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    values = site_settings.all_values(db(request))
    return render(
        request,
        "admin/settings.html",
        {
            "definitions": site_settings.DEFINITIONS,
            "form": view or FormView(values={name: str(value) for name, value in values.items()}),
        },
        status=status,
        private=True,
    )


def save_settings(request: Request, form: Form) -> Response:
    submitted = {name: text(form, name) for name in site_settings.DEFINITIONS if name in form}
    try:
        site_settings.change_many(db(request), auth.require_user(request), submitted)
    except Invalid as error:
        view = FormView(
            values={n: text(form, n) for n in site_settings.DEFINITIONS}, errors=dict(error.errors)
        )
        return settings_page(request, form, view, status=422)
    return redirect(request, url_for(request, "admin.settings"), N_("Saved."))


routes = [
    route("/admin/settings", settings_page, name="admin.settings", admin=True),
    route("/admin/settings", save_settings, ["POST"], name="admin.settings_save", admin=True),
]

feature = Feature(
    name="settings",
    routes=routes,
    models=["core.site_settings", "core.ratelimit"],
    audit_labels={"site_setting.change": N_("Changed a site setting")},
    admin_menu=[
        MenuEntry(
            "admin.settings",
            N_("Site settings"),
            N_("Rate limits, lockouts and the rules later features add."),
        )
    ],
)
