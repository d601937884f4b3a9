"""Who took part in a consultation (its thread's authors; later its merge's voters) and who follows it."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts.models import StakeholderGroup, User
from core import clock
from deliberation.consultations.models import Consultation, Follower
from deliberation.forums.models import Post
from deliberation.forums.threads import participants as thread_participants


class WithThread(Protocol):
    @property
    def thread_id(self) -> int | None: ...


def people_to_tell(session: Session, consultation: Consultation) -> set[int]:
    """Everyone told when the consultation moves: its convener, its followers, who spoke in its thread."""
    people = {consultation.convener_id}
    people |= set(
        session.scalars(select(Follower.user_id).where(Follower.consultation_id == consultation.id))
    )
    if consultation.thread_id is not None:
        people |= set(
            session.scalars(select(Post.author_id).where(Post.thread_id == consultation.thread_id).distinct())
        )
    return people


def by_group(session: Session, consultation: WithThread) -> dict[StakeholderGroup, int]:
    """How many from each stakeholder group took part, by the group each had when taking part."""
    if consultation.thread_id is None:
        return {group: 0 for group in StakeholderGroup}
    return thread_participants(session, consultation.thread_id)


def is_following(session: Session, user: User | None, consultation_id: int) -> bool:
    return user is not None and session.get(Follower, (consultation_id, user.id)) is not None


def follow(session: Session, user: User, consultation_id: int, on: bool) -> None:
    """Follow a consultation (or stop): told at each step."""
    if on and not is_following(session, user, consultation_id):
        session.add(Follower(consultation_id=consultation_id, user_id=user.id, since=clock.now()))
    elif not on:
        session.execute(
            delete(Follower).where(Follower.consultation_id == consultation_id, Follower.user_id == user.id)
        )
