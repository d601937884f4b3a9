"""Exports for a team's leaders (导出): a shift's roster and the team's hours, as CSV or Excel (xlsx).

No ID numbers, ever: an export is a copy in bulk. Column headings and labels are msgids, put into the
reader's language by the ``translate`` the caller passes (``web`` passes its gettext). A cell that a
spreadsheet would read as a formula gets a leading apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from accounts.models import User
from core.errors import N_
from volunteers.checkin import shift_roster
from volunteers.hours import team_hours
from volunteers.notices import local_text

Translate = Callable[[str], str]
Cell = str | int | float
Table = tuple[list[str], list[list[Cell]]]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ROSTER_HEADINGS = (
    N_("Volunteer"),
    N_("Status"),
    N_("Place in line"),
    N_("Signed up at"),
    N_("Checked in"),
    N_("Checked out"),
)
HOURS_HEADINGS = (
    N_("Volunteer"),
    N_("Date"),
    N_("Activity"),
    N_("Kind"),
    N_("Hours"),
    N_("Note"),
    N_("Verified"),
)
YES, NO = N_("Yes"), N_("No")


def _same(text: str) -> str:
    return text


def _time(moment: datetime | None) -> str:
    return local_text(moment) if moment else ""


def roster_table(
    session: Session, actor: User | None, *, shift_id: int, translate: Translate = _same
) -> Table:
    """A shift's roster as headings and rows, in line order. The shift's leaders."""
    rows: list[list[Cell]] = [
        [
            r.name,
            translate(r.status.label),
            r.position or "",
            _time(r.created_at),
            _time(r.checked_in_at),
            _time(r.checked_out_at),
        ]
        for r in shift_roster(session, actor, shift_id=shift_id)
    ]
    return [translate(h) for h in ROSTER_HEADINGS], rows


def hours_table(session: Session, actor: User | None, *, team_id: int, translate: Translate = _same) -> Table:
    """A team's hours ledger as headings and rows. The team's leaders."""
    rows: list[list[Cell]] = [
        [
            line.name, line.served_on.isoformat(), line.activity, translate(line.kind.label),
            round(line.minutes / 60, 2), line.note, translate(YES if line.verified else NO),
        ]
        for line in team_hours(session, actor, team_id=team_id)
    ]  # fmt: skip
    return [translate(h) for h in HOURS_HEADINGS], rows


def _safe(value: Cell) -> Cell:
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    headings, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table, title: str) -> bytes:
    """One sheet named ``title`` (cut to Excel's 31 characters, without the characters it forbids)."""
    # imported here: openpyxl (and the numpy it pulls in) takes most of a second, which every web
    # process would otherwise pay at start for a download few people ask for
    from openpyxl import Workbook  # type: ignore[import-untyped]

    headings, rows = table
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(headings)
    for row in rows:
        sheet.append([_safe(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet")[:31]


def roster_csv(session: Session, actor: User | None, *, shift_id: int, translate: Translate = _same) -> bytes:
    """A shift's roster as CSV (导出名单)."""
    return to_csv(roster_table(session, actor, shift_id=shift_id, translate=translate))


def roster_xlsx(
    session: Session, actor: User | None, *, shift_id: int, translate: Translate = _same
) -> bytes:
    """A shift's roster as an Excel workbook."""
    return to_xlsx(
        roster_table(session, actor, shift_id=shift_id, translate=translate), translate(N_("Roster"))
    )


def hours_csv(session: Session, actor: User | None, *, team_id: int, translate: Translate = _same) -> bytes:
    """A team's hours as CSV (导出时长)."""
    return to_csv(hours_table(session, actor, team_id=team_id, translate=translate))


def hours_xlsx(session: Session, actor: User | None, *, team_id: int, translate: Translate = _same) -> bytes:
    """A team's hours as an Excel workbook."""
    return to_xlsx(hours_table(session, actor, team_id=team_id, translate=translate), translate(N_("Hours")))
