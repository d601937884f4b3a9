"""``/admin/``: users, roles and groups, grid rosters, the audit log, site settings. Admins only:
every service below checks ``require_admin`` itself; the pages only call them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts import roles, users
from accounts.models import Role, StakeholderGroup
from accounts.permissions import require_admin
from core import audit, jobs, site_settings
from core.errors import N_, Invalid
from grid import attachments, cells, residents, roster
from grid.models import RosterRole
from web import auth
from web.forms import FormView, number, text
from web.htmx import redirect, render
from web.routing import route

PER_PAGE = 30


def _admin(request: Request):  # type: ignore[no-untyped-def]
    return require_admin(auth.current_user(request))


def _page(request: Request) -> int:
    return max(1, number(request.query_params, "page") or 1)


def index(request: Request, form: dict) -> Response:
    _admin(request)
    return render(request, "admin/index.html", private=True)


# --- background jobs ------------------------------------------------------------------------------

ATTENTION = (jobs.JobStatus.queued, jobs.JobStatus.running, jobs.JobStatus.retrying, jobs.JobStatus.dead)


def job_list(request: Request, form: dict) -> Response:
    _admin(request)
    session = request.state.db
    status_param = text(request.query_params, "status")
    chosen = [s for s in jobs.JobStatus if s.value == status_param]
    statuses = tuple(chosen) or ATTENTION
    page = _page(request)
    found, total = jobs.list_jobs(session, statuses=statuses, page=page, per_page=50)
    return render(
        request,
        "admin/jobs.html",
        {
            "jobs": found,
            "statuses": statuses,
            "all_statuses": list(jobs.JobStatus),
            "counts": jobs.counts_by_status(session),
            "page": page,
            "pages": max(1, -(-total // 50)),
            "status_param": status_param if chosen else "",
        },
        block="job_list",
        private=True,
    )


def retry_job(request: Request, form: dict) -> Response:
    admin = _admin(request)
    job = jobs.retry_job(request.state.db, request.path_params["job_id"])
    audit.record(request.state.db, admin, "job.retry", "job", job.id, kind=job.kind)
    return redirect(request, "/admin/jobs", N_("The job will run again shortly."))


# --- users, roles, groups -------------------------------------------------------------------------


def user_list(request: Request, form: dict) -> Response:
    query = text(request.query_params, "q")[:40]
    role = request.query_params.get("role")
    role_filter = Role(role) if role in {r.value for r in Role} else None
    page = _page(request)
    found, total = users.list_users(
        request.state.db,
        auth.current_user(request),
        query=query,
        role=role_filter,
        page=page,
        per_page=PER_PAGE,
    )
    return render(
        request,
        "admin/users.html",
        {
            "users": found,
            "total": total,
            "query": query,
            "role": role_filter,
            "roles": list(Role),
            "page": page,
            "pages": max(1, -(-total // PER_PAGE)),
            "homes": residents.residences_for(request.state.db, [u.id for u in found]),
        },
        block="user_list",
        private=True,
    )


def user_detail(request: Request, form: dict, status: int = 200, error: Invalid | None = None) -> Response:
    _admin(request)
    session = request.state.db
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


def _user_action(request: Request, form: dict, act) -> Response:  # type: ignore[no-untyped-def]
    user_id = request.path_params["user_id"]
    try:
        act(request.state.db, auth.current_user(request), user_id, form)
    except Invalid as error:
        return user_detail(request, form, status=422, error=error)
    return redirect(request, f"/admin/users/{user_id}", N_("Saved."))


def _role_from(form: dict) -> Role:
    try:
        return Role(text(form, "role"))
    except ValueError:
        raise Invalid("role", N_("Choose a role from the list.")) from None


def change_role(request: Request, form: dict) -> Response:
    def act(session, actor, user_id, form):  # type: ignore[no-untyped-def]
        role = _role_from(form)
        if text(form, "action") == "revoke":
            roles.revoke_role(session, actor, user_id, role)
        else:
            roles.grant_role(session, actor, user_id, role)

    return _user_action(request, form, act)


def make_chair(request: Request, form: dict) -> Response:
    return _user_action(request, form, lambda s, a, uid, f: roles.make_chair(s, a, uid))


def change_group(request: Request, form: dict) -> Response:
    def act(session, actor, user_id, form):  # type: ignore[no-untyped-def]
        try:
            group = StakeholderGroup(text(form, "group"))
        except ValueError:
            raise Invalid("group", N_("Choose a group from the list.")) from None
        roles.set_group(session, actor, user_id, group)

    return _user_action(request, form, act)


def change_active(request: Request, form: dict) -> Response:
    return _user_action(
        request, form, lambda s, a, uid, f: roles.set_active(s, a, uid, text(f, "active") == "1")
    )


# --- grid rosters ---------------------------------------------------------------------------------


def grid_cells(request: Request, form: dict) -> Response:
    _admin(request)
    return render(request, "admin/grid.html", {"cells": cells.list_cells(request.state.db)}, private=True)


def roster_page(request: Request, form: dict, view: FormView | None = None, status: int = 200) -> Response:
    _admin(request)
    cell = cells.get_cell(request.state.db, request.path_params["code"])
    return render(
        request,
        "admin/roster.html",
        {
            "cell": cell,
            "roster_roles": list(RosterRole),
            "form": view or FormView(),
            "files": attachments.cell_files(request.state.db, cell.code),
        },
        block="roster",
        status=status,
        private=True,
    )


def assign_post(request: Request, form: dict) -> Response:
    code = request.path_params["code"]
    try:
        role = RosterRole(text(form, "role"))
    except ValueError:
        role = None
    try:
        if role is None:
            raise Invalid("role", N_("Choose a post from the list."))
        roster.assign_post(
            request.state.db,
            auth.current_user(request),
            cell_code=code,
            username=text(form, "username"),
            role=role,
        )
    except Invalid as error:
        return roster_page(
            request, form, FormView.from_form(form, "username", "role", error=error), status=422
        )
    return redirect(request, f"/admin/grid/cells/{code}", N_("Saved."))


def upload_cell_file(request: Request, form: dict) -> Response:
    code = request.path_params["code"]
    upload = form.get("file")
    settings = request.app.state.settings
    try:
        if upload is None or isinstance(upload, str):
            raise Invalid("file", N_("Choose a file to upload."))
        attachments.attach_file(
            request.state.db,
            auth.current_user(request),
            settings.upload_dir,
            cell_code=code,
            upload=upload.file,
            name=upload.filename or "file",
            max_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        return roster_page(request, form, FormView(errors=dict(error.errors)), status=422)
    return redirect(request, f"/admin/grid/cells/{code}", N_("The file is saved."))


def remove_cell_file(request: Request, form: dict) -> Response:
    code = attachments.detach_file(
        request.state.db, auth.current_user(request), request.path_params["file_id"]
    )
    return redirect(request, f"/admin/grid/cells/{code}", N_("Saved."))


def remove_post(request: Request, form: dict) -> Response:
    cell = roster.remove_post(
        request.state.db, auth.current_user(request), entry_id=request.path_params["entry_id"]
    )
    return redirect(request, f"/admin/grid/cells/{cell.code}", N_("Saved."))


# --- audit log and site settings ------------------------------------------------------------------


def audit_log(request: Request, form: dict) -> Response:
    _admin(request)
    page = _page(request)
    entries, total = audit.list_entries(request.state.db, page=page, per_page=50)
    return render(
        request,
        "admin/audit.html",
        {
            "entries": entries,
            "page": page,
            "pages": max(1, -(-total // 50)),
            "total": total,
        },
        block="audit_list",
        private=True,
    )


def settings_page(request: Request, form: dict, view: FormView | None = None, status: int = 200) -> Response:
    _admin(request)
    values = site_settings.all_values(request.state.db)
    return render(
        request,
        "admin/settings.html",
        {
            "definitions": site_settings.DEFINITIONS,
            "form": view or FormView(values={name: str(value) for name, value in values.items()}),
        },
        status=status,
        private=True,
    )


def save_settings(request: Request, form: dict) -> Response:
    admin = _admin(request)
    session = request.state.db
    current = site_settings.all_values(session)
    errors = {}
    for name in site_settings.DEFINITIONS:
        submitted = text(form, name)
        if submitted and submitted != str(current[name]):
            try:
                site_settings.change(session, admin, name, submitted)
            except Invalid as error:
                errors.update(error.errors)
    if errors:
        # all or nothing: the wrapper commits nothing on a 422, so the valid values are not kept either
        view = FormView(values={n: text(form, n) for n in site_settings.DEFINITIONS}, errors=errors)
        return settings_page(request, form, view, status=422)
    return redirect(request, "/admin/settings", N_("Saved."))


routes = [
    route("/admin/", index, name="admin.index"),
    route("/admin/users", user_list, name="admin.users"),
    route("/admin/users/{user_id:int}", user_detail, name="admin.user"),
    route("/admin/users/{user_id:int}/roles", change_role, ["POST"], name="admin.user_role"),
    route("/admin/users/{user_id:int}/chair", make_chair, ["POST"], name="admin.user_chair"),
    route("/admin/users/{user_id:int}/group", change_group, ["POST"], name="admin.user_group"),
    route("/admin/users/{user_id:int}/active", change_active, ["POST"], name="admin.user_active"),
    route("/admin/grid", grid_cells, name="admin.grid"),
    route("/admin/grid/cells/{code}", roster_page, name="admin.roster"),
    route("/admin/grid/cells/{code}/roster", assign_post, ["POST"], name="admin.roster_assign"),
    route("/admin/grid/roster/{entry_id:int}/remove", remove_post, ["POST"], name="admin.roster_remove"),
    route("/admin/grid/cells/{code}/files", upload_cell_file, ["POST"], name="admin.cell_file_upload"),
    route(
        "/admin/grid/files/{file_id:int}/remove", remove_cell_file, ["POST"], name="admin.cell_file_remove"
    ),
    route("/admin/jobs", job_list, name="admin.jobs"),
    route("/admin/jobs/{job_id:int}/retry", retry_job, ["POST"], name="admin.job_retry"),
    route("/admin/audit", audit_log, name="admin.audit"),
    route("/admin/settings", settings_page, name="admin.settings"),
    route("/admin/settings", save_settings, ["POST"], name="admin.settings_save"),
]
