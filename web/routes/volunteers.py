"""Volunteer shifts and teams (志愿服务): the lists, a shift with its sign-up panel, a team's page.

Signing up, cancelling, accepting an offer, joining and leaving are plain forms that work without
JavaScript (hx-boost makes them quicker); a refused sign-up comes back as the shift's page with 422 and
one message per rule it breaks. ``volunteers`` never imports ``grid``: the viewer's home cell and the
cells' names are asked of ``grid`` here and passed in as codes.

The leaders' pages are ``volunteers_lead``, the personal ones ``volunteers_mine``, the admins'
``admin_volunteers``; this module ends with the feature's declaration.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from core import clock
from core.errors import N_, Invalid
from core.pages import clamp
from grid import cells, residents
from search.kinds import volunteers as search_volunteers
from volunteers import signups, teams, waitlist
from volunteers.access import can_lead_team, get_team, shift_of_signup
from volunteers.lifecycle import ACTIVE
from volunteers.models import MemberStatus, ShiftStatus, SignupStatus
from volunteers.shifts import list_upcoming_shifts, shift_view
from web import auth
from web.demo import volunteers as demo_volunteers
from web.feature import Feature, HomeArea, Link, MenuEntry, NavItem, ParticipationArea
from web.forms import Form, number, text
from web.htmx import redirect, render, safe_next
from web.request_db import db
from web.routes import admin_volunteers, volunteers_lead, volunteers_mine
from web.routing import route
from web.urls import url_for

S = SignupStatus
PER_PAGE = 20
LIMITS = ("rate.volunteer_signup_per_user",)

SIGNED_UP = {
    S.confirmed: N_("You are signed up. Thank you!"),
    S.waitlisted: N_(
        "The shift is full: you are on its waiting list, and we will tell you when a place frees up."
    ),
    S.pending_approval: N_("Your sign-up waits for a team leader's approval."),
}
CANCELLED = {
    S.cancelled: N_("Your sign-up is cancelled."),
    S.late_cancelled: N_(
        "Your sign-up is cancelled. It was close to the start, so it is recorded as a late cancellation."
    ),
}


# --- the shift list -----------------------------------------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None  # a filter: an unreadable day means no filter


def shift_list(request: Request, form: Form) -> Response:
    session, viewer, query = db(request), auth.current_user(request), request.query_params
    day, team_id, cell = _day(text(query, "day")), number(query, "team"), text(query, "cell")[:15]
    found = list_upcoming_shifts(
        session,
        day=day,
        team_id=team_id,
        cell_code=cell or None,
        page=clamp(number(query, "page")),
        per_page=PER_PAGE,
    )
    mine = signups.statuses_for(session, viewer.id, [row.id for row in found]) if viewer else {}
    chosen = {"day": day.isoformat() if day else "", "team": team_id or "", "cell": cell}
    context = {
        "shifts": found,
        "mine": mine,
        "filters": {"team": team_id, "cell": cell},
        "query": {name: value for name, value in chosen.items() if value},
        "teams": teams.list_teams(session),
        "cells": cells.cell_choices(session),
        "home": residents.home_cell(session, viewer.id) if viewer else None,
    }
    return render(request, "volunteers/shifts.html", context, block="shift_list")


# --- one shift and its sign-up panel -----------------------------------------------------------------


def shift_page(
    request: Request,
    form: Form,
    refused: Invalid | None = None,
    status: int = 200,
    shift_id: int | None = None,
) -> Response:
    session, viewer, now = db(request), auth.current_user(request), clock.now()
    view = shift_view(session, shift_id or request.path_params["shift_id"])
    team = get_team(session, view.row.team_id)
    mine = signups.statuses_for(session, viewer.id, [view.row.id]).get(view.row.id) if viewer else None
    place = None
    if mine is not None and mine.status is S.waitlisted and mine.position is not None:
        place = waitlist.place_on_waitlist(session, view.row.id, mine.position)
    context = {
        "shift": view,
        "team": team,
        "mine": mine,
        "place": place,
        "cancel_window": teams.team_setting(session, team, "cancel_window_hours"),
        "leads": viewer is not None and can_lead_team(viewer, team),
        "cell_name": _cell_name(session, view.row.cell_code),
        "refused": list(refused.errors.values()) if refused else [],
        "scheduled": view.row.status is ShiftStatus.scheduled,
        "closed": now >= view.signup_deadline,
        "opens_later": view.opens_at is not None and now < view.opens_at,
    }
    return render(request, "volunteers/shift.html", context, block="signup_panel", status=status)


def _cell_name(session: Session, code: str | None) -> str | None:
    return dict(cells.cell_choices(session)).get(code) if code else None


def sign_up(request: Request, form: Form) -> Response:
    shift_id = request.path_params["shift_id"]
    try:
        signup = signups.sign_up(db(request), auth.current_user(request), shift_id=shift_id)
    except Invalid as error:
        return shift_page(request, form, refused=error, status=422)
    return redirect(
        request, url_for(request, "volunteers.shift", shift_id=shift_id), SIGNED_UP[signup.status]
    )


def cancel(request: Request, form: Form) -> Response:
    signup_id = request.path_params["signup_id"]
    session = db(request)
    try:
        signup = signups.cancel_signup(session, auth.current_user(request), signup_id=signup_id)
    except Invalid as error:
        shift_id = shift_of_signup(session, signup_id)
        return shift_page(request, form, refused=error, status=422, shift_id=shift_id)
    message = N_("You declined the place; it goes to the next in line.") if form.get("declining") else None
    back = url_for(request, "volunteers.shift", shift_id=signup.shift_id)
    return redirect(request, safe_next(text(form, "next"), back), message or CANCELLED[signup.status])


def accept(request: Request, form: Form) -> Response:
    signup_id = request.path_params["signup_id"]
    session = db(request)
    try:
        signup = waitlist.accept_offer(session, auth.current_user(request), signup_id=signup_id)
    except Invalid as error:
        shift_id = shift_of_signup(session, signup_id)
        return shift_page(request, form, refused=error, status=422, shift_id=shift_id)
    back = url_for(request, "volunteers.shift", shift_id=signup.shift_id)
    return redirect(request, safe_next(text(form, "next"), back), N_("The place is yours. Thank you!"))


# --- teams --------------------------------------------------------------------------------------------


def team_list(request: Request, form: Form) -> Response:
    return render(request, "volunteers/teams.html", {"teams": teams.list_teams(db(request))})


def team_page(request: Request, form: Form, error: Invalid | None = None, status: int = 200) -> Response:
    session, viewer = db(request), auth.current_user(request)
    team_id = request.path_params["team_id"]
    view = teams.team_view(session, team_id)
    context = {
        "team": view,
        "shifts": list_upcoming_shifts(session, team_id=team_id, per_page=10),
        "membership": teams.memberships_of(session, viewer.id).get(team_id) if viewer else None,
        "leads": viewer is not None and can_lead_team(viewer, get_team(session, team_id)),
        "cell_names": dict(cells.cell_choices(session)) if view.cell_codes else {},
        "refused": list(error.errors.values()) if error else [],
    }
    return render(request, "volunteers/team.html", context, status=status)


def join(request: Request, form: Form) -> Response:
    team_id = request.path_params["team_id"]
    try:
        membership = teams.join_team(db(request), auth.current_user(request), team_id=team_id)
    except Invalid as error:
        return team_page(request, form, error=error, status=422)
    active = membership.status is MemberStatus.active
    message = N_("Welcome to the team.") if active else N_("Your request to join is with the team's leaders.")
    return redirect(request, url_for(request, "volunteers.team", team_id=team_id), message)


def leave(request: Request, form: Form) -> Response:
    team_id = request.path_params["team_id"]
    teams.leave_team(db(request), auth.current_user(request), team_id=team_id)
    return redirect(request, url_for(request, "volunteers.team", team_id=team_id), N_("You left the team."))


# --- the home page's area -----------------------------------------------------------------------------


def home_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """A volunteer's next shifts, and open shifts in their home cell (or the city's next ones)."""
    home = residents.home_cell(session, viewer.id) if viewer else None
    upcoming = list_upcoming_shifts(session, cell_code=home.code if home else None, per_page=3)
    mine = [s for s in signups.signups_of(session, viewer.id) if s.status in ACTIVE][:3] if viewer else []
    return {"home": home, "open": [row for row in upcoming if row.free > 0], "mine": mine}


routes = [
    route("/volunteers/", shift_list, name="volunteers.shifts"),
    route("/volunteers/shifts/{shift_id:id}", shift_page, name="volunteers.shift"),
    route(
        "/volunteers/shifts/{shift_id:id}/signup", sign_up, ["POST"], name="volunteers.signup", limits=LIMITS
    ),
    route(
        "/volunteers/signups/{signup_id:id}/cancel", cancel, ["POST"], name="volunteers.cancel", limits=LIMITS
    ),
    route("/volunteers/signups/{signup_id:id}/accept", accept, ["POST"], name="volunteers.accept"),
    route("/volunteers/teams", team_list, name="volunteers.teams"),
    route("/volunteers/teams/{team_id:id}", team_page, name="volunteers.team"),
    route(
        "/volunteers/teams/{team_id:id}/join",
        join,
        ["POST"],
        name="volunteers.join",
        limits=("rate.volunteer_join_per_user",),
    ),
    route("/volunteers/teams/{team_id:id}/leave", leave, ["POST"], name="volunteers.leave"),
]


def _participation(session: Session, user: User) -> dict[str, object]:
    """Her sign-ups, from three months back (what she did) to what is to come."""
    since = clock.now() - timedelta(days=90)
    return {"signups": signups.signups_of(session, user.id, since=since)}


feature = Feature(
    name="volunteers",
    participation=ParticipationArea("volunteers", "volunteers/_participation.html", _participation),
    routes=[*routes, *volunteers_mine.routes, *volunteers_lead.routes, *admin_volunteers.routes],
    models=["volunteers.models"],
    registers=[
        "volunteers.teams",
        "volunteers.notices",
        "volunteers.waitlist",
        "volunteers.certificates",
        "volunteers.reminders",
        "volunteers.limits",
    ],
    links={
        "team": Link("volunteers.team", "team_id"),
        "shift": Link("volunteers.shift", "shift_id"),
        "certificate": Link("volunteers.certificate", "certificate_id"),
    },
    searchables=search_volunteers.SEARCHABLES,
    audit_labels={
        "team.create": N_("Founded a volunteer team"),
        "team.edit": N_("Changed a volunteer team"),
        "team.appoint_leader": N_("Appointed a volunteer team leader"),
        "team.remove_leader": N_("A volunteer team leader stepped down"),
        "team.accept_member": N_("Accepted a volunteer team member"),
        "team.refuse_member": N_("Refused a request to join a volunteer team"),
        "shift.create": N_("Posted a volunteer shift"),
        "series.create": N_("Posted a weekly volunteer shift"),
        "shift.edit": N_("Changed a volunteer shift"),
        "shift.cancel": N_("Cancelled a volunteer shift"),
        "signup.approve": N_("Accepted a sign-up pending approval"),
        "signup.refuse": N_("Refused a sign-up pending approval"),
        "signup.remove": N_("Took a volunteer off a shift"),
        "attendance.check_in": N_("Checked a volunteer in"),
        "attendance.check_out": N_("Checked a volunteer out"),
        "attendance.record": N_("Recorded who came to a shift"),
        "hours.adjust": N_("Corrected a volunteer's hours"),
        "hours.verify": N_("Verified volunteer hours"),
        "certificate.accept": N_("Accepted an application for a certificate of service"),
        "certificate.decline": N_("Declined an application for a certificate of service"),
        "certificate.issue": N_("Issued a certificate of service"),
    },
    admin_menu=[
        MenuEntry(
            "admin.teams",
            N_("Volunteer teams"),
            N_("Found volunteer teams and appoint their first leaders."),
        )
    ],
    nav=NavItem("volunteers.shifts", N_("Volunteers")),
    home=HomeArea("volunteers", "volunteers/_home.html", home_summary),
    demo=demo_volunteers.load,
)
