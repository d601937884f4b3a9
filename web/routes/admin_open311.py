"""``/admin/open311``: the API keys city apps file service requests with (the open311 feature's admin
page). A new key is shown once, on the page that answers its form: it is never stored, and putting it
in a redirect's one-time message would put it in a cookie."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.errors import N_, Invalid
from grid import apikeys
from web import auth
from web.feature import MenuEntry
from web.forms import Form, FormView, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

menu = [
    MenuEntry(
        "admin.open311_keys",
        N_("Open311 API keys"),
        N_("Keys that city apps and partners file service requests with; revoke one to shut it out."),
    )
]
audit_labels = {
    "open311.key_issue": N_("Issued an Open311 API key"),
    "open311.key_revoke": N_("Revoked an Open311 API key"),
}


def keys_page(
    request: Request, form: Form, view: FormView | None = None, new_key: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "open311/admin_keys.html",
        {"keys": apikeys.list_keys(db(request)), "form": view or FormView(), "new_key": new_key},
        status=status,
        private=True,  # a new key is on this page: no cache may keep it
    )


def issue(request: Request, form: Form) -> Response:
    try:
        _, key = apikeys.issue_key(db(request), auth.current_user(request), text(form, "name"))
    except Invalid as error:
        return keys_page(request, form, FormView.from_form(form, "name", error=error), status=422)
    return keys_page(request, form, new_key=key)


def revoke(request: Request, form: Form) -> Response:
    apikeys.revoke_key(db(request), auth.current_user(request), request.path_params["key_id"])
    return redirect(request, url_for(request, "admin.open311_keys"), N_("The key is revoked."))


routes = [
    route("/admin/open311", keys_page, name="admin.open311_keys", admin=True),
    route("/admin/open311", issue, ["POST"], name="admin.open311_key_issue", admin=True),
    route("/admin/open311/{key_id:id}/revoke", revoke, ["POST"], name="admin.open311_key_revoke", admin=True),
]
