"""What a feature declares to make its objects searchable: one ``Searchable`` per kind of document.

A declaration says the kind, the filter group it is listed under, which model changes touch which
documents (``Watch``), how to read documents in bulk (``documents``: what is left out is never
indexed, or is removed), who may see them and how they look now (``live``: at result time, from the
database). ``web.features`` collects every feature's ``searchables`` and calls ``install`` once per
process (``web.wiring.setup``), so the change feed knows which tables to follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from core.errors import N_

# The four groups a resident filters by; a kind belongs to one.
GROUPS: dict[str, str] = {
    "discussion": N_("Discussions"),  # 讨论
    "consultation": N_("Consultation issues"),  # 议题
    "case": N_("Cases"),  # 案件
    "volunteering": N_("Volunteering"),  # 志愿活动
}


@dataclass(frozen=True)
class Document:
    """What the index stores about one object: text to find it by, and what filters and ranks it."""

    title: str
    body: str
    updated_at: datetime
    cells: tuple[str, ...] = ()  # the grid cells (15-digit codes) it concerns, for the cell filter


@dataclass(frozen=True)
class Live:
    """How a result shows now, read from the database: never the index's stored copy."""

    title: str
    link_kind: str  # a notification target kind: ``web`` turns kind + id into a page (web.features.Links)
    link_id: int | str
    state: str = ""  # a msgid: a consultation's stage, a case's status
    state_params: Mapping[str, Any] = field(default_factory=dict)
    context: str = ""  # plain text shown beside the title: the board, the team
    when: datetime | None = None  # a time worth showing: a shift's start, a thread's last reply


@dataclass(frozen=True)
class Watch:
    """Changes to ``model`` touch the documents ``keys(row)`` names; ``columns`` are what ``keys``
    reads (selected for bulk statements) and ``tracked`` the attributes whose change matters (all
    when empty): a shift's ``taken`` changes at every sign-up and is shown live, never indexed."""

    model: type[Any]
    keys: Callable[[Any], Iterable[int]]
    columns: Sequence[str] = ("id",)
    tracked: Sequence[str] = ()


DocumentReader = Callable[[Session, Sequence[int]], Mapping[int, Document]]
LiveReader = Callable[[Session, User | None, Sequence[int]], Mapping[int, Live]]
IdReader = Callable[[Session], Iterable[int]]


@dataclass(frozen=True)
class Searchable:
    """One kind of searchable object. ``documents`` decides what becomes searchable (hidden, private
    and draft objects are left out); ``live`` leaves out what ``actor`` may not open."""

    kind: str
    group: str
    watches: Sequence[Watch]
    documents: DocumentReader
    live: LiveReader
    all_ids: IdReader

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"searchable {self.kind!r}: unknown group {self.group!r}")


KINDS: dict[str, Searchable] = {}


def install(searchables: Iterable[Searchable]) -> None:
    """Make these the searchable kinds of this process (idempotent; ``web.wiring.setup`` calls it)."""
    for searchable in searchables:
        known = KINDS.get(searchable.kind)
        if known is not None and known is not searchable:
            raise ValueError(f"searchable kind {searchable.kind!r} is declared twice")
        KINDS[searchable.kind] = searchable


def watches_of(model: type[Any]) -> list[tuple[Searchable, Watch]]:
    return [(s, w) for s in KINDS.values() for w in s.watches if w.model is model]


def groups_in_use() -> dict[str, str]:
    """The groups some installed kind belongs to, in ``GROUPS`` order (案件 appears with the cases)."""
    used = {s.group for s in KINDS.values()}
    return {group: label for group, label in GROUPS.items() if group in used}
