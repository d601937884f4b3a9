"""Open311 GeoReport v2, the public face of the case queue: services from the taxonomy, service requests
from the cases, and reports filed by city apps (POST) entering as ``reported`` cases of source ``open311``.

What this module decides, so the web layer only formats:
- a service is an active minor class; its code is ``<kind>-<code>`` (``component-0103``), because the
  standard's component and event codes overlap (CJ/T 214 numbers both from 01);
- a request's ``status`` is ``open`` until the case is closed or rejected, then ``closed`` (DESIGN.md,
  settled questions); its stage and any rejection reason go to ``status_notes``;
- a mediation's case (``staff_only``) never appears, in lists, by id or by token;
- a POST is idempotent per API key: the client's ``Idempotency-Key`` when it sends one, otherwise a
  hash of everything it sent, so a retried request returns the case the first one opened;
- ``media_url`` is stored as given and never fetched (fetching would let a caller reach internal
  addresses); a ``media`` file goes through ``core.files`` like any photo.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ForeignKey, Select, String, cast, func, or_, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from core import clock, files
from core.db import Base, rows_as
from core.errors import N_, Conflict, FieldErrors, Invalid, NotFound
from core.numbers import whole_number
from core.pages import Page, paginate
from core.site_settings import rule_setting
from grid import cases, cells, taxonomy
from grid.apikeys import ApiKey
from grid.models import Case, CaseClass, CaseSource, CaseState, CaseStep, ClassKind, Department, GridCell

SPAN = timedelta(days=90)  # the standard's default window and widest range
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
PAGE_MAX = 1000  # the standard's "first 1000 requests"
MEDIA_URL_MAX, TOKEN_MAX = 500, 64
CLOSED = (CaseState.closed, CaseState.rejected)
# the POST arguments the standard defines that a case keeps (names, e-mail and phone are not kept:
# staff reach the reporter through the app that filed it, and personal data stays minimal)
SUBMITTED = ("service_code", "lat", "long", "address_string", "address_id", "description", "media_url")

rule_setting(
    "rate.open311_post_per_key",
    "600/3600",
    N_("Open311 service requests filed per API key"),
    N_("count/seconds; a city app files for many people, so allow it more than one person"),
)


class Open311Request(Base):
    """What an Open311 POST brought besides the case: which key filed it, its token, its media URL."""

    __tablename__ = "open311_requests"

    case_id: Mapped[int] = mapped_column(ForeignKey("grid_cases.id", ondelete="CASCADE"), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_keys.id", ondelete="RESTRICT"), index=True)
    token: Mapped[str | None] = mapped_column(String(TOKEN_MAX), index=True)  # the client's Idempotency-Key
    media_url: Mapped[str | None] = mapped_column(String(MEDIA_URL_MAX))  # as given, never fetched


# --- services --------------------------------------------------------------------------------------


def service_code(kind: ClassKind, code: str) -> str:
    return f"{kind.value}-{code}"


def parse_service_code(text: str) -> tuple[ClassKind, str] | None:
    kind, _, code = text.strip().partition("-")
    if kind not in ("component", "event") or not (len(code) == 4 and code.isdecimal()):
        return None
    return ClassKind(kind), code


@dataclass(frozen=True)
class Service:
    """A service (an active minor class) as GET services shows it."""

    code: str
    name: str
    group: str
    kind: ClassKind
    limit_hours: int


def services(session: Session) -> list[Service]:
    """Every active minor class, components then events, in code order."""
    return [
        Service(service_code(row.kind, row.code), row.name, row.major_name or "", row.kind, row.limit_hours)
        for row in taxonomy.all_classes(session)
        if row.is_active and not row.is_major
    ]


def find_service(session: Session, code: str) -> tuple[Service, int] | None:
    """The active service with this code and its class id, or None."""
    parsed = parse_service_code(code)
    if parsed is None:
        return None
    class_id = session.scalar(
        select(CaseClass.id).where(
            CaseClass.kind == parsed[0],
            CaseClass.code == parsed[1],
            CaseClass.parent_id.is_not(None),
            CaseClass.is_active.is_(True),
        )
    )
    if class_id is None:
        return None
    row = taxonomy.class_row(session, class_id)
    return Service(code, row.name, row.major_name or "", row.kind, row.limit_hours), class_id


def get_service(session: Session, code: str) -> Service:
    found = find_service(session, code)
    if found is None:
        raise NotFound(N_("There is no service with the code %(code)s."), code=code[:20])
    return found[0]


# --- reading requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    """A public case as GET requests shows it."""

    id: int
    year: int
    sequence: int
    state: CaseState
    kind: ClassKind | None
    class_code: str | None
    class_name: str | None
    description: str
    title: str
    department: str | None
    cell_name: str | None
    assignee_id: int | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    address: str
    lat: float | None
    lng: float | None
    media_url: str | None
    rejection: str | None
    photo_id: int | None  # the report's first photo, when it came with one (its page links it)

    @property
    def number(self) -> str:
        return f"{self.year}-{self.sequence:06d}"

    @property
    def status(self) -> str:
        return "closed" if self.state in CLOSED else "open"

    @property
    def service_code(self) -> str | None:
        return service_code(self.kind, self.class_code) if self.kind and self.class_code else None

    @property
    def agency(self) -> str | None:
        """The department it was dispatched to, or its cell when one of the cell's staff has it."""
        if self.department:
            return self.department
        return self.cell_name if self.assignee_id is not None else None


_rejection = aliased(CaseStep)
REJECTION = (
    select(_rejection.note)
    .where(_rejection.case_id == Case.id, _rejection.action == "reject")
    .order_by(_rejection.id.desc())
    .limit(1)
    .scalar_subquery()
)
_first_step = select(func.min(CaseStep.id)).where(CaseStep.case_id == Case.id).scalar_subquery()
PHOTO = (
    select(func.min(files.StoredFile.id))
    .where(
        files.StoredFile.owner_kind == cases.STEP_PHOTOS,
        files.StoredFile.owner_id == cast(_first_step, String),
        files.StoredFile.content_type.startswith("image/"),
    )
    .scalar_subquery()
)
ROWS = (
    select(
        Case.id,
        Case.year,
        Case.sequence,
        Case.state,
        CaseClass.kind,
        CaseClass.code,
        CaseClass.name,
        Case.description,
        Case.title,
        Department.name,
        GridCell.name,
        Case.assignee_id,
        Case.created_at,
        Case.updated_at,
        Case.due_at,
        Case.address,
        Case.lat,
        Case.lng,
        Open311Request.media_url,
        REJECTION,
        PHOTO,
    )
    .outerjoin(CaseClass, CaseClass.id == Case.class_id)
    .outerjoin(Department, Department.id == Case.department_id)
    .outerjoin(GridCell, GridCell.id == Case.cell_id)
    .outerjoin(Open311Request, Open311Request.case_id == Case.id)
    .where(Case.staff_only.is_(False))
)


@dataclass(frozen=True)
class Query:
    """GET requests' filters, parsed. ``ids`` overrides every other filter, as the standard says."""

    ids: tuple[int, ...] = ()
    services: tuple[tuple[ClassKind, str], ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()
    page: int = 1
    per_page: int = PAGE_MAX


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _moment(errors: FieldErrors, name: str, text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        moment = clock.from_local(datetime.fromisoformat(text.strip()))  # no offset: Beijing time
    except (ValueError, OverflowError):  # year 1 in Beijing is before year 1 in UTC
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:  # the window's arithmetic must fit too
        errors.add(name, N_("A date and time in W3C format, e.g. 2026-12-01T08:00:00+08:00."))
        return None
    return moment


def _window(errors: FieldErrors, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The standard's rule: the last 90 days by default, never more than 90 days at once."""
    if start is None and end is None:
        end = clock.now()
    if start is None:
        assert end is not None
        start = end - SPAN
    if end is None:
        end = start + SPAN
    if end < start:
        errors.add("end_date", N_("end_date comes after start_date."))
    elif end - start > SPAN:
        errors.add("end_date", N_("start_date and end_date may be at most 90 days apart."))
    return start, end


def parse_query(params: Mapping[str, str]) -> Query:
    """GET requests' arguments as a ``Query``; ``Invalid`` names every argument that is wrong."""
    errors = FieldErrors()
    ids = _listed(params.get("service_request_id", ""))
    if any(not (i.isdecimal() and len(i) <= 9) for i in ids) or len(ids) > PAGE_MAX:
        errors.add("service_request_id", N_("Service request ids are numbers, separated by commas."))
    codes = [parse_service_code(c) for c in _listed(params.get("service_code", ""))]
    if None in codes:
        errors.add("service_code", N_("A service code looks like component-0103 or event-0502."))
    statuses = frozenset(_listed(params.get("status", "")))
    if statuses - {"open", "closed"}:
        errors.add("status", N_("status is open or closed (or both, separated by a comma)."))
    start = _moment(errors, "start_date", params.get("start_date", ""))
    end = _moment(errors, "end_date", params.get("end_date", ""))
    window = _window(errors, start, end) if not ids else (None, None)
    page, per_page = params.get("page", "1").strip() or "1", params.get("page_size", "").strip()
    if not 1 <= (whole_number(page) or 0) <= 100_000:
        errors.add("page", N_("page is a whole number from 1."))
    if per_page and not 1 <= (whole_number(per_page) or 0) <= PAGE_MAX:
        errors.add("page_size", N_("page_size is a whole number from 1 to %(max)s."), max=PAGE_MAX)
    errors.raise_if_any()
    return Query(
        ids=tuple(int(i) for i in ids),
        services=tuple(c for c in codes if c is not None),
        start=window[0],
        end=window[1],
        statuses=statuses,
        page=int(page),
        per_page=int(per_page) if per_page else PAGE_MAX,
    )


def list_requests(session: Session, query: Query) -> Page[RequestRow]:
    """One page of public cases matching ``query``, newest report first."""
    statement = ROWS.where(Case.id.in_(query.ids)) if query.ids else _filtered(ROWS, query)
    statement = statement.order_by(Case.created_at.desc(), Case.id.desc())
    found = paginate(session, statement, page=query.page, per_page=query.per_page, rows=True)
    return Page(rows_as(RequestRow, found.items), found.number, found.per_page, found.total)


def _filtered(statement: Select[*tuple[Any, ...]], query: Query) -> Select[*tuple[Any, ...]]:
    if query.services:
        wanted = [(CaseClass.kind == kind) & (CaseClass.code == code) for kind, code in query.services]
        statement = statement.where(or_(*wanted))
    if query.start is not None:
        statement = statement.where(Case.created_at >= query.start)
    if query.end is not None:
        statement = statement.where(Case.created_at <= query.end)
    if query.statuses == {"open"}:
        statement = statement.where(Case.state.not_in(CLOSED))
    elif query.statuses == {"closed"}:
        statement = statement.where(Case.state.in_(CLOSED))
    return statement


def get_request(session: Session, case_id: int) -> RequestRow:
    """One public case; ``NotFound`` when there is none or it is a mediation's."""
    rows = rows_as(RequestRow, session.execute(ROWS.where(Case.id == case_id)))
    if not rows:
        raise NotFound(N_("There is no service request with this id."))
    return rows[0]


def requests_for_token(session: Session, token: str) -> list[tuple[int, str]]:
    """(service_request_id, token) for the public cases an Open311 POST filed with this token."""
    statement = (
        select(Case.id, Open311Request.token)
        .join(Open311Request, Open311Request.case_id == Case.id)
        .where(Open311Request.token == token[:TOKEN_MAX], Case.staff_only.is_(False))
        .order_by(Case.id)
    )
    return [(case_id, str(found)) for case_id, found in session.execute(statement)]


# --- filing a request ------------------------------------------------------------------------------


@dataclass
class Submission:
    """What a city app POSTs, as strings (the web layer does no parsing but the form's)."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    token: str = ""  # the client's Idempotency-Key
    media: list[files.Upload] = field(default_factory=list)


def reference(key: ApiKey, submission: Submission, media: Sequence[files.Prepared] = ()) -> str:
    """The case's source reference: the key, and the client's token or else a hash of the request.

    The hash covers every field the standard defines and the media files' contents, so only a true
    repeat of a request (a retry after a lost answer) maps to the same case.
    """
    if submission.token.strip():
        basis = "token:" + submission.token.strip()[:TOKEN_MAX]
    else:
        sent = {k: v for k, v in vars(submission).items() if k not in ("media", "token")}
        sent["media"] = [hashlib.sha256(m.data).hexdigest() for m in media]
        basis = "content:" + json.dumps(sent, sort_keys=True, ensure_ascii=False)
    return f"open311:{key.id}:{hashlib.sha256(basis.encode()).hexdigest()[:40]}"


def _coordinate(errors: FieldErrors, name: str, text: str, bound: float) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -bound <= value <= bound:  # NaN fails both comparisons
        errors.add(name, N_("A number from -%(bound)s to %(bound)s."), bound=int(bound))
        return None
    return value


def _check_media_url(errors: FieldErrors, url: str) -> None:
    if not url:
        return
    parts = urlsplit(url)
    if len(url) > MEDIA_URL_MAX or parts.scheme not in ("http", "https") or not parts.netloc:
        errors.add(
            "media_url",
            N_("media_url is an http or https address of at most %(max)s characters."),
            max=MEDIA_URL_MAX,
        )


def _title(description: str, service: Service) -> str:
    """A case's title: the description's first line, cut to fit, or the service's name."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first) < 4:
        return f"{service.group}：{service.name}"[: cases.TITLE_MAX]
    return first if len(first) <= cases.TITLE_MAX else first[: cases.TITLE_MAX - 1] + "…"


@dataclass(frozen=True)
class Filed:
    """The case a POST opened, or the one an identical earlier POST opened (``repeated``)."""

    case: Case
    service: Service
    repeated: bool


Place = tuple[float | None, float | None, str, str]  # lat, long, address, description


def _checked_place(errors: FieldErrors, submission: Submission) -> Place:
    """Where and what: lat and long together, or an address; a description within the standard's 4,000."""
    lat = _coordinate(errors, "lat", submission.lat, 90)
    lng = _coordinate(errors, "long", submission.long, 180)
    address = submission.address_string.strip()
    description = submission.description.strip()
    if (lat is None) != (lng is None) and "lat" not in errors and "long" not in errors:
        errors.add("lat", N_("Send lat and long together."))
    if len(address) > cases.ADDRESS_MAX:
        errors.add("address_string", N_("At most %(max)s characters."), max=cases.ADDRESS_MAX)
    if lat is None and lng is None and not address and not errors:
        errors.add(
            "address_string", N_("Send lat and long, or address_string (address_id is not known here).")
        )
    if len(description) > cases.DESCRIPTION_MAX:
        errors.add("description", N_("At most %(max)s characters."), max=cases.DESCRIPTION_MAX)
    return lat, lng, address, description


def submit_request(
    session: Session,
    key: ApiKey,
    submission: Submission,
    *,
    upload_dir: Path | None = None,
    max_photo_bytes: int = 10 * 1024 * 1024,
) -> Filed:
    """File a city app's report (POST requests): a ``reported`` case of source ``open311`` with no cell
    until 立案, its cell suggested from lat/long. A repeat of the same request returns the same case.

    ``NotFound`` for an unknown service code; ``Invalid`` names every wrong argument before anything is
    written.
    """
    if not submission.service_code.strip():
        raise Invalid("service_code", N_("service_code is required."))
    found = find_service(session, submission.service_code)
    if found is None:
        raise NotFound(N_("There is no service with the code %(code)s."), code=submission.service_code[:20])
    service, class_id = found
    errors = FieldErrors()
    place = _checked_place(errors, submission)
    _check_media_url(errors, submission.media_url.strip())
    prepared = files.prepare_photos(
        errors, submission.media, upload_dir, max_photo_bytes, limit=1, field="media"
    )
    errors.raise_if_any()
    source_ref = reference(key, submission, prepared)
    earlier = _earlier(session, source_ref)
    if earlier is not None:
        return Filed(earlier, service, repeated=True)
    case = _open(session, key, submission, source_ref, service, class_id, place)
    if case is None:  # the same request, filed meanwhile by a parallel retry
        earlier = _earlier(session, source_ref)
        assert earlier is not None
        return Filed(earlier, service, repeated=True)
    files.keep_all(
        session,
        upload_dir,
        prepared,
        owner_kind=cases.STEP_PHOTOS,
        owner_id=cases.first_step_id(session, case.id),
        uploaded_by_id=None,
    )
    return Filed(case, service, repeated=False)


def _earlier(session: Session, source_ref: str) -> Case | None:
    return session.scalar(
        select(Case).where(Case.source == CaseSource.open311, Case.source_ref == source_ref)
    )


def _open(
    session: Session,
    key: ApiKey,
    submission: Submission,
    source_ref: str,
    service: Service,
    class_id: int,
    place: Place,
) -> Case | None:
    lat, lng, address, description = place
    suggested = cells.nearest_cell(session, lat, lng) if lat is not None and lng is not None else None
    try:
        case = cases.open_case(
            session,
            None,
            cases.Opening(
                source=CaseSource.open311,
                source_ref=source_ref,
                title=_title(description, service),
                description=description,
                address=address,
                lat=lat,
                lng=lng,
                class_id=class_id,
                suggested_cell_id=suggested,
                note=key.name,  # the history says which app filed it
            ),
        )
    except Conflict:
        return None
    session.add(
        Open311Request(
            case_id=case.id,
            key_id=key.id,
            token=submission.token.strip()[:TOKEN_MAX] or None,
            media_url=submission.media_url.strip() or None,
        )
    )
    return case
