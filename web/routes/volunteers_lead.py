"""A team's leaders at work (队长): members and requests, co-leaders, pending sign-ups, shifts.

Every handler here names the team or shift; the services check that the viewer leads it (or is an
admin), so a leader of another team gets 403 and a visitor is sent to log in. The day itself
(check-in, hours, exports, certificates) is ``volunteers_day``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from accounts.users import find_user_by_username
from core import clock, site_settings
from core.errors import N_, FieldErrors, Invalid
from grid import cells
from volunteers import certificates, shifts, signups, teams
from volunteers.access import access_shift, access_team
from volunteers.models import JoinPolicy, Skill
from web import auth
from web.forms import Form, FormView, number, text
from web.htmx import redirect, render
from web.request_db import db
from web.routes import volunteers_day
from web.routing import route
from web.urls import url_for

T = TypeVar("T")
SHIFT_FIELDS = (
    "title", "place", "description", "day", "start", "end", "capacity", "min_age", "deadline",
    "opens_hours_before", "cell_code", "weeks", *(f"skill_{s.value}" for s in Skill),
)  # fmt: skip


def team_manage(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    session, viewer = db(request), auth.current_user(request)
    team_id = request.path_params["team_id"]
    members = teams.team_members(session, viewer, team_id)  # the leaders' check comes first
    context = {
        "team": teams.team_view(session, team_id),
        "members": members,
        "pending": signups.pending_signups(session, viewer, team_id=team_id),
        "applications": certificates.team_certificates(session, viewer, team_id=team_id),
        "shifts": shifts.list_upcoming_shifts(session, team_id=team_id, per_page=50),
        "form": view or FormView(),
    }
    return render(request, "volunteers/manage.html", context, status=status, private=True)


def _back_to_team(request: Request, team_id: int, message: str = N_("Saved.")) -> Response:
    return redirect(request, url_for(request, "volunteers.team_manage", team_id=team_id), message)


def decide_member(request: Request, form: Form) -> Response:
    team_id, accept = request.path_params["team_id"], form.get("accept") == "1"
    teams.decide_member(
        db(request),
        auth.current_user(request),
        team_id=team_id,
        user_id=request.path_params["user_id"],
        accept=accept,
    )
    return _back_to_team(
        request, team_id, N_("Accepted into the team.") if accept else N_("Request refused.")
    )


def appoint_leader(request: Request, form: Form) -> Response:
    team_id, session = request.path_params["team_id"], db(request)
    try:
        person = find_user_by_username(session, text(form, "username"))
        if person is None:
            raise Invalid("username", N_("No account uses this username."))
        teams.appoint_leader(session, auth.current_user(request), team_id=team_id, user_id=person.id)
    except Invalid as error:
        return team_manage(request, form, FormView.from_form(form, "username", error=error), status=422)
    return _back_to_team(request, team_id, N_("The new leader is appointed."))


def decide_signup(request: Request, form: Form) -> Response:
    accept = form.get("accept") == "1"
    signup = signups.decide_signup(
        db(request), auth.current_user(request), signup_id=request.path_params["signup_id"], accept=accept
    )
    team_id = shifts.find_shift(db(request), signup.shift_id).team_id  # type: ignore[union-attr]
    return _back_to_team(request, team_id, N_("Sign-up accepted.") if accept else N_("Sign-up refused."))


def step_down(request: Request, form: Form) -> Response:
    """A leader becomes a member again (themselves, or by another leader); one leader always stays."""
    team_id = request.path_params["team_id"]
    user_id = request.path_params["user_id"]
    teams.step_down(db(request), auth.current_user(request), team_id=team_id, user_id=user_id)
    return _back_to_team(request, team_id, N_("Saved."))


# --- the team's own details and rules ----------------------------------------------------------------

TEAM_FIELDS = ("name", "organisation", "description", "join_policy", *teams.TEAM_SETTINGS)


def team_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    session = db(request)
    team = access_team(session, auth.current_user(request), request.path_params["team_id"], lead=True)
    served = teams.team_view(session, team.id).cell_codes
    values = {"name": team.name, "organisation": team.organisation, "description": team.description}
    values |= {"join_policy": team.join_policy.value}
    values |= {
        name: "" if getattr(team, name) is None else str(getattr(team, name)) for name in teams.TEAM_SETTINGS
    }
    context = {
        "team": team,
        "form": view or FormView(values),
        "cells": cells.cell_choices(session),
        "chosen": set(form.getlist("cells")) if view else set(served),
        "policies": list(JoinPolicy),
        "site": {name: site_settings.get(session, d.name) for name, d in teams.TEAM_SETTINGS.items()},
    }
    return render(request, "volunteers/team_form.html", context, status=status, private=True)


def save_team(request: Request, form: Form) -> Response:
    team_id = request.path_params["team_id"]
    try:
        teams.edit_team(db(request), auth.current_user(request), team_id=team_id, draft=_team_draft(form))
    except Invalid as error:
        return team_form(request, form, FormView.from_form(form, *TEAM_FIELDS, error=error), status=422)
    return redirect(request, url_for(request, "volunteers.team", team_id=team_id), N_("Saved."))


def _team_draft(form: Form) -> teams.TeamDraft:
    """The team form as a draft; an override left empty follows the site's setting."""
    errors = FieldErrors()
    overrides = {name: _override(errors, form, name) for name in teams.TEAM_SETTINGS}
    policy = _parse(
        errors, "join_policy", text(form, "join_policy"), JoinPolicy, N_("Choose how people join.")
    )
    errors.raise_if_any()
    return teams.TeamDraft(
        name=text(form, "name"),
        organisation=text(form, "organisation"),
        description=text(form, "description"),
        join_policy=policy or JoinPolicy.open,
        cell_codes=tuple(c for c in form.getlist("cells") if isinstance(c, str)),
        **overrides,
    )


def _override(errors: FieldErrors, form: Form, name: str) -> int | None:
    if not text(form, name):
        return None
    value = number(form, name)
    if value is None:
        errors.add(name, N_("A whole number, or empty for the site's setting."))
    return value


# --- shifts: the form, one-off and weekly -----------------------------------------------------------


def parse_shift(form: Form) -> tuple[shifts.ShiftDraft, int]:
    """The shift form's fields as a draft (times in Asia/Shanghai) and the number of weeks."""
    errors = FieldErrors()
    day = _parse(errors, "day", text(form, "day"), date.fromisoformat, N_("Give the day of the shift."))
    start = _parse(errors, "start", text(form, "start"), time.fromisoformat, N_("Give a start time."))
    end = _parse(errors, "end", text(form, "end"), time.fromisoformat, N_("Give an end time."))
    deadline = _parse(
        errors, "deadline", text(form, "deadline"), datetime.fromisoformat, N_("Give a date and time.")
    )
    errors.raise_if_any()  # the rest (capacity, title, place, the times' order) the service checks
    assert day and start and end
    draft = shifts.ShiftDraft(
        title=text(form, "title"),
        place=text(form, "place"),
        description=text(form, "description"),
        starts_at=_utc(datetime.combine(day, start)),
        ends_at=_utc(datetime.combine(day, end)),
        capacity=number(form, "capacity") or 0,
        skills=frozenset(s for s in Skill if form.get(f"skill_{s.value}") == "1"),
        min_age=number(form, "min_age"),
        signup_deadline=_utc(deadline) if deadline else None,
        opens_hours_before=number(form, "opens_hours_before"),
        cell_code=text(form, "cell_code") or None,
    )
    return draft, number(form, "weeks") or 1


# the service names a draft's fields, the form its inputs
FORM_FIELD = {"starts_at": "start", "ends_at": "end", "signup_deadline": "deadline"}


def _on_form(error: Invalid) -> Invalid:
    return Invalid.collect({FORM_FIELD.get(name, name): message for name, message in error.errors.items()})


def _parse(errors: FieldErrors, field: str, value: str, parse: Callable[[str], T], message: str) -> T | None:
    """``value`` parsed, or None with ``message`` on ``field`` (an empty deadline is no deadline)."""
    if not value:
        if field != "deadline":
            errors.add(field, message)
        return None
    try:
        return parse(value)
    except ValueError:
        errors.add(field, message)
        return None


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def shift_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    """The new-shift form of a team (its leaders)."""
    session, viewer = db(request), auth.current_user(request)
    team = access_team(session, viewer, request.path_params["team_id"], lead=True)
    context = _form_context(request, teams.team_view(session, team.id), view or FormView({"weeks": "1"}))
    return render(
        request, "volunteers/shift_form.html", context | {"shift": None}, status=status, private=True
    )


def _form_context(request: Request, team: teams.TeamView, view: FormView) -> dict[str, Any]:
    names = dict(cells.cell_choices(db(request))) if team.cell_codes else {}
    return {
        "team": team,
        "form": view,
        "skills": list(Skill),
        "cells": [(c, names.get(c, c)) for c in team.cell_codes],
    }


def create_shift(request: Request, form: Form) -> Response:
    session, viewer, team_id = db(request), auth.current_user(request), request.path_params["team_id"]
    try:
        draft, weeks = parse_shift(form)
        if weeks > 1:
            shifts.create_weekly_series(session, viewer, team_id=team_id, draft=draft, weeks=weeks)
            return _back_to_team(request, team_id, N_("The weekly shift is posted."))
        shift = shifts.create_shift(session, viewer, team_id=team_id, draft=draft)
    except Invalid as error:
        return shift_form(
            request, form, FormView.from_form(form, *SHIFT_FIELDS, error=_on_form(error)), status=422
        )
    session.flush()  # the new shift's page is where the leader goes next
    return redirect(
        request, url_for(request, "volunteers.shift", shift_id=shift.id), N_("The shift is posted.")
    )


def edit_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    session, viewer = db(request), auth.current_user(request)
    shift_id = request.path_params["shift_id"]
    access_shift(session, viewer, shift_id, lead=True)
    shown = shifts.shift_view(session, shift_id)
    context = _form_context(request, teams.team_view(session, shown.row.team_id), view or _filled(shown))
    return render(
        request, "volunteers/shift_form.html", context | {"shift": shown}, status=status, private=True
    )


def _filled(shown: shifts.ShiftView) -> FormView:
    start, end = clock.local(shown.row.starts_at), clock.local(shown.row.ends_at)
    deadline = clock.local(shown.signup_deadline)
    values = {
        "title": shown.row.title, "place": shown.row.place, "description": shown.description,
        "day": start.date().isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
        "capacity": str(shown.row.capacity), "min_age": str(shown.min_age or ""),
        "deadline": "" if shown.signup_deadline == shown.row.starts_at else f"{deadline:%Y-%m-%dT%H:%M}",
        "opens_hours_before": _hours_before(shown), "cell_code": shown.row.cell_code or "",
    }  # fmt: skip
    return FormView(values | {f"skill_{s.value}": "1" for s in shown.skills})


def _hours_before(shown: shifts.ShiftView) -> str:
    if shown.opens_at is None:
        return ""
    return str(int((shown.row.starts_at - shown.opens_at).total_seconds() // 3600))


def save_shift(request: Request, form: Form) -> Response:
    shift_id = request.path_params["shift_id"]
    try:
        draft, _weeks = parse_shift(form)
        shifts.edit_shift(db(request), auth.current_user(request), shift_id=shift_id, draft=draft)
    except Invalid as error:
        return edit_form(
            request, form, FormView.from_form(form, *SHIFT_FIELDS, error=_on_form(error)), status=422
        )
    return redirect(
        request, url_for(request, "volunteers.shift", shift_id=shift_id), N_("The shift is changed.")
    )


def cancel_shift(request: Request, form: Form) -> Response:
    session, viewer, shift_id = db(request), auth.current_user(request), request.path_params["shift_id"]
    if form.get("series") == "1":
        cancelled = shifts.cancel_series(session, viewer, shift_id=shift_id)
    else:
        cancelled = [shifts.cancel_shift(session, viewer, shift_id=shift_id)]
    message = N_("Cancelled; everyone signed up is told.")
    return _back_to_team(request, cancelled[0].team_id, message)


routes = [
    route("/volunteers/teams/{team_id:id}/manage", team_manage, name="volunteers.team_manage"),
    route(
        "/volunteers/teams/{team_id:id}/members/{user_id:id}/decide",
        decide_member,
        ["POST"],
        name="volunteers.member_decide",
    ),
    route(
        "/volunteers/teams/{team_id:id}/leaders", appoint_leader, ["POST"], name="volunteers.appoint_leader"
    ),
    route(
        "/volunteers/signups/{signup_id:id}/decide", decide_signup, ["POST"], name="volunteers.signup_decide"
    ),
    route(
        "/volunteers/teams/{team_id:id}/leaders/{user_id:id}/step-down",
        step_down,
        ["POST"],
        name="volunteers.step_down",
    ),
    route("/volunteers/teams/{team_id:id}/edit", team_form, name="volunteers.team_edit"),
    route("/volunteers/teams/{team_id:id}/edit", save_team, ["POST"], name="volunteers.team_save"),
    route("/volunteers/teams/{team_id:id}/shifts/new", shift_form, name="volunteers.shift_new"),
    route("/volunteers/teams/{team_id:id}/shifts", create_shift, ["POST"], name="volunteers.shift_create"),
    route("/volunteers/shifts/{shift_id:id}/edit", edit_form, name="volunteers.shift_edit"),
    route("/volunteers/shifts/{shift_id:id}/edit", save_shift, ["POST"], name="volunteers.shift_save"),
    route("/volunteers/shifts/{shift_id:id}/cancel", cancel_shift, ["POST"], name="volunteers.shift_cancel"),
    *volunteers_day.routes,
]
