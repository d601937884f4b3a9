"""Grid cells (网格六定): the list and one cell with its roster."""

from __future__ import annotations

from itertools import groupby

from starlette.requests import Request
from starlette.responses import Response

from grid import attachments, cells, residents
from web.forms import text
from web.htmx import render
from web.routing import route


def cell_list(request: Request, form: dict) -> Response:
    query = text(request.query_params, "q")[:40]
    found = cells.list_cells(request.state.db, query=query)
    by_street = [(street, list(group)) for street, group in groupby(found, key=lambda c: c.street)]
    return render(
        request,
        "grid/cells.html",
        {"by_street": by_street, "query": query, "total": len(found)},
        block="cell_list",
    )


def cell_detail(request: Request, form: dict) -> Response:
    session = request.state.db
    cell = cells.get_cell(session, request.path_params["code"])
    return render(
        request,
        "grid/cell.html",
        {
            "cell": cell,
            "resident_count": residents.resident_count(session, cell.id),
            "files": attachments.cell_files(session, cell.code),
        },
    )


routes = [
    route("/grid/", cell_list, name="grid.cells"),
    route("/grid/cells/{code}", cell_detail, name="grid.cell"),
]
