"""The follow-up reminder (回访提醒): on the morning of a closed case's follow-up day, its mediator is
asked to check back how things stand. The job is written when the case closes, in the same
transaction; run twice (a worker died after sending), it tells the mediator once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.notifications import notify
from core import clock
from core.db import run_write
from core.jobs import JobContext, handler
from deliberation.mediation.disputes import FOLLOW_UP_JOB
from deliberation.mediation.lifecycle import TARGET, WORK_NOTICE
from deliberation.mediation.models import Dispute, DisputeStatus


def remind_follow_up(session: Session, dispute_id: int) -> bool:
    """Tell the mediator a follow-up is due, once per case; False when there is nothing to do."""
    dispute = session.scalar(select(Dispute).where(Dispute.id == dispute_id).with_for_update())
    if dispute is None or dispute.status is not DisputeStatus.closed or dispute.mediator_id is None:
        return False
    if dispute.follow_up_reminded_at is not None:
        return False
    dispute.follow_up_reminded_at = clock.now()
    notify(session, [dispute.mediator_id], WORK_NOTICE, TARGET, dispute.id)
    return True


@handler(FOLLOW_UP_JOB, timeout=30)
def run_follow_up(context: JobContext, payload: dict[str, Any]) -> None:
    run_write(context.sessions, lambda session: remind_follow_up(session, int(payload["dispute_id"])))
