"""The grid case queue (网格案件): the public list, a resident's report (随手拍), a case with its whole
history, the staff's queue and every workflow step (the cases feature)."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from accounts.permissions import is_admin
from core import clock
from core.errors import N_, Invalid
from core.pages import clamp
from core.settings import Settings
from grid import (
    access,
    cases,
    cells,
    confirmations,
    deadlines,
    departments,
    limits,
    overview,
    queue,
    roster,
    taxonomy,
    workflow,
)
from grid.models import CaseState
from search.kinds import cases as search_cases
from web import auth
from web.demo import cases as demo_cases
from web.feature import Feature, HomeArea, Link, NavItem, ParticipationArea
from web.forms import (
    Form,
    FormView,
    coordinate,
    local_moment,
    number,
    optional_choice,
    photos,
    text,
)
from web.htmx import redirect, render
from web.request_db import db
from web.routes import admin_cases
from web.routing import route
from web.urls import url_for

REPORT_FIELDS = ("ref", "category", "title", "description", "address", "lat", "lng")
MOVE_FIELDS = ("note", "cell_code", "category", "department_id", "assignee", "due_at")


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def case_list(request: Request, form: Form) -> Response:
    params = request.query_params
    cell_code = text(params, "cell")[:15]
    found = cases.list_public(
        db(request),
        state=optional_choice(params, "state", CaseState),
        cell_code=cell_code if cells.is_cell_code(cell_code) else "",
        page=clamp(number(params, "page")),
    )
    viewer = auth.current_user(request)
    return render(
        request,
        "cases/list.html",
        {
            "cases": found,
            "states": list(CaseState),
            "cell_choices": cells.cell_choices(db(request)),
            "filters": {"state": text(params, "state"), "cell": cell_code},
            "staffs": bool(access.staffed_cells(db(request), viewer)) or is_admin(viewer),
            "now": clock.now(),
        },
        block="case_list",
    )


def report_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    auth.require_user(request)
    view = view or FormView(values={"ref": secrets.token_urlsafe(12)})
    return render(
        request,
        "cases/report.html",
        {"form": view, "categories": taxonomy.choices(db(request))},
        block="report_form",
        status=status,
    )


def report(request: Request, form: Form) -> Response:
    settings = _settings(request)
    try:
        case = cases.report_problem(
            db(request),
            auth.require_user(request),
            ref=text(form, "ref"),
            class_id=number(form, "category"),
            title=text(form, "title"),
            description=text(form, "description"),
            address=text(form, "address"),
            lat=coordinate(form, "lat"),
            lng=coordinate(form, "lng"),
            photos=photos(form),
            upload_dir=settings.upload_dir,
            max_photo_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        return report_form(request, form, FormView.from_form(form, *REPORT_FIELDS, error=error), status=422)
    message = N_("Thank you. Your report is in the grid's queue; you will hear at each step.")
    return redirect(request, url_for(request, "cases.detail", case_id=case.id), message)


def detail(
    request: Request, form: Form, forms: dict[str, FormView] | None = None, status: int = 200
) -> Response:
    session, viewer = db(request), auth.current_user(request)
    c = cases.case_view(session, viewer, request.path_params["case_id"])
    steps = cases.history(session, c.id)
    works = access.can_work(session, viewer, c)
    moves = workflow.moves_for(session, viewer, c, c.state)
    following = cases.is_following(session, viewer, c.id)
    answers = confirmations.answers(session, c.id, c.verify_round) if c.verify_round else []
    waiting = deadlines.open_request(session, c.id) if works else None
    registering = works and c.state is CaseState.reported
    dispatching = any(m.action == "dispatch" for m in moves)  # the pickers only where a form needs them
    return render(
        request,
        "cases/detail.html",
        {
            "c": c,
            "steps": workflow.STEPS,
            "history": steps,
            "step_photos": cases.step_photos(session, steps),
            "step_labels": workflow.STEP_LABELS,
            "moves": moves,
            "works": works,
            "following": following,
            "may_answer": confirmations.may_answer(c.state, following),
            "answers": answers,
            "answer_photos": confirmations.answer_photos(session, answers) if works else {},
            "extension": waiting,
            "may_decide": waiting is not None and deadlines.can_decide(session, viewer, c.cell_id, waiting),
            "staff": roster.staff_of(session, c.cell_id) if dispatching and c.cell_id else [],
            "departments": departments.dispatch_choices(session, c.class_id) if dispatching else [],
            "categories": taxonomy.choices(session) if registering else [],
            "cell_choices": cells.cell_choices(session) if registering else [],
            "forms": {"move-register": _register_defaults(c)} | (forms or {}),
            "empty": FormView(),
            "now": clock.now(),
        },
        status=status,
    )


def _register_defaults(c: cases.CaseView) -> FormView:
    """立案 starts from the cell and category the report or the hand-off suggested."""
    cell = c.cell_code or c.suggested_cell_code or ""
    return FormView(values={"cell_code": cell, "category": str(c.class_id or "")})


def _back(request: Request, case_id: int, anchor: str = "") -> str:
    return url_for(request, "cases.detail", case_id=case_id) + anchor


def move(request: Request, form: Form) -> Response:
    case_id = request.path_params["case_id"]
    settings = _settings(request)
    given = workflow.MoveInput(
        note=text(form, "note", strip=False),
        cell_code=text(form, "cell_code"),
        class_id=number(form, "category"),
        department_id=number(form, "department_id"),
        assignee=text(form, "assignee"),
        due_at=local_moment(form, "due_at"),
        photos=photos(form),
    )
    action = text(form, "action")
    try:
        workflow.move(
            db(request),
            auth.require_user(request),
            case_id,
            action,
            given,
            upload_dir=settings.upload_dir,
            max_photo_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        view = FormView.from_form(form, *MOVE_FIELDS, error=error)
        return detail(request, form, {f"move-{action}": view}, status=422)
    return redirect(request, _back(request, case_id, "#history"), N_("Saved."))


def ask_for_time(request: Request, form: Form) -> Response:
    case_id = request.path_params["case_id"]
    try:
        deadlines.ask_for_time(
            db(request),
            auth.require_user(request),
            case_id,
            due_at=local_moment(form, "due_at"),
            reason=text(form, "reason"),
        )
    except Invalid as error:
        view = FormView.from_form(form, "due_at", "reason", error=error)
        return detail(request, form, {"time": view}, status=422)
    return redirect(request, _back(request, case_id, "#history"), N_("More time is asked for."))


def decide_time(request: Request, form: Form) -> Response:
    case_id = request.path_params["case_id"]
    approve = text(form, "decision") == "approve"
    deadlines.decide(
        db(request), auth.require_user(request), case_id, approve=approve, note=text(form, "note")
    )
    message = N_("The due date is extended.") if approve else N_("The request is refused.")
    return redirect(request, _back(request, case_id, "#history"), message)


def answer(request: Request, form: Form) -> Response:
    case_id = request.path_params["case_id"]
    settings = _settings(request)
    solved = {"yes": True, "no": False}.get(text(form, "solved"))
    try:
        confirmations.answer(
            db(request),
            auth.require_user(request),
            case_id,
            solved=solved,
            note=text(form, "note"),
            photos=photos(form),
            upload_dir=settings.upload_dir,
            max_photo_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        return detail(request, form, {"answer": FormView.from_form(form, "solved", "note", error=error)}, 422)
    return redirect(
        request, _back(request, case_id, "#check"), N_("Thank you: the checker will see your answer.")
    )


def follow(request: Request, form: Form) -> Response:
    case_id = request.path_params["case_id"]
    on = text(form, "action") != "unfollow"
    cases.follow(db(request), auth.require_user(request), case_id, on)
    message = N_("You follow it now.") if on else N_("You no longer follow it.")
    return redirect(request, _back(request, case_id), message)


def staff_queue(request: Request, form: Form) -> Response:
    session, viewer = db(request), auth.require_user(request)
    params = request.query_params
    cell_code = text(params, "cell")[:15]
    scope = queue.cells_in_scope(session, viewer, cell_code if cells.is_cell_code(cell_code) else "")
    view = optional_choice(params, "view", queue.View) or queue.View.new
    now = clock.now()
    return render(
        request,
        "cases/queue.html",
        {
            "cases": queue.queue(session, scope, view=view, now=now, page=clamp(number(params, "page"))),
            "counts": queue.counts(session, scope, now),
            "views": list(queue.View),
            "view": view,
            "cells": cells.cell_choices(
                session, None if is_admin(viewer) else access.staffed_cells(session, viewer)
            ),
            "filters": {"view": view.value, "cell": cell_code},
            "now": now,
        },
        block="queue",
    )


routes = [
    route("/grid/cases/", case_list, name="cases.index"),
    route("/grid/cases/", report, ["POST"], name="cases.report", uploads=True, limits=limits.REPORTING),
    route("/grid/cases/new", report_form, name="cases.new"),
    route("/grid/cases/queue", staff_queue, name="cases.queue"),
    route("/grid/cases/{case_id:id}", detail, name="cases.detail"),
    route("/grid/cases/{case_id:id}/move", move, ["POST"], name="cases.move", uploads=True),
    route("/grid/cases/{case_id:id}/time", ask_for_time, ["POST"], name="cases.time"),
    route("/grid/cases/{case_id:id}/time/decision", decide_time, ["POST"], name="cases.time_decision"),
    route(
        "/grid/cases/{case_id:id}/answer",
        answer,
        ["POST"],
        name="cases.answer",
        uploads=True,
        limits=limits.ANSWERING,
    ),
    route("/grid/cases/{case_id:id}/follow", follow, ["POST"], name="cases.follow"),
]


def _participation(session: Session, user: User) -> dict[str, object]:
    return {"cases": cases.followed_by(session, user.id, limit=20)}


feature = Feature(
    name="cases",
    searchables=search_cases.SEARCHABLES,
    participation=ParticipationArea("cases", "cases/_participation.html", _participation),
    routes=[*routes, *admin_cases.routes],
    models=["grid.models"],
    registers=[
        "grid.limits",
        "grid.cases",
        "grid.workflow",
        "grid.deadlines",
        "grid.confirmations",
        "grid.queue",
        "grid.connector",
    ],
    links={"grid_case": Link("cases.detail", "case_id")},
    audit_labels={
        "case.open": N_("Opened a case"),
        "case.register": N_("Registered a case (立案)"),
        "case.reject": N_("Did not register a case (不予立案)"),
        "case.dispatch": N_("Dispatched a case (派遣)"),
        "case.handle": N_("Reported a case handled (处置反馈)"),
        "case.pass": N_("Passed a case's check (核查)"),
        "case.rework": N_("Sent a case back for rework (返工)"),
        "case.close": N_("Closed a case (结案)"),
        "case.extended": N_("Extended a case's due date (延期)"),
        "case.extension_refused": N_("Refused more time on a case"),
        **admin_cases.audit_labels,
    },
    admin_menu=admin_cases.menu,
    nav=NavItem("cases.index", N_("Cases")),
    home=HomeArea("cases", "cases/_home.html", overview.cases_summary),
    demo=demo_cases.load,
)
