"""The bare Starlette baseline for bench/signups.py (not a bench: CI skips files starting with _).

    uvicorn bench._bare_signup:app --workers 2      # cwd: the repository root

The least a sign-up endpoint could do: read the posted form, answer 303 to the shift's page. No
session, no database, no template: what the request alone costs through uvicorn and Starlette.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route


async def sign_up(request: Request) -> Response:
    await request.form()
    return RedirectResponse(f"/volunteers/shifts/{request.path_params['shift_id']}", status_code=303)


async def healthz(request: Request) -> Response:
    return Response("ok")


app = Starlette(
    routes=[
        Route("/volunteers/shifts/{shift_id:int}/signup", sign_up, methods=["POST"]),
        Route("/healthz", healthz),
    ]
)
