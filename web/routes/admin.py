"""``/admin/``: the menu every feature adds to, and the audit log (the admin feature)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core import audit
from core.errors import N_
from core.pages import clamp
from web.feature import Feature, MenuEntry
from web.forms import Form, number
from web.htmx import render
from web.request_db import db
from web.routing import route


def index(request: Request, form: Form) -> Response:
    return render(request, "admin/index.html", private=True)


def audit_log(request: Request, form: Form) -> Response:
    entries = audit.list_entries(db(request), page=clamp(number(request.query_params, "page")), per_page=50)
    return render(request, "admin/audit.html", {"entries": entries}, block="audit_list", private=True)


routes = [
    route("/admin/", index, name="admin.index", admin=True),
    route("/admin/audit", audit_log, name="admin.audit", admin=True),
]

feature = Feature(
    name="admin",
    routes=routes,
    models=["core.audit"],
    admin_menu=[MenuEntry("admin.audit", N_("Audit log"), N_("Every privileged act: who, when, what."))],
)
