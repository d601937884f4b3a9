"""``/admin/grid/taxonomy`` and ``/admin/grid/departments``: the case classes with their time limits,
and the departments that handle them (the cases feature's admin pages)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.errors import N_, Invalid
from core.numbers import whole_number
from grid import departments, taxonomy
from web import auth
from web.feature import MenuEntry
from web.forms import Form, FormView, number, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

menu = [
    MenuEntry(
        "admin.taxonomy",
        N_("Case classes"),
        N_("The components and events cases are filed under, and their handling time limits."),
    ),
    MenuEntry(
        "admin.departments",
        N_("Departments"),
        N_("Who handles which classes of case, and how to reach them."),
    ),
]
audit_labels = {
    "taxonomy.limit": N_("Changed a case class's time limit"),
    "taxonomy.active": N_("Retired or restored a case class"),
    "taxonomy.add": N_("Added a case class"),
    "department.add": N_("Added a department"),
    "department.edit": N_("Changed a department"),
}


def taxonomy_page(
    request: Request, form: Form, forms: dict[str, FormView] | None = None, status: int = 200
) -> Response:
    rows = taxonomy.all_classes(db(request))
    return render(
        request,
        "cases/admin_taxonomy.html",
        {
            "classes": rows,
            "majors": [r for r in rows if r.is_major],
            "forms": forms or {},
            "empty": FormView(),
        },
        status=status,
        private=True,
    )


def save_class(request: Request, form: Form) -> Response:
    class_id = request.path_params["class_id"]
    actor = auth.current_user(request)
    try:
        if "active" in form:
            taxonomy.set_active(db(request), actor, class_id, text(form, "active") == "1")
        else:
            taxonomy.set_limit(db(request), actor, class_id, text(form, "limit_hours"))
    except Invalid as error:
        view = FormView.from_form(form, "limit_hours", error=error)
        return taxonomy_page(request, form, {f"class-{class_id}": view}, status=422)
    return redirect(request, url_for(request, "admin.taxonomy") + f"#class-{class_id}", N_("Saved."))


def add_class(request: Request, form: Form) -> Response:
    try:
        taxonomy.add_minor(
            db(request),
            auth.current_user(request),
            major_id=number(form, "major") or 0,
            code=text(form, "code"),
            name=text(form, "name"),
            limit_hours=text(form, "limit_hours"),
        )
    except Invalid as error:
        view = FormView.from_form(form, "major", "code", "name", "limit_hours", error=error)
        return taxonomy_page(request, form, {"add": view}, status=422)
    return redirect(request, url_for(request, "admin.taxonomy"), N_("The class is added."))


def departments_page(
    request: Request, form: Form, forms: dict[str, FormView] | None = None, status: int = 200
) -> Response:
    rows = taxonomy.all_classes(db(request))
    found = departments.list_departments(db(request))
    return render(
        request,
        "cases/admin_departments.html",
        {
            "departments": found,
            "current": {d.id: FormView(values={"name": d.name, "contact": d.contact}) for d in found},
            "majors": [r for r in rows if r.is_major],
            "forms": forms or {},
            "empty": FormView(),
        },
        status=status,
        private=True,
    )


def save_department(request: Request, form: Form) -> Response:
    department_id = request.path_params.get("department_id")
    chosen = [n for v in form.getlist("classes") if isinstance(v, str) and (n := whole_number(v)) is not None]
    try:
        departments.save_department(
            db(request),
            auth.current_user(request),
            department_id=department_id,
            name=text(form, "name"),
            contact=text(form, "contact"),
            class_ids=chosen,
        )
    except Invalid as error:
        view = FormView.from_form(form, "name", "contact", error=error)
        return departments_page(request, form, {f"department-{department_id or 'new'}": view}, status=422)
    return redirect(request, url_for(request, "admin.departments"), N_("Saved."))


routes = [
    route("/admin/grid/taxonomy", taxonomy_page, name="admin.taxonomy", admin=True),
    route("/admin/grid/taxonomy", add_class, ["POST"], name="admin.taxonomy_add", admin=True),
    route("/admin/grid/taxonomy/{class_id:id}", save_class, ["POST"], name="admin.taxonomy_save", admin=True),
    route("/admin/grid/departments", departments_page, name="admin.departments", admin=True),
    route("/admin/grid/departments", save_department, ["POST"], name="admin.department_add", admin=True),
    route(
        "/admin/grid/departments/{department_id:id}",
        save_department,
        ["POST"],
        name="admin.department_save",
        admin=True,
    ),
]
