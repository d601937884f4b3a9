"""On the day and after (签到, 时长, 导出, 证明): the leaders' check-in page, hours, exports, certificates.

The check-in page is made for a phone in one hand: one card per volunteer with large buttons. Each
button is a plain form; htmx posts it and swaps only the roster (the ``roster`` block), so the page
keeps its place while a leader works down the line.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.requests import Request
from starlette.responses import Response

from core import clock
from core.errors import N_, Invalid, NotFound
from volunteers import certificates, checkin, exports, hours, shifts
from volunteers.access import shift_of_signup
from volunteers.models import SignupStatus
from volunteers.signups import RosterRow
from web import auth
from web.forms import Form, number, text
from web.htmx import redirect, render, translator
from web.request_db import db
from web.routes.volunteers_mine import certificate_page
from web.routing import route
from web.urls import url_for

S = SignupStatus
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def checkin_page(
    request: Request,
    form: Form,
    refused: Invalid | None = None,
    status: int = 200,
    shift_id: int | None = None,
) -> Response:
    session, viewer = db(request), auth.current_user(request)
    shift_id = shift_id or request.path_params["shift_id"]
    roster = checkin.shift_roster(session, viewer, shift_id=shift_id)  # the leaders' check first
    shown = shifts.shift_view(session, shift_id)
    context = {
        "shift": shown,
        "roster": roster,
        "counts": _counts(roster),
        "started": clock.now() >= shown.row.starts_at,
        "refused": list(refused.errors.values()) if refused else [],
    }
    return render(request, "volunteers/checkin.html", context, block="roster", status=status, private=True)


def _counts(roster: list[RosterRow]) -> dict[str, int]:
    came = sum(1 for r in roster if r.status is S.attended)
    missed = sum(1 for r in roster if r.status is S.no_show)
    return {
        "expected": came + missed + sum(1 for r in roster if r.status is S.confirmed),
        "came": came,
        "missed": missed,
    }


def _back_to_roster(request: Request, shift_id: int) -> Response:
    return redirect(request, url_for(request, "volunteers.checkin", shift_id=shift_id))


def check_in(request: Request, form: Form) -> Response:
    session, signup_id = db(request), request.path_params["signup_id"]
    try:
        signup = checkin.check_in(session, auth.current_user(request), signup_id=signup_id)
    except Invalid as error:
        return checkin_page(request, form, error, 422, _shift_of(request, signup_id))
    return _back_to_roster(request, signup.shift_id)


def check_out(request: Request, form: Form) -> Response:
    session, signup_id = db(request), request.path_params["signup_id"]
    try:
        record = checkin.check_out(session, auth.current_user(request), signup_id=signup_id)
    except Invalid as error:
        return checkin_page(request, form, error, 422, _shift_of(request, signup_id))
    return _back_to_roster(request, record.shift_id or 0)


def _shift_of(request: Request, signup_id: int) -> int:
    return shift_of_signup(db(request), signup_id)


def attendance(request: Request, form: Form) -> Response:
    """After the start: mark one volunteer as came or did not come (a no-show counts against them)."""
    shift_id, signup_id = request.path_params["shift_id"], number(form, "signup") or 0
    marks = {"came": [signup_id]} if form.get("mark") == "came" else {"missed": [signup_id]}
    try:
        checkin.record_attendance(db(request), auth.current_user(request), shift_id=shift_id, **marks)
    except Invalid as error:
        return checkin_page(request, form, error, 422)
    return _back_to_roster(request, shift_id)


def adjust_hours(request: Request, form: Form) -> Response:
    """A correction of someone's hours on this shift, with the leader's note (调整时长)."""
    session, viewer, shift_id = db(request), auth.current_user(request), request.path_params["shift_id"]
    shift = shifts.find_shift(session, shift_id)
    if shift is None:
        raise NotFound()
    try:
        hours.adjust_hours(
            session,
            viewer,
            team_id=shift.team_id,
            user_id=number(form, "user_id") or 0,
            minutes=_minutes(text(form, "hours")),
            note=text(form, "note"),
            served_on=clock.local(shift.starts_at).date(),
        )
    except Invalid as error:
        return checkin_page(request, form, error, 422)
    return redirect(
        request, url_for(request, "volunteers.checkin", shift_id=shift_id), N_("Hours corrected.")
    )


def _minutes(value: str) -> int:
    """Hours as typed ("1.5", "-0.5") in whole minutes; 0 (refused by the service) if unreadable."""
    try:
        return int((Decimal(value.replace("，", ".").replace(",", ".")) * 60).to_integral_value())
    except (InvalidOperation, ValueError):
        return 0


def team_hours(request: Request, form: Form) -> Response:
    session, viewer, team_id = db(request), auth.current_user(request), request.path_params["team_id"]
    lines = hours.team_hours(session, viewer, team_id=team_id)
    context = {"team_id": team_id, "lines": lines, "total": hours.total_minutes(lines), "viewer": viewer}
    return render(request, "volunteers/team_hours.html", context, private=True)


def verify_hours(request: Request, form: Form) -> Response:
    team_id = request.path_params["team_id"]
    ids = [int(v) for v in form.getlist("line") if isinstance(v, str) and v.isdecimal() and len(v) < 10]
    count = hours.verify_hours(db(request), auth.current_user(request), team_id=team_id, record_ids=ids)
    message = N_("Verified.") if count else N_("Nothing to verify: choose lines first.")
    return redirect(request, url_for(request, "volunteers.team_hours", team_id=team_id), message)


def _download(body: bytes, fmt: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "no-store"}
    return Response(body, media_type=FORMATS[fmt], headers=headers)


def _format(request: Request) -> str:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise NotFound()
    return str(fmt)


def roster_export(request: Request, form: Form) -> Response:
    fmt, shift_id = _format(request), request.path_params["shift_id"]
    make = exports.roster_csv if fmt == "csv" else exports.roster_xlsx
    body = make(
        db(request), auth.current_user(request), shift_id=shift_id, translate=translator(request).text
    )
    return _download(body, fmt, f"roster-{shift_id}")


def hours_export(request: Request, form: Form) -> Response:
    fmt, team_id = _format(request), request.path_params["team_id"]
    make = exports.hours_csv if fmt == "csv" else exports.hours_xlsx
    body = make(db(request), auth.current_user(request), team_id=team_id, translate=translator(request).text)
    return _download(body, fmt, f"hours-team-{team_id}")


# --- certificates: the team accepts, then issues ---------------------------------------------------


def _decided(request: Request, certificate_id: int, message: str) -> Response:
    return redirect(
        request, url_for(request, "volunteers.certificate", certificate_id=certificate_id), message
    )


def accept_certificate(request: Request, form: Form) -> Response:
    certificate_id = request.path_params["certificate_id"]
    certificates.accept_certificate(db(request), auth.current_user(request), certificate_id=certificate_id)
    return _decided(request, certificate_id, N_("Accepted: prepare the certificate, then issue it."))


def decline_certificate(request: Request, form: Form) -> Response:
    certificate_id = request.path_params["certificate_id"]
    try:
        certificates.decline_certificate(
            db(request),
            auth.current_user(request),
            certificate_id=certificate_id,
            reason=text(form, "reason"),
        )
    except Invalid as error:
        return certificate_page(request, form, error, 422)
    return _decided(request, certificate_id, N_("Declined; the volunteer is told why."))


def issue_certificate(request: Request, form: Form) -> Response:
    certificate_id = request.path_params["certificate_id"]
    certificates.issue_certificate(db(request), auth.current_user(request), certificate_id=certificate_id)
    return _decided(request, certificate_id, N_("Issued; the volunteer is told."))


routes = [
    route("/volunteers/shifts/{shift_id:id}/check-in", checkin_page, name="volunteers.checkin"),
    route("/volunteers/signups/{signup_id:id}/check-in", check_in, ["POST"], name="volunteers.check_in"),
    route("/volunteers/signups/{signup_id:id}/check-out", check_out, ["POST"], name="volunteers.check_out"),
    route("/volunteers/shifts/{shift_id:id}/attendance", attendance, ["POST"], name="volunteers.attendance"),
    route("/volunteers/shifts/{shift_id:id}/hours", adjust_hours, ["POST"], name="volunteers.hours_adjust"),
    route("/volunteers/shifts/{shift_id:id}/roster.{fmt}", roster_export, name="volunteers.roster_export"),
    route("/volunteers/teams/{team_id:id}/hours", team_hours, name="volunteers.team_hours"),
    route(
        "/volunteers/teams/{team_id:id}/hours/verify", verify_hours, ["POST"], name="volunteers.hours_verify"
    ),
    route("/volunteers/teams/{team_id:id}/hours.{fmt}", hours_export, name="volunteers.hours_export"),
    route(
        "/volunteers/certificates/{certificate_id:id}/accept",
        accept_certificate,
        ["POST"],
        name="volunteers.certificate_accept",
    ),
    route(
        "/volunteers/certificates/{certificate_id:id}/decline",
        decline_certificate,
        ["POST"],
        name="volunteers.certificate_decline",
    ),
    route(
        "/volunteers/certificates/{certificate_id:id}/issue",
        issue_certificate,
        ["POST"],
        name="volunteers.certificate_issue",
    ),
]
