"""A volunteer's own pages (我的志愿服务): shifts next and past, hours, profile, calendar, certificates.

They are private (``render(..., private=True)``: ``Cache-Control: no-store`` and ``hx-history="false"``),
so a shared computer in a community office keeps no copy. The ID number a certificate names is asked
for on the application form only, and shown whole on the issued certificate only.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from starlette.requests import Request
from starlette.responses import Response

from core import clock
from core.errors import N_, Invalid
from volunteers import certificates, hours, ical, profiles, signups
from volunteers.access import can_lead_team, get_team
from volunteers.models import CertificateStatus, IdType, Skill
from web import auth
from web.forms import Form, FormView, choice, text
from web.htmx import redirect, render, translator
from web.request_db import db
from web.routing import route
from web.urls import url_for

HISTORY = timedelta(days=365)  # how far back "my shifts" reaches


def mine(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    session, me = db(request), auth.require_user(request)
    now = clock.now()
    every = signups.signups_of(session, me.id, since=now - HISTORY)
    ledger = hours.hours_of(session, me, user_id=me.id)
    profile = profiles.profile_of(session, me.id)
    by_team = [(team, list(lines)) for team, lines in groupby(sorted(ledger, key=_team_key), key=_team_key)]
    context = {
        "next": [s for s in every if s.ends_at > now],
        "past": [s for s in reversed(every) if s.ends_at <= now],
        "ledger": ledger,
        "by_team": by_team,
        "total": hours.total_minutes(ledger),
        "certificates": certificates.certificates_of(session, me),
        "has_feed": ical.has_feed(session, me.id),
        "skills": list(Skill),
        "profile": profile,
        "form": view or _profile_form(profile),
    }
    return render(request, "volunteers/mine.html", context, status=status, private=True)


def _team_key(line: hours.HoursLine) -> tuple[int, str]:
    return line.team_id, line.team_name


def _profile_form(profile: profiles.ProfileView) -> FormView:
    values = {"birth_date": profile.birth_date.isoformat() if profile.birth_date else ""}
    return FormView(values=values | {f"skill_{s.value}": "1" for s in profile.skills})


def save_profile(request: Request, form: Form) -> Response:
    fields = ["birth_date", *(f"skill_{s.value}" for s in Skill)]
    try:
        profiles.set_profile(
            db(request),
            auth.current_user(request),
            birth_date=_birth_date(text(form, "birth_date")),
            skills=[s for s in Skill if form.get(f"skill_{s.value}") == "1"],
        )
    except Invalid as error:
        return mine(request, form, FormView.from_form(form, *fields, error=error), status=422)
    return redirect(request, url_for(request, "volunteers.mine") + "#profile", N_("Saved."))


def _birth_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("birth_date", N_("Give a real date of birth.")) from None


# --- the personal calendar feed -------------------------------------------------------------------


def new_calendar(request: Request, form: Form) -> Response:
    """Make a new feed address and show it once (only its hash is kept)."""
    token = ical.create_feed(db(request), auth.current_user(request))
    path = url_for(request, "volunteers.calendar_feed", token=token)
    feed_url = str(request.base_url).rstrip("/") + path
    return render(request, "volunteers/calendar.html", {"feed_url": feed_url}, private=True)


def revoke_calendar(request: Request, form: Form) -> Response:
    ical.revoke_feed(db(request), auth.current_user(request))
    return redirect(
        request,
        url_for(request, "volunteers.mine") + "#calendar",
        N_("The calendar address no longer works."),
    )


def calendar_feed(request: Request, form: Form) -> Response:
    """The feed itself: no login, the secret address is the key."""
    name = translator(request).text(N_("My volunteer shifts"))
    body = ical.calendar_for_token(db(request), request.path_params["token"], name=name)
    headers = {"Cache-Control": "private, no-cache", "Content-Disposition": 'inline; filename="shifts.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


# --- certificates of service -------------------------------------------------------------------------


def certificate_form(
    request: Request, form: Form, view: FormView | None = None, status: int = 200
) -> Response:
    session, me = db(request), auth.require_user(request)
    team = get_team(session, request.path_params["team_id"])
    known = certificates.identity_of(session, me)
    prefill = {"real_name": known.real_name, "id_type": known.id_type.value} if known else {}
    context = {"team": team, "known": known, "id_types": list(IdType), "form": view or FormView(prefill)}
    return render(request, "volunteers/certificate_form.html", context, status=status, private=True)


def apply_for_certificate(request: Request, form: Form) -> Response:
    try:
        certificates.apply_for_certificate(
            db(request),
            auth.current_user(request),
            team_id=request.path_params["team_id"],
            real_name=text(form, "real_name"),
            id_type=choice(form, "id_type", IdType, N_("Choose the identity document.")),
            id_number=text(form, "id_number"),
            purpose=text(form, "purpose"),
        )
    except Invalid as error:
        # the number typed is never sent back into the page
        view = FormView.from_form(form, "real_name", "id_type", "purpose", error=error)
        return certificate_form(request, form, view, status=422)
    message = N_("Your application is with the team. You will be told when the certificate is ready.")
    return redirect(request, url_for(request, "volunteers.mine") + "#certificates", message)


def certificate_page(
    request: Request, form: Form, error: Invalid | None = None, status: int = 200
) -> Response:
    """An issued certificate, printable, the ID number whole; before that, the application's state."""
    session, viewer = db(request), auth.current_user(request)
    row = certificates.certificate_row(session, viewer, certificate_id=request.path_params["certificate_id"])
    issued = row.status is CertificateStatus.issued
    context = {
        "row": row,
        "contents": certificates.certificate_contents(session, viewer, certificate_id=row.id)
        if issued
        else None,
        "leads": can_lead_team(viewer, get_team(session, row.team_id)),
        "refused": list(error.errors.values()) if error else [],
    }
    return render(request, "volunteers/certificate.html", context, status=status, private=True)


routes = [
    route("/volunteers/me", mine, name="volunteers.mine"),
    route("/volunteers/me/profile", save_profile, ["POST"], name="volunteers.profile_save"),
    route("/volunteers/me/calendar", new_calendar, ["POST"], name="volunteers.calendar_new"),
    route("/volunteers/me/calendar/revoke", revoke_calendar, ["POST"], name="volunteers.calendar_revoke"),
    route("/volunteers/calendar/{token}", calendar_feed, name="volunteers.calendar_feed"),
    route("/volunteers/teams/{team_id:id}/certificate", certificate_form, name="volunteers.certificate_form"),
    route(
        "/volunteers/teams/{team_id:id}/certificate",
        apply_for_certificate,
        ["POST"],
        name="volunteers.certificate_apply",
    ),
    route("/volunteers/certificates/{certificate_id:id}", certificate_page, name="volunteers.certificate"),
]
