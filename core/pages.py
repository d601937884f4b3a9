"""One page of a long list: offset/limit paging with the total, computed in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """``items`` of page ``number`` (from 1), ``per_page`` at most, out of ``total``."""

    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def clamp(number: int | None) -> int:
    """A page number from user input: 1 for anything missing or below 1."""
    return max(1, number or 1)


def paginate(
    session: Session,
    statement: Select[*tuple[Any, ...]],
    *,
    page: int,
    per_page: int,
    rows: bool = False,
) -> Page[Any]:
    """Run ``statement`` for page ``page``: ORM objects by default, ``rows=True`` for column rows."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    number = clamp(page)
    bounded = statement.offset((number - 1) * per_page).limit(per_page)
    items = list(session.execute(bounded).all() if rows else session.scalars(bounded).all())
    return Page(items, number, per_page, total)
