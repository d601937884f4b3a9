"""Grid cells (网格六定): the list and one cell with its roster (the grid feature)."""

from __future__ import annotations

from itertools import groupby

from starlette.requests import Request
from starlette.responses import Response

from core.errors import N_
from grid import attachments, cells, overview, roster
from web.demo import grid as demo_grid
from web.feature import Feature, HomeArea, Link, MenuEntry, NavItem
from web.forms import Form, text
from web.htmx import render
from web.request_db import db
from web.routes import admin_grid
from web.routing import route


def cell_list(request: Request, form: Form) -> Response:
    query = text(request.query_params, "q")[:40]
    found = cells.list_cells(db(request), query=query)
    by_street = [(street, list(group)) for street, group in groupby(found, key=lambda c: c.street)]
    return render(
        request,
        "grid/cells.html",
        {"by_street": by_street, "query": query, "total": len(found)},
        block="cell_list",
    )


def cell_detail(request: Request, form: Form) -> Response:
    session = db(request)
    cell = cells.cell_detail(session, request.path_params["code"])
    return render(
        request,
        "grid/cell.html",
        {
            "cell": cell,
            "staff": roster.staff_of(session, cell.id),
            "files": attachments.cell_files(session, cell.code),
        },
    )


routes = [
    route("/grid/", cell_list, name="grid.cells"),
    route("/grid/cells/{code}", cell_detail, name="grid.cell"),
]

feature = Feature(
    name="grid",
    routes=[*routes, *admin_grid.routes],
    models=["grid.models"],
    registers=["grid.attachments", "grid.roster"],
    links={"grid_cell": Link("grid.cell", "code")},
    audit_labels={
        "roster.assign": N_("Put on a grid roster"),
        "roster.remove": N_("Taken off a grid roster"),
        "grid_cell.attach": N_("Added a cell document"),
        "grid_cell.detach": N_("Removed a cell document"),
    },
    admin_menu=[
        MenuEntry("admin.grid", N_("Grid rosters"), N_("Put grid staff on each cell's roster (网格六定)."))
    ],
    nav=NavItem("grid.cells", N_("Grid")),
    home=HomeArea("grid", "grid/_home.html", overview.home_summary),
    demo=demo_grid.load,
)
