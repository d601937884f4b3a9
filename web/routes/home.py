"""The home page: one block per area of the platform, each filled by its own package's query."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from grid import cells
from web.htmx import render
from web.routing import route

# Areas that later issues build, in the order a newcomer meets them (DESIGN.md "Domain").
AREAS = ("forums", "consultations", "merge", "mediation", "volunteers", "cases")


def home(request: Request, form: dict) -> Response:
    session = request.state.db
    return render(request, "home/index.html", {"cell_count": cells.count_cells(session), "areas": AREAS})


routes = [route("/", home, name="home")]
