"""The outbound connector (对接城市平台): every new public case is also sent to the city's own system
over Open311 GeoReport v2, and what that system later reports is written into the case's history.

- ``GONGZHI_CASE_ENDPOINT`` turns it on (``configure()`` at process start, from the settings). A new
  public case then gets a ``CaseForward`` row and a forward job in the case's own transaction (the
  ``CaseOpened`` event), so a case and its forward commit together or not at all. Staff-only cases
  (a mediation's) are never sent anywhere.
- Workers deliver at least once, with the job queue's retries and exponential backoff. Every attempt
  carries our case number as the Open311 attribute ``attribute[gongzhi_case]``, so the city can
  recognise a repeat; the city's id is stored once received, after which no attempt sends again.
- A scheduled poll asks the city for the status of what it has and writes each new report into the
  case's history as a note. It moves nothing: only the cell's staff move a case (DESIGN.md).
- Every request has a timeout (``GONGZHI_CASE_TIMEOUT``); the job's own timeout is above the longest.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core import clock, events, jobs
from core.db import Sessions, run_write
from core.jobs import JobContext, handler
from core.schedules import EveryMinutes, every
from core.settings import Settings
from grid.cases import CaseOpened
from grid.models import Case, CaseClass, CaseForward, GridCell
from grid.workflow import NOTE_MAX, write_step

FORWARD_JOB = "grid.forward_case"
POLL_JOB = "grid.poll_city"
CASE_ATTRIBUTE = "gongzhi_case"  # the Open311 attribute that carries our case number
UNCLASSIFIED = "unclassified"  # the service code of a case not yet given a category
POLL_BATCH = 50  # ids per status request (GeoReport v2 takes a comma-separated list)
POLL_LIMIT = 500  # forwards looked at per poll, the least recently polled first


class CityError(Exception):
    """The city system did not take a request (unreachable, too slow, or an answer we cannot use)."""


@dataclass(frozen=True)
class Endpoint:
    """Where the city's Open311 endpoint is and how to talk to it."""

    url: str  # the GeoReport v2 base, e.g. https://city.example.cn/open311/v2
    api_key: str = ""
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoint | None:
        if not settings.case_endpoint:
            return None
        return cls(settings.case_endpoint, settings.case_api_key.value, settings.case_timeout)


_endpoint: Endpoint | None = None


def configure(endpoint: Endpoint | None) -> None:
    """Turn forwarding on (or off, with None) for this process; done once at start, from the settings."""
    global _endpoint
    _endpoint = endpoint


def configured() -> Endpoint | None:
    return _endpoint


# --- enqueueing, in the case's transaction ---------------------------------------------------------


def forward_later(session: Session, case_id: int) -> CaseForward | None:
    """Record that the case is to be sent and enqueue its forward job (once per case)."""
    if _endpoint is None or session.get(CaseForward, case_id) is not None:
        return None
    forward = CaseForward(case_id=case_id, queued_at=clock.now())
    session.add(forward)
    jobs.enqueue(session, FORWARD_JOB, {"case_id": case_id}, key=f"{FORWARD_JOB}:{case_id}")
    return forward


def _on_case_opened(session: Session, opened: CaseOpened) -> None:
    if not opened.staff_only:  # a mediation's case stays with the grid's staff
        forward_later(session, opened.case_id)


events.subscribe(CaseOpened, _on_case_opened)


# --- sending ---------------------------------------------------------------------------------------


def service_request(session: Session, case_id: int) -> dict[str, str] | None:
    """The Open311 fields of a case still to be sent; None when the city has it already (or it is gone).

    Nothing personal travels: no reporter's name, e-mail or phone.
    """
    row = session.execute(
        select(Case, CaseForward, CaseClass.kind, CaseClass.code, GridCell.name)
        .join(CaseForward, CaseForward.case_id == Case.id)
        .outerjoin(CaseClass, CaseClass.id == Case.class_id)
        .outerjoin(GridCell, GridCell.id == func.coalesce(Case.cell_id, Case.suggested_cell_id))
        .where(Case.id == case_id)
    ).first()
    if row is None or row.CaseForward.external_id or row.CaseForward.token or row.Case.staff_only:
        return None
    case = row.Case
    fields = {
        "service_code": f"{row.kind.value}-{row.code}" if row.code else UNCLASSIFIED,
        "description": f"{case.title}\n\n{case.description}".strip()[:4000],
        f"attribute[{CASE_ATTRIBUTE}]": case.number,
    }
    if case.lat is not None and case.lng is not None:
        fields |= {"lat": repr(case.lat), "long": repr(case.lng)}
    fields["address_string"] = case.address or row.name or ""
    return fields


def _request(endpoint: Endpoint, path: str, data: dict[str, str] | None = None) -> Any:
    """One request to the city, with the timeout; its JSON answer, or ``CityError``."""
    url = f"{endpoint.url}/{path}"
    if not url.startswith(("http://", "https://")):  # settings refuse others; an Endpoint made in code too
        raise CityError(f"{endpoint.url!r} is not an http:// or https:// address")
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data | {"api_key": endpoint.api_key}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    try:
        # only http(s) addresses get here (checked above), so no file:// or ftp:// opener is reached
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as answer:  # noqa: S310
            return json.loads(answer.read(1_000_000).decode("utf-8"))
    except urllib.error.HTTPError as error:
        raise CityError(f"the city system answered {error.code} to {path}") from None
    except (OSError, ValueError) as error:  # refused, reset, timed out, or not JSON
        raise CityError(f"{path}: {type(error).__name__}: {error}") from None


def _first_request(answer: Any) -> dict[str, Any]:
    """GeoReport answers a list; a city that lists the same request twice is answered by the first."""
    if isinstance(answer, list) and answer and isinstance(answer[0], dict):
        return answer[0]
    raise CityError(f"the city system's answer is not a list of requests: {str(answer)[:200]}")


def record_sent(session: Session, case_id: int, answer: dict[str, Any]) -> bool:
    """Keep the city's id (or token) from its answer, once; a history note says where the case went.

    False when an earlier attempt had already stored it (a repeat answer changes nothing).
    """
    forward = session.get(CaseForward, case_id, with_for_update=True)
    case = session.get(Case, case_id)
    external_id = str(answer.get("service_request_id") or "").strip()[:80]
    token = str(answer.get("token") or "").strip()[:80]
    if forward is None or case is None or forward.external_id or not (external_id or token):
        return False
    if forward.token and not external_id:
        return False
    forward.external_id, forward.token = external_id or None, token or forward.token
    forward.sent_at = forward.sent_at or clock.now()
    write_step(session, case, None, "forwarded", None, external_id or token)
    return True


def send(sessions: Sessions, endpoint: Endpoint, case_id: int) -> bool:
    """Send one case unless the city has it; True when this call delivered it."""
    with sessions.read() as session:
        fields = service_request(session, case_id)
    if fields is None:
        return False
    answer = _first_request(_request(endpoint, "requests.json", fields))
    if not (answer.get("service_request_id") or answer.get("token")):
        raise CityError(f"the city system gave no id for case {fields[f'attribute[{CASE_ATTRIBUTE}]']}")
    return run_write(sessions, lambda session: record_sent(session, case_id, answer))


def _required() -> Endpoint:
    if _endpoint is None:  # kept for a worker started with the setting: retried, never dropped
        raise CityError("GONGZHI_CASE_ENDPOINT is not set in this worker")
    return _endpoint


@handler(FORWARD_JOB, timeout=75, max_attempts=12)
def run_forward(context: JobContext, payload: dict[str, Any]) -> None:
    """Deliver one case (10 s, 20 s, 40 s ... up to an hour between attempts; about 4 hours in all)."""
    send(context.sessions, _required(), int(payload["case_id"]))


# --- what the city reports -------------------------------------------------------------------------


def fingerprint(report: dict[str, Any]) -> str:
    keys = ("status", "status_notes", "agency_responsible", "updated_datetime")
    parts = [str(report.get(k) or "") for k in keys]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def report_note(report: dict[str, Any]) -> str:
    parts = [str(report.get(k) or "").strip() for k in ("status", "agency_responsible", "status_notes")]
    return " · ".join(p for p in parts if p)[:NOTE_MAX]


def apply_reports(session: Session, reports: list[dict[str, Any]]) -> int:
    """Write each new city report into its case's history as a note, moving nothing; returns how many.

    A report already noted (the same status, notes, agency and time) is not noted again, however often
    the city repeats it.
    """
    noted = 0
    for report in reports:
        external_id = str(report.get("service_request_id") or "")
        forward = session.scalar(
            select(CaseForward).where(CaseForward.external_id == external_id).with_for_update()
        )
        if not external_id or forward is None:
            continue
        forward.polled_at = clock.now()
        mark = fingerprint(report)
        if mark == forward.last_report:
            continue
        case = session.get(Case, forward.case_id)
        assert case is not None
        write_step(session, case, None, "city_report", None, report_note(report))
        forward.last_report, forward.city_status = mark, str(report.get("status") or "")[:20]
        noted += 1
    return noted


def record_token(session: Session, token: str, external_id: str) -> None:
    """The city's id for a request it first answered with a token."""
    forward = session.scalar(select(CaseForward).where(CaseForward.token == token).with_for_update())
    case = session.get(Case, forward.case_id) if forward is not None else None
    if forward is None or case is None or forward.external_id:
        return
    forward.external_id = external_id[:80]
    write_step(session, case, None, "forwarded", None, forward.external_id)


@dataclass(frozen=True)
class Pending:
    case_id: int
    external_id: str | None
    token: str | None


def pending(session: Session, limit: int = POLL_LIMIT) -> list[Pending]:
    """Forwards the city has and has not reported closed, the least recently polled first."""
    rows = session.execute(
        select(CaseForward.case_id, CaseForward.external_id, CaseForward.token)
        .where(
            or_(CaseForward.external_id.is_not(None), CaseForward.token.is_not(None)),
            CaseForward.city_status != "closed",
        )
        .order_by(CaseForward.polled_at.is_not(None), CaseForward.polled_at, CaseForward.case_id)
        .limit(limit)
    )
    return [Pending(*row) for row in rows]


def poll(sessions: Sessions, endpoint: Endpoint) -> int:
    """Ask the city about every forward it has not closed; note what is new. Returns how many notes."""
    with sessions.read() as session:
        waiting = pending(session)
    for item in waiting:
        if item.external_id is None and item.token:
            found = _first_request(_request(endpoint, f"tokens/{urllib.parse.quote(item.token)}.json"))
            external_id = str(found.get("service_request_id") or "")
            if external_id:
                run_write(sessions, partial(record_token, token=item.token, external_id=external_id))
    ids = [item.external_id for item in waiting if item.external_id]
    noted = 0
    for start in range(0, len(ids), POLL_BATCH):
        query = urllib.parse.urlencode({"service_request_id": ",".join(ids[start : start + POLL_BATCH])})
        answer = _request(endpoint, f"requests.json?{query}")
        reports = [r for r in answer if isinstance(r, dict)] if isinstance(answer, list) else []
        noted += run_write(sessions, partial(apply_reports, reports=reports))
    return noted


@handler(POLL_JOB, timeout=240)
def run_poll(context: JobContext, payload: dict[str, Any]) -> None:
    """The scheduled poll (every ten minutes); nothing to do where no city endpoint is set."""
    if _endpoint is not None:
        poll(context.sessions, _endpoint)


every(POLL_JOB, POLL_JOB, EveryMinutes(10))
