"""``/admin/users``: finding people, giving and taking roles and stakeholder groups (accounts feature)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts import roles, users
from accounts.models import Role, StakeholderGroup, User
from core import audit
from core.errors import N_, Invalid
from core.pages import clamp
from grid import residents, roster
from web import auth
from web.forms import Form, FormView, choice, number, optional_choice, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

PER_PAGE = 30
UserAction = Callable[[Session, User | None, int, Form], object]


def user_list(request: Request, form: Form) -> Response:
    query = text(request.query_params, "q")[:40]
    role = optional_choice(request.query_params, "role", Role)
    found = users.list_users(
        db(request),
        auth.current_user(request),
        query=query,
        role=role,
        page=clamp(number(request.query_params, "page")),
        per_page=PER_PAGE,
    )
    return render(
        request,
        "admin/users.html",
        {
            "users": found,
            "query": query,
            "role": role,
            "roles": list(Role),
            "homes": residents.residences_for(db(request), [u.id for u in found]),
        },
        block="user_list",
        private=True,
    )


def user_detail(request: Request, form: Form, status: int = 200, error: Invalid | None = None) -> Response:
    session = db(request)
    user = users.get_user(session, request.path_params["user_id"])
    entries, _ = audit.list_entries_for(session, "user", user.id, limit=20)
    return render(
        request,
        "admin/user.html",
        {
            "person": user,
            "roles": list(Role),
            "groups": list(StakeholderGroup),
            "posts": roster.posts_of(session, user.id),
            "home": residents.home_cell(session, user.id),
            "entries": entries,
            "form": FormView(errors=dict(error.errors) if error else {}),
        },
        status=status,
        private=True,
    )


def _user_action(request: Request, form: Form, act: UserAction) -> Response:
    user_id = request.path_params["user_id"]
    try:
        act(db(request), auth.current_user(request), user_id, form)
    except Invalid as error:
        return user_detail(request, form, status=422, error=error)
    return redirect(request, url_for(request, "admin.user", user_id=user_id), N_("Saved."))


def change_role(request: Request, form: Form) -> Response:
    def act(session: Session, actor: User | None, user_id: int, form: Form) -> object:
        role = choice(form, "role", Role, N_("Choose a role from the list."))
        if text(form, "action") == "revoke":
            return roles.revoke_role(session, actor, user_id, role)
        return roles.grant_role(session, actor, user_id, role)

    return _user_action(request, form, act)


def make_chair(request: Request, form: Form) -> Response:
    return _user_action(request, form, lambda s, a, uid, f: roles.make_chair(s, a, uid))


def change_group(request: Request, form: Form) -> Response:
    def act(session: Session, actor: User | None, user_id: int, form: Form) -> object:
        group = choice(form, "group", StakeholderGroup, N_("Choose a group from the list."))
        return roles.set_group(session, actor, user_id, group)

    return _user_action(request, form, act)


def change_active(request: Request, form: Form) -> Response:
    return _user_action(
        request, form, lambda s, a, uid, f: roles.set_active(s, a, uid, text(f, "active") == "1")
    )


routes = [
    route("/admin/users", user_list, name="admin.users", admin=True),
    route("/admin/users/{user_id:id}", user_detail, name="admin.user", admin=True),
    route("/admin/users/{user_id:id}/roles", change_role, ["POST"], name="admin.user_role", admin=True),
    route("/admin/users/{user_id:id}/chair", make_chair, ["POST"], name="admin.user_chair", admin=True),
    route("/admin/users/{user_id:id}/group", change_group, ["POST"], name="admin.user_group", admin=True),
    route("/admin/users/{user_id:id}/active", change_active, ["POST"], name="admin.user_active", admin=True),
]
