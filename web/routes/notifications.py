"""The bell, the list of notifications, and how each person wants to be told."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts import notifications
from accounts.contact import update_contact
from core.errors import N_, Invalid
from core.pages import clamp
from web import auth, htmx
from web.delivery import render_text
from web.feature import Feature
from web.forms import Form, FormView, number, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

PER_PAGE = 20


def bell(request: Request, form: Form) -> Response:
    """The bell's fragment for htmx polling: 204 when the count the page shows is still right."""
    user = auth.current_user(request)
    if user is None:
        return Response(status_code=204)
    count = auth.unread_count(request)  # counted with the viewer, in the same query
    if str(count) == request.query_params.get("shown"):
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    return render(request, "notifications/bell.html", {"unread": count}, block="bell", private=True)


def notification_list(request: Request, form: Form) -> Response:
    user = auth.require_user(request)
    found = notifications.notifications_for(
        db(request), user, page=clamp(number(request.query_params, "page")), per_page=PER_PAGE
    )
    translator, links = htmx.translator(request), request.app.state.links
    items = [
        {"n": n, "text": render_text(translator, n), "link": links.path(n.target_kind, n.target_id)}
        for n in found
    ]
    return render(
        request,
        "notifications/list.html",
        {
            "items": items,
            "unread": auth.unread_count(request),
            "page": found,
        },
        block="notification_list",
        private=True,
    )


def mark_read(request: Request, form: Form) -> Response:
    user = auth.require_user(request)
    notifications.mark_read(db(request), user, request.path_params.get("notification_id"))
    return redirect(request, url_for(request, "notifications.list"))


def settings_page(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    user = auth.require_user(request)
    chosen = notifications.preferences(db(request), user)
    return render(
        request,
        "notifications/settings.html",
        {
            "kinds": notifications.KINDS,
            "chosen": chosen,
            "form": view or FormView(values={"email": user.email or "", "phone": user.phone or ""}),
        },
        status=status,
        private=True,
    )


def save_settings(request: Request, form: Form) -> Response:
    user = auth.require_user(request)
    session = db(request)
    try:
        update_contact(session, user, email=text(form, "email"), phone=text(form, "phone"))
    except Invalid as error:
        return settings_page(
            request, form, FormView.from_form(form, "email", "phone", error=error), status=422
        )
    chosen = {
        kind: {c for c in notifications.CHANNELS if form.get(f"{kind}:{c}") == "1"}
        for kind in notifications.KINDS
    }
    notifications.set_preferences(session, user, chosen)
    return redirect(request, url_for(request, "notifications.settings"), N_("Saved."))


routes = [
    route("/accounts/notifications", notification_list, name="notifications.list"),
    route("/accounts/notifications/bell", bell, name="notifications.bell"),
    route("/accounts/notifications/read", mark_read, ["POST"], name="notifications.read_all"),
    route(
        "/accounts/notifications/{notification_id:id}/read", mark_read, ["POST"], name="notifications.read"
    ),
    route("/accounts/notifications/settings", settings_page, name="notifications.settings"),
    route("/accounts/notifications/settings", save_settings, ["POST"], name="notifications.settings_save"),
]

feature = Feature(
    name="notifications",
    routes=routes,
    registers=["accounts.notifications", "web.delivery"],
)
