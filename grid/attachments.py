"""A cell's documents and photos (网格资料): its duty sheet, patrol map, a photo of its boundary.

Public like the cell itself; only admins add or remove them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_admin, require_admin
from core import audit, files
from core.errors import NotFound, PermissionDenied
from grid.cells import get_cell

OWNER_KIND = "grid_cell"


def _anyone(session: Session, actor: Any, owner_id: str) -> bool:
    return True  # cells and their documents are public, like the cell page


files.register_owner(OWNER_KIND, _anyone)


def attach_file(
    session: Session,
    actor: User | None,
    upload_dir: Path,
    *,
    cell_code: str,
    upload: BinaryIO,
    name: str,
    max_bytes: int,
) -> files.StoredFile:
    """Add a document or photo to a cell (admins). ``Invalid`` for a refused file, and nothing is kept."""
    admin = require_admin(actor)
    cell = get_cell(session, cell_code)
    stored = files.store(
        session,
        upload_dir,
        upload,
        name=name,
        owner_kind=OWNER_KIND,
        owner_id=cell.code,
        uploaded_by_id=admin.id,
        max_bytes=max_bytes,
    )
    audit.record(
        session,
        admin,
        "grid_cell.attach",
        OWNER_KIND,
        cell.code,
        file=stored.original_name,
        type=stored.content_type,
    )
    return stored


def can_manage_cell_files(actor: User | None) -> bool:
    """Whether ``actor`` may add or remove cell documents (templates hide buttons with it)."""
    return is_admin(actor)


def access_cell_file(session: Session, actor: User | None, file_id: int) -> files.StoredFile:
    """A cell's document that ``actor`` may manage: ``NotFound`` when there is no such document (cell
    documents are public, so nothing is hidden by the 404), ``PermissionDenied`` for anyone but admins."""
    stored = session.get(files.StoredFile, file_id)
    if stored is None or stored.owner_kind != OWNER_KIND:
        raise NotFound()
    if not can_manage_cell_files(actor):
        raise PermissionDenied()
    return stored


def detach_file(session: Session, actor: User | None, file_id: int) -> str:
    """Remove a cell's document (admins); returns the cell's code."""
    stored = access_cell_file(session, actor, file_id)
    audit.record(session, actor, "grid_cell.detach", OWNER_KIND, stored.owner_id, file=stored.original_name)
    files.remove(session, stored)
    return stored.owner_id


def cell_files(session: Session, cell_code: str) -> list[files.FileSummary]:
    """A cell's documents and photos as its page lists them."""
    return files.file_summaries(session, OWNER_KIND, cell_code)
