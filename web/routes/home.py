"""The home page: one block per area, each filled by a query function of the package that owns it.

Areas still to come have no query yet; their block says what they will be. A feature issue adds its
function here and fills its block in ``templates/home/index.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from grid import overview
from web import auth
from web.htmx import render
from web.routing import route

HomeQuery = Callable[[Session, User | None], dict[str, Any]]

AREAS: list[tuple[str, HomeQuery | None]] = [
    ("grid", overview.home_summary),
    ("forums", None),
    ("consultations", None),
    ("merge", None),
    ("mediation", None),
    ("volunteers", None),
    ("cases", None),
]


def home(request: Request, form: dict) -> Response:
    session, viewer = request.state.db, auth.current_user(request)
    blocks = {name: query(session, viewer) for name, query in AREAS if query is not None}
    return render(request, "home/index.html", {"blocks": blocks})


routes = [route("/", home, name="home")]
