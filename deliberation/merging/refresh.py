"""Keeping a merge's analysis fresh: a job, enqueued at most once a minute per merge, recomputes it
from the votes and caches it on the merge row; a page view never computes it.

Every write that changes what the analysis reads (a vote, a statement, a moderation, an import) calls
``schedule_refresh``: the job's key names the merge and the minute, so the jobs table keeps one per
minute whatever the number of votes, and it runs at the minute's end, so the last vote of a burst is
always counted within a minute.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import clock, jobs
from core.db import Sessions, run_write
from deliberation.merging.analysis import merge_analysis
from deliberation.merging.models import Merge, Statement, StatementStatus, Vote
from deliberation.merging.snapshot import snapshot
from deliberation.merging.votes import VoteTable, vote_table

REFRESH_JOB = "merging.refresh"
WINDOW = 60  # seconds: at most one refresh per merge per window


def schedule_refresh(session: Session, consultation_id: int) -> jobs.Job:
    """Enqueue the refresh of this merge at the end of the current minute (once per minute by key)."""
    epoch = int(clock.now().timestamp())
    start = epoch - epoch % WINDOW
    return jobs.enqueue(
        session,
        REFRESH_JOB,
        {"consultation_id": consultation_id},
        key=f"{REFRESH_JOB}:{consultation_id}:{start}",
        run_at=datetime.fromtimestamp(start + WINDOW, tz=UTC),
    )


def counted(merge_requires_approval: bool) -> Any:
    """Which statements the analysis and the cards take: accepted, and awaiting review unless the
    merge shows statements only after approval. Rejected ones leave."""
    if merge_requires_approval:
        return Statement.status == StatementStatus.accepted
    return or_(Statement.status == StatementStatus.accepted, Statement.status == StatementStatus.pending)


def load_votes(session: Session, consultation_id: int) -> tuple[VoteTable, dict[str, str]]:
    """The merge's votes as a vote table, and each voter's recorded group.

    A voter is (participant, recorded group): someone whose group changed between votes counts in
    each group for the votes cast in it, as DESIGN.md asks of every count.
    """
    merge = session.get(Merge, consultation_id)
    approval = merge.require_approval if merge else False
    rows = session.execute(
        select(Vote.participant_id, Vote.group, Vote.statement_id, Vote.value)
        .join(Statement, Statement.id == Vote.statement_id)
        .where(Vote.consultation_id == consultation_id, counted(approval))
    ).all()
    voters = [f"{p}:{g.value if g else ''}" for p, g, _, _ in rows]
    groups = {voter: voter.split(":", 1)[1] for voter in set(voters) if not voter.endswith(":")}
    table = vote_table(voters, [str(s) for _, _, s, _ in rows], [v for _, _, _, v in rows])
    return table, groups


@dataclass(frozen=True)
class Refreshed:
    votes: int
    seconds: float


def refresh_analysis(sessions: Sessions, consultation_id: int) -> Refreshed:
    """Recompute the analysis outside any transaction and cache it; idempotent (a job may run twice)."""
    with sessions.read() as session:
        table, groups = load_votes(session, consultation_id)
    started = time.perf_counter()
    report = snapshot(merge_analysis(table, groups), table, groups)
    seconds = time.perf_counter() - started

    def store(session: Session) -> None:
        merge = session.get(Merge, consultation_id, with_for_update=True)
        if merge is None:
            return
        merge.report, merge.report_at = report, clock.now()
        merge.report_votes, merge.report_seconds = len(table), seconds

    run_write(sessions, store)
    return Refreshed(len(table), seconds)


def refresh_in(session: Session, consultation_id: int) -> Refreshed:
    """The same refresh inside the caller's transaction (the demo, the CLI): no job to wait for."""
    table, groups = load_votes(session, consultation_id)
    started = time.perf_counter()
    report = snapshot(merge_analysis(table, groups), table, groups)
    seconds = time.perf_counter() - started
    merge = session.get(Merge, consultation_id, with_for_update=True)
    if merge is not None:
        merge.report, merge.report_at = report, clock.now()
        merge.report_votes, merge.report_seconds = len(table), seconds
    return Refreshed(len(table), seconds)


@jobs.handler(REFRESH_JOB, timeout=300)
def _refresh(context: jobs.JobContext, payload: dict[str, Any]) -> None:
    refresh_analysis(context.sessions, int(payload["consultation_id"]))
