"""群议委 consultations: the list, the committee, convening, one consultation with its steps, meetings
and resolution vote (the consultations feature)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from accounts.permissions import is_admin
from core import clock
from core.errors import N_, Invalid, NotFound, PermissionDenied
from core.pages import clamp
from deliberation.consultations import (
    committee,
    convening,
    handoff,
    lifecycle,
    listing,
    meetings,
    overview,
    participants,
    resolutions,
)
from deliberation.consultations.access import can_convene, can_steer, get_consultation
from deliberation.consultations.models import Choice, State
from deliberation.forums import threads
from grid import cases as grid_cases
from grid import cells, taxonomy
from grid.models import CaseSource
from search.kinds import consultations as search_consultations
from web import auth
from web.demo import consultations as demo_consultations
from web.feature import Feature, HomeArea, Link, NavItem, ParticipationArea
from web.forms import Form, FormView, local_day, local_moment, number, optional_choice, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

CONVENE_FIELDS = ("title", "question", "background", "scope", "deadline", "thread")
SINCE = {"week": 7, "month": 31, "year": 366}


def scope_choices(request: Request) -> list[tuple[str, str]]:
    """Cells by code and communities as "street/community", for the scope picker and the filter."""
    choices = cells.cell_choices(db(request))
    communities = sorted({label.rsplit(" · ", 1)[0] for _, label in choices})
    return [(c.replace(" · ", "/"), c) for c in communities] + choices


def consultation_list(request: Request, form: Form) -> Response:
    params = request.query_params
    scope = text(params, "scope")
    since_key = text(params, "since")
    found = listing.list_consultations(
        db(request),
        state=optional_choice(params, "state", State),
        cell_code=scope if scope.isdecimal() else "",
        community=scope if "/" in scope else "",
        since=clock.now() - timedelta(days=SINCE[since_key]) if since_key in SINCE else None,
        page=clamp(number(params, "page")),
    )
    viewer = auth.current_user(request)
    return render(
        request,
        "consultations/list.html",
        {
            "consultations": found,
            "states": [s for s in State if s is not State.draft],
            "scopes": scope_choices(request),
            "filters": {"state": text(params, "state"), "scope": scope, "since": since_key},
            "may_convene": can_convene(viewer),
            "drafts": listing.drafts_of(db(request), viewer.id) if viewer and can_convene(viewer) else [],
        },
        block="consultation_list",
    )


def committee_page(request: Request, form: Form) -> Response:
    return render(request, "consultations/committee.html", {"members": committee.members(db(request))})


def convene_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    if not can_convene(auth.require_user(request)):
        raise PermissionDenied()
    thread_id = number(request.query_params, "thread")
    if view is None:
        view = FormView(values={"thread": str(thread_id or "")})
        if thread_id:
            thread = threads.thread_view(db(request), thread_id)
            view.values.update(title=thread.title, scope=thread.cell_code or "")
    return render(
        request,
        "consultations/convene.html",
        {"form": view, "scopes": scope_choices(request)},
        block="convene_form",
        status=status,
    )


def convene(request: Request, form: Form) -> Response:
    try:
        consultation = convening.convene(
            db(request),
            auth.require_user(request),
            title=text(form, "title"),
            question=text(form, "question"),
            background=text(form, "background", strip=False),
            scope=text(form, "scope"),
            deadline=local_moment(form, "deadline"),
            thread_id=number(form, "thread"),
        )
    except Invalid as error:
        return convene_form(request, form, FormView.from_form(form, *CONVENE_FIELDS, error=error), status=422)
    target = url_for(request, "consultations.detail", consultation_id=consultation.id)
    return redirect(request, target, N_("The consultation is drafted. Open it for views when it is ready."))


def detail(
    request: Request, form: Form, forms: dict[str, FormView] | None = None, status: int = 200
) -> Response:
    session, viewer = db(request), auth.current_user(request)
    consultation_id = request.path_params["consultation_id"]
    c = listing.consultation_view(session, consultation_id)
    if c.state is State.draft and not can_steer(viewer, c):
        raise NotFound()  # a draft is its convener's and the chair's until it opens
    found = meetings.meetings_of(session, consultation_id)
    resolution = resolutions.resolution_of(session, consultation_id)
    voted = resolution is not None and resolution.vote_opened_at is not None
    drafted = FormView(values={"text": resolution.text if resolution else ""})
    return render(
        request,
        "consultations/detail.html",
        {
            "c": c,
            "steps": lifecycle.STEPS,
            "timeline": listing.timeline(session, consultation_id),
            "moves": lifecycle.moves_for(viewer, c, resolution),
            "steer": can_steer(viewer, c),
            "groups": participants.by_group(session, c),
            "following": participants.is_following(session, viewer, consultation_id),
            "meetings": found,
            "minutes_files": meetings.minutes_files(session, [m.id for m in found if m.minutes_published_at]),
            "resolution": resolution,
            "tally": resolutions.tally(session, consultation_id, resolution) if voted else None,
            "ballots": resolutions.ballots(session, consultation_id) if voted else [],
            "choices": list(Choice),
            "forms": {"resolution": drafted} | (forms or {}),
            "empty": FormView(),
            "step_labels": lifecycle.STEP_LABELS,
            "case": grid_cases.case_for_source(session, CaseSource.consultation, str(consultation_id))
            if c.state in (State.handed_off, State.closed)
            else None,
            "categories": taxonomy.choices(session)
            if c.state is State.agreed and can_steer(viewer, c)
            else [],
        },
        status=status,
    )


def _again(request: Request, form: Form, name: str, error: Invalid, *fields: str) -> Response:
    return detail(request, form, {name: FormView.from_form(form, *fields, error=error)}, status=422)


def move(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    try:
        lifecycle.move(
            db(request), auth.require_user(request), consultation_id, text(form, "action"), text(form, "note")
        )
    except Invalid as error:
        return _again(request, form, "move", error, "note")
    return redirect(
        request, url_for(request, "consultations.detail", consultation_id=consultation_id), N_("Saved.")
    )


def follow(request: Request, form: Form) -> Response:
    consultation = get_consultation(db(request), request.path_params["consultation_id"])
    on = text(form, "action") != "unfollow"
    participants.follow(db(request), auth.require_user(request), consultation.id, on)
    message = N_("You follow it now.") if on else N_("You no longer follow it.")
    return redirect(
        request, url_for(request, "consultations.detail", consultation_id=consultation.id), message
    )


def schedule(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    try:
        meetings.schedule_meeting(
            db(request),
            auth.require_user(request),
            consultation_id,
            starts_at=local_moment(form, "starts_at"),
            ends_at=local_moment(form, "ends_at"),
            place=text(form, "place"),
            agenda=text(form, "agenda"),
            invited=text(form, "invited"),
        )
    except Invalid as error:
        return _again(request, form, "meeting", error, "starts_at", "ends_at", "place", "agenda", "invited")
    target = url_for(request, "consultations.detail", consultation_id=consultation_id)
    return redirect(request, f"{target}#meetings", N_("The meeting is scheduled."))


def minutes(request: Request, form: Form) -> Response:
    meeting_id = request.path_params["meeting_id"]
    consultation = meetings.consultation_of(db(request), meeting_id)
    upload = form.get("file")
    settings = request.app.state.settings
    try:
        meetings.publish_minutes(
            db(request),
            auth.require_user(request),
            meeting_id,
            attendance=text(form, "attendance"),
            minutes=text(form, "minutes", strip=False),
            upload=upload.file if isinstance(upload, UploadFile) and upload.filename else None,
            upload_name=upload.filename or "" if isinstance(upload, UploadFile) else "",
            upload_dir=settings.upload_dir,
            max_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        request.path_params["consultation_id"] = consultation.id
        return _again(request, form, f"minutes-{meeting_id}", error, "attendance", "minutes")
    target = url_for(request, "consultations.detail", consultation_id=consultation.id)
    return redirect(request, f"{target}#meetings", N_("The minutes are published."))


def meeting_ics(request: Request, form: Form) -> Response:
    body, name = meetings.meeting_calendar(db(request), request.path_params["meeting_id"])
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-cache"},
    )


def draft_resolution(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    try:
        resolutions.draft_resolution(
            db(request), auth.require_user(request), consultation_id, text(form, "text", strip=False)
        )
    except Invalid as error:
        return _again(request, form, "resolution", error, "text")
    target = url_for(request, "consultations.detail", consultation_id=consultation_id)
    return redirect(request, f"{target}#resolution", N_("The draft is saved."))


def open_vote(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    resolutions.open_vote(db(request), auth.require_user(request), consultation_id)
    target = url_for(request, "consultations.detail", consultation_id=consultation_id)
    return redirect(request, f"{target}#resolution", N_("The resolution is put to the vote."))


def vote(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    try:
        resolutions.cast_vote(db(request), auth.require_user(request), consultation_id, text(form, "choice"))
    except Invalid as error:
        return _again(request, form, "vote", error, "choice")
    target = url_for(request, "consultations.detail", consultation_id=consultation_id)
    return redirect(request, f"{target}#resolution", N_("Your vote is counted."))


def count_votes(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    resolution = resolutions.close_vote(db(request), auth.require_user(request), consultation_id)
    message = (
        N_("The resolution is adopted.")
        if resolution.state.value == "adopted"
        else N_("The resolution is not adopted.")
    )
    target = url_for(request, "consultations.detail", consultation_id=consultation_id)
    return redirect(request, f"{target}#resolution", message)


def hand_off(request: Request, form: Form) -> Response:
    consultation_id = request.path_params["consultation_id"]
    try:
        case = handoff.hand_off(
            db(request),
            auth.require_user(request),
            consultation_id,
            class_id=number(form, "category"),
            note=text(form, "note"),
        )
    except Invalid as error:
        return _again(request, form, "hand_off", error, "category", "note")
    message = N_("Handed to the grid: the case is in its queue, and everyone who took part follows it.")
    return redirect(request, url_for(request, "cases.detail", case_id=case.id), message)


def profile_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    viewer = auth.require_user(request)
    member_id = request.path_params["user_id"]
    if viewer.id != member_id and not is_admin(viewer):
        raise PermissionDenied()
    member = next((m for m in committee.members(db(request)) if m.user_id == member_id), None)
    if member is None:
        raise NotFound()
    view = view or FormView(
        values={
            "title": member.title,
            "expertise": member.expertise,
            "biography": member.biography,
            "term_start": member.term_start.isoformat() if member.term_start else "",
            "term_end": member.term_end.isoformat() if member.term_end else "",
        }
    )
    return render(request, "consultations/profile.html", {"member": member, "form": view}, status=status)


def save_profile(request: Request, form: Form) -> Response:
    member_id = request.path_params["user_id"]
    try:
        committee.edit_profile(
            db(request),
            auth.require_user(request),
            member_id,
            title=text(form, "title"),
            expertise=text(form, "expertise"),
            biography=text(form, "biography"),
            term_start=local_day(form, "term_start"),
            term_end=local_day(form, "term_end"),
        )
    except Invalid as error:
        fields = ("title", "expertise", "biography", "term_start", "term_end")
        return profile_form(request, form, FormView.from_form(form, *fields, error=error), status=422)
    return redirect(request, url_for(request, "consultations.committee"), N_("Saved."))


routes = [
    route("/consultations/", consultation_list, name="consultations.index"),
    route("/consultations/", convene, ["POST"], name="consultations.convene"),
    route("/consultations/new", convene_form, name="consultations.new"),
    route("/consultations/committee", committee_page, name="consultations.committee"),
    route("/consultations/committee/{user_id:id}/profile", profile_form, name="consultations.profile"),
    route(
        "/consultations/committee/{user_id:id}/profile",
        save_profile,
        ["POST"],
        name="consultations.profile_save",
    ),
    route("/consultations/{consultation_id:id}", detail, name="consultations.detail"),
    route("/consultations/{consultation_id:id}/move", move, ["POST"], name="consultations.move"),
    route("/consultations/{consultation_id:id}/follow", follow, ["POST"], name="consultations.follow"),
    route("/consultations/{consultation_id:id}/meetings", schedule, ["POST"], name="consultations.schedule"),
    route(
        "/consultations/meetings/{meeting_id:id}/minutes",
        minutes,
        ["POST"],
        name="consultations.minutes",
        uploads=True,
    ),
    route("/consultations/meetings/{meeting_id:id}.ics", meeting_ics, name="consultations.meeting_ics"),
    route(
        "/consultations/{consultation_id:id}/resolution",
        draft_resolution,
        ["POST"],
        name="consultations.resolution",
    ),
    route(
        "/consultations/{consultation_id:id}/resolution/open",
        open_vote,
        ["POST"],
        name="consultations.open_vote",
    ),
    route("/consultations/{consultation_id:id}/resolution/votes", vote, ["POST"], name="consultations.vote"),
    route("/consultations/{consultation_id:id}/hand-off", hand_off, ["POST"], name="consultations.hand_off"),
    route(
        "/consultations/{consultation_id:id}/resolution/count",
        count_votes,
        ["POST"],
        name="consultations.count",
    ),
]


def _participation(session: Session, user: User) -> dict[str, object]:
    """The consultations she took part in, with the case each became."""
    found = listing.taken_part_in(session, user.id)
    refs = [str(c.id) for c in found]
    return {
        "consultations": found,
        "cases": grid_cases.cases_for_sources(session, CaseSource.consultation, refs),
    }


feature = Feature(
    name="consultations",
    participation=ParticipationArea("consultations", "consultations/_participation.html", _participation),
    routes=routes,
    models=["deliberation.consultations.models"],
    registers=[
        "deliberation.consultations.lifecycle",
        "deliberation.consultations.meetings",
        "deliberation.consultations.resolutions",
        "deliberation.consultations.handoff",
    ],
    links={"consultation": Link("consultations.detail", "consultation_id")},
    searchables=search_consultations.SEARCHABLES,
    audit_labels={
        "consultation.convene": N_("Convened a consultation"),
        "consultation.move": N_("Moved a consultation on"),
        "consultation.hand_off": N_("Handed a consultation to the grid"),
        "consultation.resolution_adopted": N_("Counted a resolution vote: adopted"),
        "consultation.resolution_rejected": N_("Counted a resolution vote: not adopted"),
        "committee.profile": N_("Edited a committee member's profile"),
    },
    nav=NavItem("consultations.index", N_("Consultations")),
    home=HomeArea("consultations", "consultations/_home.html", overview.home_summary),
    demo=demo_consultations.load,
)
