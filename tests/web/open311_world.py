"""Open311's part of the authorization matrix's world: a key, a case filed with it (and its token),
and a revoked key. API routes answer a city app, so every browser role gets the same answer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from grid import apikeys, open311
from tests.people import Cast


def build(session: Session, cast: Cast) -> dict[str, object]:
    """Ids for the Open311 rows: ``{open311_key}``, ``{open311_key_id}``, ``{open311_token}``, …"""
    key, secret = apikeys.issue_key(session, cast.admin, "城管通 App")
    session.flush()
    filed = open311.submit_request(
        session,
        key,
        open311.Submission(service_code="component-0103", address_string="柳岸小区3号楼", token="matrix-1"),
    )
    session.flush()
    return {
        "open311_key": secret,
        "open311_key_id": key.id,
        "open311_token": "matrix-1",
        "open311_case": filed.case.id,
    }
