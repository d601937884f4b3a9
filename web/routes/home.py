"""The home page, the health check and the language switch: the site's own feature.

The home page has one area per feature that declares one (``Feature.home``), filled by a query
function of the package that owns it, and a card for each area still to come (``features.PLANNED``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.errors import N_
from web import auth
from web.feature import Feature, NavItem
from web.forms import Form
from web.htmx import render
from web.request_db import db
from web.routes import health, i18n
from web.routing import route


def home(request: Request, form: Form) -> Response:
    session, viewer = db(request), auth.current_user(request)
    areas = request.app.state.home_areas
    blocks = {area.name: area.query(session, viewer) for area in areas}
    return render(request, "home/index.html", {"areas": areas, "blocks": blocks})


routes = [route("/", home, name="home")]

feature = Feature(
    name="site",
    routes=[*routes, *health.routes, *i18n.routes],
    nav=NavItem("home", N_("Home")),
)
