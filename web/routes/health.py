"""``/healthz``: answers 200 only when the database does."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from web.forms import Form
from web.request_db import db
from web.routing import route


def healthz(request: Request, form: Form) -> Response:
    try:
        db(request).execute(text("SELECT 1"))
    except DBAPIError:
        return JSONResponse(
            {"status": "unavailable", "database": "down"},
            status_code=503,
            headers={"Retry-After": "10", "Cache-Control": "no-store"},
        )
    return JSONResponse({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})


routes = [route("/healthz", healthz, name="health")]
