"""Open311 GeoReport v2 at ``/open311/v2/`` (the open311 feature): discovery, services, service
definitions, service requests (GET for everyone, POST with an API key), tokens, and an OpenAPI
description. Every answer, errors included, is JSON or XML by the path's extension, never a page.

These routes are exempt from CSRF: a POST is authenticated by its ``api_key``, never by the browser's
login cookie (a case filed here has no reporter account), so a forged cross-site form gains nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import clock, files
from core.errors import N_, DomainError, Invalid, NotFound, PermissionDenied, RateLimited, Unavailable
from grid import apikeys, open311
from web.demo import open311 as demo_open311
from web.errors import status_for
from web.feature import Api, Feature
from web.forms import text
from web.htmx import translator
from web.open311_format import answer, format_of
from web.request_db import db
from web.routes import admin_open311, open311_openapi
from web.routing import route
from web.session import Endpoint
from web.urls import url_for

PREFIX = "/open311/v2/"
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T12:00:00+08:00"  # this interface's release; services change with the taxonomy
LIMITS = ("rate.open311_post_per_key",)


class FormatConvertor(Convertor[str]):
    """``.json`` or ``.xml``: any other extension does not match, and the router's 404 is answered
    in the API's format."""

    regex = "json|xml"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("fmt", FormatConvertor())


def moment(value: datetime | None) -> str | None:
    """A UTC moment in the standard's W3C format, with Beijing's offset (``2026-12-01T19:30:00+08:00``)."""
    return clock.local(value).isoformat(timespec="seconds") if value is not None else None


def errors_answer(request: Request, error: DomainError, status: int | None = None) -> Response:
    """The standard's error list, ``[{"code", "description"}]``, in the path's format."""
    status = status or _status(error)
    say = translator(request).text
    if isinstance(error, Invalid) and error.errors:
        described = [f"{field}: {say(m.key, **m.params)}" for field, m in error.errors.items()]
    else:
        described = [say(error.message.key, **error.message.params)]
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, RateLimited | Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    body = [{"code": str(status), "description": d} for d in described]
    return answer(format_of(request.url.path), "errors", body, status=status, headers=headers)


def _status(error: DomainError) -> int:
    """The standard's codes: 400 for bad input (not the pages' 422), 403, 404; others as HTTP says."""
    status = status_for(error)
    return 400 if status in (422, 500) else status


def discovery(request: Request, form: FormData) -> Response:
    say = translator(request).text
    body = {
        "changeset": CHANGESET,
        "contact": say(N_("Ask the site's administrators (管理员) through the community office.")),
        "key_service": say(
            N_("An administrator issues API keys at %(path)s, or on the server with `gongzhi apikey NAME`."),
            path=url_for(request, "admin.open311_keys"),
        ),
        "endpoints": [
            {
                "specification": SPEC,
                "url": str(request.base_url).rstrip("/") + PREFIX.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return answer(request.path_params["fmt"], "discovery", body)


def _service_record(request: Request, service: open311.Service) -> dict[str, object]:
    say = translator(request).text
    kind = say(service.kind.label)
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": say(
            N_("%(kind)s · %(group)s · %(name)s: handled within %(hours)s hours of registration (立案)."),
            kind=kind,
            group=service.group,
            name=service.name,
            hours=service.limit_hours,
        ),
        "metadata": False,  # no attribute is required: the definition lists none
        "type": "realtime",  # the id comes back at once; tokens serve clients that lost the answer
        "keywords": f"{kind},{service.group}",
        "group": service.group,
    }


def service_list(request: Request, form: FormData) -> Response:
    body = [_service_record(request, s) for s in open311.services(db(request))]
    return answer(request.path_params["fmt"], "services", body)


def service_definition(request: Request, form: FormData) -> Response:
    service = open311.get_service(db(request), request.path_params["code"])
    body = {"service_code": service.code, "attributes": []}
    return answer(request.path_params["fmt"], "service_definition", body)


def _request_record(request: Request, row: open311.RequestRow) -> dict[str, object]:
    say = translator(request).text
    notes = say(row.state.label)
    if row.rejection:
        notes = say(N_("%(stage)s: %(reason)s"), stage=notes, reason=row.rejection)
    return {
        "service_request_id": str(row.id),
        "status": row.status,
        "status_notes": notes,
        "service_name": row.class_name,
        "service_code": row.service_code,
        "description": row.description or row.title,
        "agency_responsible": row.agency,
        "service_notice": say(N_("Case number %(number)s"), number=row.number),
        "requested_datetime": moment(row.created_at),
        "updated_datetime": moment(row.updated_at),
        "expected_datetime": moment(row.due_at),
        "address": row.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": row.lat,
        "long": row.lng,
        "media_url": row.media_url or _photo_url(request, row.photo_id),
    }


def _photo_url(request: Request, photo_id: int | None) -> str | None:
    """A report's own photo, served by the site's file route (which checks who may see it)."""
    if photo_id is None:
        return None
    return str(request.base_url).rstrip("/") + url_for(request, "files.serve", file_id=photo_id)


def _query_arguments(request: Request) -> dict[str, str]:
    """Each argument once; one given several times counts as a comma-separated list (the standard)."""
    params = request.query_params
    return {name: ",".join(params.getlist(name)) for name in params}


def request_list(request: Request, form: FormData) -> Response:
    query = open311.parse_query(_query_arguments(request))
    page = open311.list_requests(db(request), query)
    headers = {"X-Total-Count": str(page.total)}
    if page.has_next:
        following = request.url.include_query_params(page=page.number + 1)
        headers["Link"] = f'<{following}>; rel="next"'
    body = [_request_record(request, row) for row in page]
    return answer(request.path_params["fmt"], "service_requests", body, headers=headers)


def request_detail(request: Request, form: FormData) -> Response:
    row = open311.get_request(db(request), request.path_params["case_id"])
    return answer(request.path_params["fmt"], "service_requests", [_request_record(request, row)])


def token_detail(request: Request, form: FormData) -> Response:
    found = open311.requests_for_token(db(request), request.path_params["token"])
    if not found:
        raise NotFound(N_("There is no service request with this token."))
    body = [{"service_request_id": str(case_id), "token": token} for case_id, token in found]
    return answer(request.path_params["fmt"], "service_requests", body)


def _attributes(form: FormData) -> dict[str, str]:
    """``attribute[CODE]=value`` pairs (several values of one code joined by commas)."""
    found: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if name.startswith("attribute[") and isinstance(value, str):
            code = name[len("attribute[") :].split("]", 1)[0]
            found.setdefault(code[:40], []).append(value[:200])
    return {code: ",".join(values) for code, values in sorted(found.items())[:20]}


def _media(form: FormData) -> list[files.Upload]:
    return [
        files.Upload(part.file, part.filename or "media")
        for part in form.getlist("media")
        if isinstance(part, UploadFile) and part.filename
    ]


def submit(request: Request, form: FormData) -> Response:
    key = apikeys.find_active_key(db(request), text(form, "api_key"))
    if key is None:
        raise PermissionDenied(N_("api_key is missing, unknown or revoked: nothing was filed."))
    settings = request.app.state.settings
    submission = open311.Submission(
        **{name: text(form, name, strip=False) for name in open311.SUBMITTED},
        attributes=_attributes(form),
        token=request.headers.get("idempotency-key", "")[: open311.TOKEN_MAX],
        media=_media(form),
    )
    filed = open311.submit_request(
        db(request),
        key,
        submission,
        upload_dir=settings.upload_dir,
        max_photo_bytes=settings.max_upload_bytes,
    )
    say = translator(request).text
    notice = say(
        N_("Case %(number)s is in the grid queue; once registered (立案) it is due within %(hours)s hours."),
        number=filed.case.number,
        hours=filed.service.limit_hours,
    )
    body = [{"service_request_id": str(filed.case.id), "service_notice": notice, "account_id": None}]
    fmt = request.path_params["fmt"]
    return answer(fmt, "service_requests", body, status=200 if filed.repeated else 201)


def openapi(request: Request, form: FormData) -> Response:
    return JSONResponse(open311_openapi.document(str(request.base_url).rstrip("/") + PREFIX.rstrip("/")))


def api_route(path: str, endpoint: Endpoint, methods: tuple[str, ...] = ("GET",), **options: Any) -> Route:
    """A route of this interface: errors in its format, and no CSRF check (the key authenticates)."""
    return route(PREFIX + path, endpoint, methods, errors=errors_answer, csrf_exempt=True, **options)


routes = [
    api_route("discovery.{fmt:fmt}", discovery, name="open311.discovery"),
    api_route("services.{fmt:fmt}", service_list, name="open311.services"),
    api_route("services/{code}.{fmt:fmt}", service_definition, name="open311.service"),
    api_route("requests.{fmt:fmt}", request_list, name="open311.requests"),
    api_route("requests.{fmt:fmt}", submit, ("POST",), name="open311.submit", uploads=True, limits=LIMITS),
    api_route("requests/{case_id:id}.{fmt:fmt}", request_detail, name="open311.request"),
    api_route("tokens/{token}.{fmt:fmt}", token_detail, name="open311.token"),
    api_route("openapi.json", openapi, name="open311.openapi"),
]

feature = Feature(
    name="open311",
    routes=[*routes, *admin_open311.routes],
    models=["grid.apikeys", "grid.open311"],
    registers=["grid.open311"],
    audit_labels=admin_open311.audit_labels,
    admin_menu=admin_open311.menu,
    demo=demo_open311.load,
    api=Api(PREFIX, errors_answer),
)
