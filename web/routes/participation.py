"""我的参与: everything a person took part in, across the features, each with where it went.

Each feature declares its part (``Feature.participation``) with a query in its own route module; this
page only lays the parts out, in the features' order.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web import auth
from web.feature import Feature
from web.forms import Form
from web.htmx import render
from web.request_db import db
from web.routing import route


def participation(request: Request, form: Form) -> Response:
    session, viewer = db(request), auth.require_user(request)
    areas = request.app.state.participation_areas
    parts = {area.name: area.query(session, viewer) for area in areas}
    return render(request, "participation/index.html", {"areas": areas, "parts": parts}, private=True)


routes = [route("/accounts/me/participation", participation, name="participation.index")]

feature = Feature(name="participation", routes=routes)
