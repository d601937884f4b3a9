"""At 核查, the people who raised or agreed on an issue say whether it is really solved, with photos;
the checker sees their answers beside the official check. One answer per person per check, which they
may change until the check is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock, files
from core.db import rows_as
from core.errors import N_, Conflict, FieldErrors, PermissionDenied
from grid import access, cases
from grid.models import Case, CaseState, Confirmation

NOTE_MAX, PHOTOS_MAX = 1000, 4
PHOTOS = "grid_case_confirmation"


def _viewable(session: Session, actor: object, owner_id: str) -> bool:
    answer = session.get(Confirmation, int(owner_id)) if owner_id.isdecimal() else None
    case = session.get(Case, answer.case_id) if answer else None
    return case is not None and access.can_view(session, actor if isinstance(actor, User) else None, case)


files.register_owner(PHOTOS, _viewable)


def may_answer(state: CaseState, following: bool) -> bool:
    """Followers answer while the case waits for its check (the page knows already whether one follows)."""
    return state is CaseState.handled and following


def answer(
    session: Session,
    actor: User | None,
    case_id: int,
    *,
    solved: bool | None,
    note: str,
    photos: list[files.Upload] | None = None,
    upload_dir: Path | None = None,
    max_photo_bytes: int = 10 * 1024 * 1024,
) -> Confirmation:
    """Say whether the problem is solved; a later answer in the same check replaces the earlier one's
    words and adds its photos to those given before."""
    case = access.access_to_view(session, actor, case_id)
    if not cases.is_following(session, actor, case.id):
        raise PermissionDenied()
    assert actor is not None
    if case.state is not CaseState.handled:
        raise Conflict(N_("This case is not waiting for its check any more."))
    errors = FieldErrors()
    if solved is None:
        errors.add("solved", N_("Say whether the problem is solved."))
    if len(note.strip()) > NOTE_MAX:
        errors.add("note", N_("At most %(max)s characters."), max=NOTE_MAX)
    prepared = files.prepare_photos(errors, photos or [], upload_dir, max_photo_bytes, limit=PHOTOS_MAX)
    errors.raise_if_any()
    given = session.scalar(
        select(Confirmation).where(
            Confirmation.case_id == case.id,
            Confirmation.round == case.verify_round,
            Confirmation.user_id == actor.id,
        )
    )
    if given is None:
        given = Confirmation(case_id=case.id, round=case.verify_round, user_id=actor.id)
        session.add(given)
    given.solved, given.note, given.at = bool(solved), note.strip(), clock.now()
    session.flush()
    files.keep_all(
        session, upload_dir, prepared, owner_kind=PHOTOS, owner_id=given.id, uploaded_by_id=actor.id
    )
    return given


@dataclass(frozen=True)
class AnswerRow:
    id: int
    user_id: int
    display_name: str
    solved: bool
    note: str
    at: datetime


ANSWERS = (
    select(
        Confirmation.id,
        Confirmation.user_id,
        User.display_name,
        Confirmation.solved,
        Confirmation.note,
        Confirmation.at,
    )
    .join(User, User.id == Confirmation.user_id)
    .where(Confirmation.case_id == bindparam("case_id"), Confirmation.round == bindparam("round"))
    .order_by(Confirmation.id)
)


def answers(session: Session, case_id: int, round_: int) -> list[AnswerRow]:
    """This check's answers, oldest first."""
    return rows_as(AnswerRow, session.execute(ANSWERS, {"case_id": case_id, "round": round_}))


def answer_photos(session: Session, found: list[AnswerRow]) -> dict[str, list[files.FileSummary]]:
    return files.summaries_for(session, PHOTOS, [a.id for a in found])
