"""Consultations as pages show them: the filtered list, one consultation's page, its timeline, and the
open ones near a viewer for the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from accounts.models import User
from core.db import rows_as
from core.errors import NotFound
from core.pages import Page, paginate
from deliberation.consultations.models import Consultation, Follower, ResolutionVote, ScopeKind, State, Step
from deliberation.forums.models import Post
from grid.models import GridCell

OPEN = (State.collecting, State.deliberating)


@dataclass(frozen=True)
class ConsultationRow:
    id: int
    title: str
    question: str
    state: State
    scope_kind: ScopeKind
    cell_code: str | None
    street: str
    community: str
    cell_name: str
    convener_name: str
    convener_username: str
    input_deadline: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class ConsultationView(ConsultationRow):
    background_html: str
    convener_id: int
    thread_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class StepView:
    action: str
    from_state: State | None
    to_state: State | None
    actor_name: str | None
    note: str
    at: datetime


ROW_COLUMNS = (
    Consultation.id,
    Consultation.title,
    Consultation.question,
    Consultation.state,
    Consultation.scope_kind,
    Consultation.cell_code,
    Consultation.street,
    Consultation.community,
    func.coalesce(GridCell.name, ""),
    func.coalesce(func.nullif(User.display_name, ""), User.username),
    User.username,
    Consultation.input_deadline,
    Consultation.updated_at,
)
BASE = (
    select(*ROW_COLUMNS)
    .join(User, User.id == Consultation.convener_id)
    .outerjoin(GridCell, GridCell.code == Consultation.cell_code)
)
ONE = (
    select(
        *ROW_COLUMNS,
        Consultation.background_html,
        Consultation.convener_id,
        Consultation.thread_id,
        Consultation.created_at,
    )
    .join(User, User.id == Consultation.convener_id)
    .outerjoin(GridCell, GridCell.code == Consultation.cell_code)
    .where(Consultation.id == bindparam("id"))
)
actor = aliased(User)
TIMELINE = (
    select(
        Step.action, Step.from_state, Step.to_state, actor.display_name, Step.note, Step.at, actor.username
    )
    .outerjoin(actor, actor.id == Step.actor_id)
    .where(Step.consultation_id == bindparam("id"))
    .order_by(Step.at, Step.id)
)


def list_consultations(
    session: Session,
    *,
    state: State | None = None,
    cell_code: str = "",
    community: str = "",
    since: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[ConsultationRow]:
    """Consultations, newest move first, filtered by state, scope (a cell or a community) and time."""
    statement: Select = BASE  # type: ignore[type-arg]
    if state is not None:
        statement = statement.where(Consultation.state == state)
    if cell_code:
        statement = statement.where(Consultation.cell_code == cell_code)
    if community:
        street, _, name = community.partition("/")
        statement = statement.where(Consultation.street == street, Consultation.community == name)
    if since is not None:
        statement = statement.where(Consultation.updated_at >= since)
    statement = statement.where(Consultation.state != State.draft).order_by(Consultation.updated_at.desc())
    found = paginate(session, statement, page=page, per_page=per_page, rows=True)
    return Page(rows_as(ConsultationRow, found.items), found.number, found.per_page, found.total)


def drafts_of(session: Session, convener_id: int) -> list[ConsultationRow]:
    """A convener's own drafts (not public until opened)."""
    mine = BASE.where(Consultation.state == State.draft, Consultation.convener_id == convener_id)
    return rows_as(ConsultationRow, session.execute(mine.order_by(Consultation.updated_at.desc())))


def consultation_view(session: Session, consultation_id: int) -> ConsultationView:
    found = rows_as(ConsultationView, session.execute(ONE, {"id": consultation_id}))
    if not found:
        raise NotFound()
    return found[0]


def timeline(session: Session, consultation_id: int) -> list[StepView]:
    """Every step, oldest first: the public record of who moved it, when, and why."""
    return [
        StepView(action, source, target, (name or username) if username else None, note, at)
        for action, source, target, name, note, at, username in session.execute(
            TIMELINE, {"id": consultation_id}
        )
    ]


def open_near(
    session: Session, cell_code: str | None, community: tuple[str, str] | None, limit: int = 5
) -> list[ConsultationRow]:
    """Consultations open now, the viewer's own cell first, then their community, then the city (home)."""
    nearness = case(
        (Consultation.cell_code == (cell_code or ""), 0),
        (
            (Consultation.street == (community[0] if community else ""))
            & (Consultation.community == (community[1] if community else "")),
            1,
        ),
        else_=2,
    )
    statement = (
        BASE.where(Consultation.state.in_(OPEN))
        .order_by(nearness, Consultation.updated_at.desc())
        .limit(limit)
    )
    return rows_as(ConsultationRow, session.execute(statement))


def for_threads(session: Session, thread_ids: list[int]) -> dict[int | None, ConsultationRow]:
    """The consultations some threads became (drafts aside), by thread id, in one query."""
    if not thread_ids:
        return {}
    statement = select(Consultation.thread_id, *ROW_COLUMNS).join(User, User.id == Consultation.convener_id)
    statement = statement.outerjoin(GridCell, GridCell.code == Consultation.cell_code)
    statement = statement.where(Consultation.thread_id.in_(thread_ids), Consultation.state != State.draft)
    found = session.execute(statement).all()
    return dict(zip((r[0] for r in found), rows_as(ConsultationRow, (r[1:] for r in found)), strict=True))


def taken_part_in(session: Session, user_id: int, *, limit: int = 20) -> list[ConsultationRow]:
    """The consultations a person convened, follows, spoke in or voted on (no drafts), latest move first."""
    spoke = select(Post.thread_id).where(Post.author_id == user_id)
    statement = BASE.where(
        Consultation.state != State.draft,
        or_(
            Consultation.convener_id == user_id,
            Consultation.id.in_(select(Follower.consultation_id).where(Follower.user_id == user_id)),
            Consultation.id.in_(
                select(ResolutionVote.consultation_id).where(ResolutionVote.member_id == user_id)
            ),
            Consultation.thread_id.in_(spoke),
        ),
    )
    return rows_as(
        ConsultationRow, session.execute(statement.order_by(Consultation.updated_at.desc()).limit(limit))
    )
