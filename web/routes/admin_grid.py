"""``/admin/grid``: putting staff on each cell's roster and keeping its documents (grid feature)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.errors import N_, Invalid
from grid import attachments, cells, roster
from grid.models import RosterRole
from web import auth
from web.forms import Form, FormView, choice, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for


def grid_cells(request: Request, form: Form) -> Response:
    return render(request, "admin/grid.html", {"cells": cells.list_cells(db(request))}, private=True)


def roster_page(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    cell = cells.cell_detail(db(request), request.path_params["code"])
    return render(
        request,
        "admin/roster.html",
        {
            "cell": cell,
            "staff": roster.staff_of(db(request), cell.id),
            "roster_roles": list(RosterRole),
            "form": view or FormView(),
            "files": attachments.cell_files(db(request), cell.code),
        },
        block="roster",
        status=status,
        private=True,
    )


def _back_to_cell(request: Request, code: str, message: str = N_("Saved.")) -> Response:
    return redirect(request, url_for(request, "admin.roster", code=code), message)


def assign_post(request: Request, form: Form) -> Response:
    code = request.path_params["code"]
    try:
        roster.assign_post(
            db(request),
            auth.current_user(request),
            cell_code=code,
            username=text(form, "username"),
            role=choice(form, "role", RosterRole, N_("Choose a post from the list.")),
        )
    except Invalid as error:
        return roster_page(
            request, form, FormView.from_form(form, "username", "role", error=error), status=422
        )
    return _back_to_cell(request, code)


def upload_cell_file(request: Request, form: Form) -> Response:
    code = request.path_params["code"]
    upload = form.get("file")
    settings = request.app.state.settings
    try:
        if upload is None or isinstance(upload, str):
            raise Invalid("file", N_("Choose a file to upload."))
        attachments.attach_file(
            db(request),
            auth.current_user(request),
            settings.upload_dir,
            cell_code=code,
            upload=upload.file,
            name=upload.filename or "file",
            max_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        return roster_page(request, form, FormView(errors=dict(error.errors)), status=422)
    return _back_to_cell(request, code, N_("The file is saved."))


def remove_cell_file(request: Request, form: Form) -> Response:
    code = attachments.detach_file(db(request), auth.current_user(request), request.path_params["file_id"])
    return _back_to_cell(request, code)


def remove_post(request: Request, form: Form) -> Response:
    cell = roster.remove_post(
        db(request), auth.current_user(request), entry_id=request.path_params["entry_id"]
    )
    return _back_to_cell(request, cell.code)


routes = [
    route("/admin/grid", grid_cells, name="admin.grid", admin=True),
    route("/admin/grid/cells/{code}", roster_page, name="admin.roster", admin=True),
    route("/admin/grid/cells/{code}/roster", assign_post, ["POST"], name="admin.roster_assign", admin=True),
    route(
        "/admin/grid/roster/{entry_id:id}/remove",
        remove_post,
        ["POST"],
        name="admin.roster_remove",
        admin=True,
    ),
    route(
        "/admin/grid/cells/{code}/files",
        upload_cell_file,
        ["POST"],
        name="admin.cell_file_upload",
        admin=True,
        uploads=True,
    ),
    route(
        "/admin/grid/files/{file_id:id}/remove",
        remove_cell_file,
        ["POST"],
        name="admin.cell_file_remove",
        admin=True,
    ),
]
