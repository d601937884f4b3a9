"""Serving stored files, only after the owning object's access check."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core import files
from core.errors import NotFound
from web import auth
from web.feature import Feature
from web.forms import Form
from web.request_db import db
from web.routing import route

# inline only for what browsers show safely; everything else downloads
INLINE = ("image/", "application/pdf", "text/plain")


def serve_file(request: Request, form: Form) -> Response:
    stored = files.access_file(db(request), auth.current_user(request), request.path_params["file_id"])
    path = files.path_of(request.app.state.settings.upload_dir, stored)
    if not path.exists():
        raise NotFound()
    disposition = "inline" if stored.content_type.startswith(INLINE) else "attachment"
    media_type = stored.content_type + ("; charset=utf-8" if stored.content_type == "text/plain" else "")
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.original_name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
            "Cache-Control": "no-store" if files.is_private(stored) else "private, max-age=3600",
        },
    )


routes = [route("/files/{file_id:id}", serve_file, name="files.serve")]

feature = Feature(name="files", routes=routes, models=["core.files"])
