"""Search across the platform (搜索): ``/search?q=`` from the header's box, results grouped by kind.

The header's box fills ``#main`` with this page's ``results`` block as the user types (htmx,
debounced, the address pushed), so focus stays in the box; without JavaScript the same form submits
and the whole page comes back. A missing or broken index answers 503 on this page only.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.errors import Invalid
from grid.cells import cell_choices
from search import queries
from search.index import SearchIndex, SearchUnavailable
from search.registry import GROUPS, groups_in_use
from web import auth
from web.feature import Feature
from web.forms import Form, FormView, number, text
from web.htmx import render
from web.request_db import db
from web.routing import route

FIELDS = ("q", "kind", "cell", "time")


def search_page(request: Request, form: Form) -> Response:
    params = request.query_params
    view = FormView.from_form(params, *FIELDS)
    context = {
        "form": view,
        "results": None,
        "unavailable": None,
        "cells": cell_choices(db(request)),
        "groups": groups_in_use(),
        "group_labels": GROUPS,
        "times": queries.TIME_LABELS,
        "link": request.app.state.links.path,
        "search_query": view.value("q"),
    }
    status, headers = 200, {}
    try:
        context["results"] = queries.search(
            db(request),
            index_of(request),
            auth.current_user(request),
            q=text(params, "q", strip=False),
            kind=text(params, "kind"),
            cell=text(params, "cell"),
            time=text(params, "time"),
            page=number(params, "page") or 1,
        )
    except Invalid as error:
        context["form"], status = FormView.from_form(params, *FIELDS, error=error), 422
    except SearchUnavailable as error:
        context["unavailable"], status = error.message, 503
        headers["Retry-After"] = str(error.retry_after)
    return render(request, "search/results.html", context, block="results", status=status, headers=headers)


def index_of(request: Request) -> SearchIndex:
    """This process's index folder (made by the app factory from ``GONGZHI_INDEX_DIR``)."""
    return request.app.state.search_index  # type: ignore[no-any-return]


routes = [route("/search", search_page, name="search.results")]

feature = Feature(
    name="search",
    routes=routes,
    models=["search.feed"],
    registers=["search.pruning"],
)
