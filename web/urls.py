"""Building paths from route names, once per process instead of a walk over every route per call.

Templates call ``url("grid.cell", code=...)`` and handlers ``url_for(request, "admin.jobs")``; both read
one table built from the features' routes when the app (or a worker) starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.routing import BaseRoute, Route


class Urls:
    """Route name → path, for every named route given."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._formats: dict[str, tuple[str, dict[str, Convertor[Any]]]] = {}
        for route in routes:
            if isinstance(route, Route) and route.name:
                self._formats.setdefault(route.name, (route.path_format, route.param_convertors))

    def __contains__(self, name: str) -> bool:
        return name in self._formats

    def path(self, name: str, query: dict[str, Any] | None = None, **params: Any) -> str:
        """The path of route ``name`` with its parameters; ``query`` adds a query string."""
        path_format, convertors = self._formats[name]
        if params.keys() != convertors.keys():  # compared as sets, without building any
            raise KeyError(f"route {name!r} takes {sorted(convertors)}, not {sorted(params)}")
        path = (
            path_format.format_map({k: convertors[k].to_string(v) for k, v in params.items()})
            if params
            else path_format
        )
        if query:
            kept = {k: v for k, v in query.items() if v not in (None, "")}
            if kept:
                path += "?" + urlencode(kept)
        return path


def url_for(request: Request, name: str, query: dict[str, Any] | None = None, **params: Any) -> str:
    """The path of route ``name`` in this app."""
    urls: Urls = request.app.state.urls
    return urls.path(name, query, **params)
