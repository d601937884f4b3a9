"""A city app's retries racing each other file one case: four threads send the same Open311 POST at
once over a committed database (SQLite's write lock, or PostgreSQL's unique index and a re-read)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.db import Sessions, run_write
from grid import apikeys, open311
from grid.apikeys import ApiKey
from grid.models import Case, CaseSource
from tests.conftest import PG_URL, cheap_hasher, fresh_engine, make_settings
from tests.people import build_cast

pytestmark = pytest.mark.concurrency


@pytest.fixture
def keyed(tmp_path):
    with fresh_engine(make_settings(tmp_path, PG_URL or None, threads=4)) as engine:
        sessions = Sessions(engine)

        def setup(session):  # type: ignore[no-untyped-def]
            cast = build_cast(session, cheap_hasher())
            key, _ = apikeys.issue_key(session, cast.admin, "城管通 App")
            session.flush()
            return key.id

        yield sessions, run_write(sessions, setup)


@pytest.mark.parametrize("token", ["", "retry-7"], ids=["by content", "by idempotency key"])
def test_the_same_request_sent_four_times_at_once_opens_one_case(keyed, token):
    sessions, key_id = keyed
    start = threading.Barrier(4)
    outcomes: list[tuple[int, bool]] = []

    def send() -> None:
        submission = open311.Submission(
            service_code="component-0103", address_string="柳岸小区3号楼", description="井盖松动", token=token
        )
        start.wait()

        def work(session):  # type: ignore[no-untyped-def]
            filed = open311.submit_request(session, session.get(ApiKey, key_id), submission)
            return filed.case.id, filed.repeated

        outcomes.append(run_write(sessions, work))

    senders = [threading.Thread(target=send) for _ in range(4)]
    for t in senders:
        t.start()
    for t in senders:
        t.join(timeout=60)
    assert len(outcomes) == 4 and len({case_id for case_id, _ in outcomes}) == 1
    assert sorted(repeated for _, repeated in outcomes) == [False, True, True, True]
    with sessions.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Case).where(Case.source == CaseSource.open311))
            == 1
        )
