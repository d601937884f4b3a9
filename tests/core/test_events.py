from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core import audit, events
from core.audit import AuditEntry


@dataclass(frozen=True)
class CaseClosed:
    case_id: int


def record_timeline(session, event):
    audit.record(session, None, "timeline.case_closed", "case", event.case_id)


@pytest.fixture
def subscribed():
    events.subscribe(CaseClosed, record_timeline)
    events.subscribe(CaseClosed, record_timeline)  # twice: still called once
    yield
    events.unsubscribe(CaseClosed, record_timeline)


def timeline_rows(session):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == "timeline.case_closed")).all()


def test_a_subscriber_writes_in_the_publishers_transaction(session, subscribed):
    events.publish(session, CaseClosed(7))
    assert [row.target_id for row in timeline_rows(session)] == ["7"]


def test_a_subscribers_write_rolls_back_with_its_cause(sessions, subscribed):
    with sessions.write() as session:
        audit.record(session, None, "case.close", "case", 8)  # the cause
        events.publish(session, CaseClosed(8))
        session.rollback()
    with sessions.read() as session:
        assert timeline_rows(session) == []
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "case.close")).all() == []


def test_on_commit_runs_after_commit_and_never_after_rollback(sessions):
    woke = []
    with sessions.write() as session:
        events.on_commit(session, lambda: woke.append("rolled back"))
        audit.record(session, None, "x", "y", 1)
        session.rollback()
    with sessions.write() as session:
        events.on_commit(session, lambda: woke.append("committed"))
        audit.record(session, None, "x", "y", 2)
        assert woke == []  # not before the commit
        session.commit()
    assert woke == ["committed"]


def test_events_without_subscribers_are_fine(session):
    events.publish(session, CaseClosed(9))
