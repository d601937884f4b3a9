"""Volunteer teams and shifts (志愿活动) as search documents. Both are public; a shift's places left
and whether it was cancelled are read live, so a sign-up never touches the index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.errors import N_
from search.registry import Document, Live, Searchable, Watch
from volunteers.models import Shift, ShiftStatus, Team, TeamCell
from volunteers.shifts import shift_summaries


def team_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    cells: dict[int, list[str]] = defaultdict(list)
    for team_id, code in session.execute(
        select(TeamCell.team_id, TeamCell.cell_code).where(TeamCell.team_id.in_(ids))
    ):
        cells[team_id].append(code)
    rows = session.execute(
        select(Team.id, Team.name, Team.description, Team.organisation, Team.created_at).where(
            Team.id.in_(ids)
        )
    )
    return {
        row.id: Document(
            title=row.name,
            body=f"{row.description}\n{row.organisation}",
            updated_at=row.created_at,
            cells=tuple(sorted(cells[row.id])),
        )
        for row in rows
    }


def team_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    rows = session.execute(select(Team.id, Team.name, Team.organisation).where(Team.id.in_(ids)))
    return {
        row.id: Live(
            title=row.name,
            link_kind="team",
            link_id=row.id,
            state=N_("Volunteer team"),
            context=row.organisation,
        )
        for row in rows
    }


def team_ids(session: Session) -> Iterable[int]:
    return session.scalars(select(Team.id).order_by(Team.id))


def shift_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    rows = session.execute(
        select(Shift.id, Shift.title, Shift.description, Shift.place, Shift.cell_code, Shift.starts_at).where(
            Shift.id.in_(ids)
        )
    )
    return {
        row.id: Document(
            title=row.title,
            body=f"{row.description}\n{row.place}",
            updated_at=row.starts_at,  # recency counts from the day it happens: upcoming shifts first
            cells=(row.cell_code,) if row.cell_code else (),
        )
        for row in rows
    }


def shift_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    """Places left now, from the shift's own counter (the one sign-ups change under its lock)."""
    now = clock.now()
    return {
        shift_id: Live(
            title=row.title,
            link_kind="shift",
            link_id=shift_id,
            state=_shift_state(row.status, row.free, row.ends_at <= now),
            state_params={"n": row.free},
            context=row.team_name,
            when=row.starts_at,
        )
        for shift_id, row in shift_summaries(session, list(ids)).items()
    }


def _shift_state(status: ShiftStatus, free: int, ended: bool) -> str:
    if status is ShiftStatus.cancelled:
        return N_("Cancelled")
    if ended:
        return N_("Ended")
    return N_("%(n)s places left") if free else N_("Full")


def shift_ids(session: Session) -> Iterable[int]:
    return session.scalars(select(Shift.id).order_by(Shift.id))


TEAMS = Searchable(
    kind="team",
    group="volunteering",
    watches=(
        Watch(Team, keys=lambda row: [row.id], tracked=("name", "description", "organisation")),
        Watch(TeamCell, keys=lambda row: [row.team_id], columns=("team_id",)),
    ),
    documents=team_documents,
    live=team_live,
    all_ids=team_ids,
)

SHIFTS = Searchable(
    kind="shift",
    group="volunteering",
    watches=(
        Watch(
            Shift,
            keys=lambda row: [row.id],
            # ``taken`` changes at every sign-up and is shown live: it never reindexes the shift
            tracked=("title", "description", "place", "cell_code", "starts_at"),
        ),
    ),
    documents=shift_documents,
    live=shift_live,
    all_ids=shift_ids,
)

SEARCHABLES = (TEAMS, SHIFTS)
