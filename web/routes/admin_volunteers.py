"""``/admin/volunteers``: founding volunteer teams with their first leader (the volunteers feature).

Admins found a team (成立服务队) and name its first leader; from then on its leaders run it and
appoint co-leaders themselves.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts.users import find_user_by_username
from core.errors import N_, FieldErrors, Invalid
from grid import cells
from volunteers import teams
from volunteers.models import JoinPolicy
from web import auth
from web.forms import Form, FormView, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

FIELDS = ("name", "organisation", "description", "join_policy", "leader")


def team_admin(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    session = db(request)
    chosen = set(form.getlist("cells")) if view else set()
    context = {
        "teams": teams.list_teams(session),
        "cells": cells.cell_choices(session),
        "chosen": chosen,
        "policies": list(JoinPolicy),
        "form": view or FormView({"join_policy": JoinPolicy.open.value}),
    }
    return render(request, "admin/teams.html", context, status=status, private=True)


def found_team(request: Request, form: Form) -> Response:
    session = db(request)
    leader = find_user_by_username(session, text(form, "leader"))
    policy = _policy(text(form, "join_policy"))
    draft = teams.TeamDraft(
        name=text(form, "name"),
        organisation=text(form, "organisation"),
        description=text(form, "description"),
        join_policy=policy or JoinPolicy.open,
        cell_codes=tuple(c for c in form.getlist("cells") if isinstance(c, str)),
    )
    try:
        _check(session, draft, no_leader=leader is None, no_policy=policy is None)
        assert leader is not None
        team = teams.create_team(session, auth.current_user(request), draft=draft, leader_id=leader.id)
    except Invalid as error:
        return team_admin(request, form, FormView.from_form(form, *FIELDS, error=error), status=422)
    session.flush()  # the team's page is named by its id
    return redirect(request, url_for(request, "volunteers.team", team_id=team.id), N_("The team is founded."))


def _policy(value: str) -> JoinPolicy | None:
    try:
        return JoinPolicy(value)
    except ValueError:
        return None


def _check(session: Session, draft: teams.TeamDraft, *, no_leader: bool, no_policy: bool) -> None:
    """Every field's message at once: the form's own (leader, joining) and the service's."""
    errors = FieldErrors()
    if no_leader:
        errors.add("leader", N_("No account uses this username."))
    if no_policy:
        errors.add("join_policy", N_("Choose how people join."))
    try:
        teams.check_draft(session, draft)
    except Invalid as error:
        errors.errors.update(error.errors)
    errors.raise_if_any()


routes = [
    route("/admin/volunteers", team_admin, name="admin.teams", admin=True),
    route("/admin/volunteers", found_team, ["POST"], name="admin.team_create", admin=True),
]
