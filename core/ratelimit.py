"""Database-backed rate limits: fixed windows counted in a table, so every process and host agrees.

Each hit runs in its own short write transaction *outside* the request's: a refused request rolls
its own transaction back, and the hit must still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import clock
from core.db import Base, Sessions, rowcount, run_write
from core.errors import N_, RateLimited


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    count: Mapped[int] = mapped_column(default=0)


MAX_LIMIT = 100_000
MAX_WINDOW = 7 * 24 * 3600


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` hits per ``window`` seconds. Parsed from site settings as ``"limit/window"``."""

    limit: int
    window: int

    @classmethod
    def parse(cls, text: str) -> Rule:
        """``"30/300"``; ``ValueError`` unless 1 ≤ limit ≤ 100,000 and 1 s ≤ window ≤ a week.

        The bounds keep a typo (``99999999999999999999/9999...``) from being stored and then breaking
        every login that reads it (the window feeds date arithmetic).
        """
        limit, _, window = text.strip().partition("/")
        if not (limit.isdecimal() and window.isdecimal() and len(limit) <= 6 and len(window) <= 7):
            raise ValueError(text)
        rule = cls(int(limit), int(window))
        if not (1 <= rule.limit <= MAX_LIMIT and 1 <= rule.window <= MAX_WINDOW):
            raise ValueError(text)
        return rule

    def __str__(self) -> str:
        return f"{self.limit}/{self.window}"


def _window_start(moment: datetime, window: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window, tz=moment.tzinfo)


def count_hit(session: Session, key: str, rule: Rule) -> tuple[int, datetime]:
    """Add one hit for ``key`` in the current window; return the new count and when the window ends."""
    now = clock.now()
    start = _window_start(now, rule.window)
    expires = start + timedelta(seconds=rule.window)
    values = {"key": key, "window_start": start, "expires_at": expires, "count": 1}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = (
        insert(RateLimitHit)
        .values(**values)
        .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": RateLimitHit.count + 1})
        .returning(RateLimitHit.count)
    )
    count: int = session.execute(upsert).scalar_one()  # ended windows are pruned daily (core.housekeeping)
    return count, expires


def hit(sessions: Sessions, keys: list[tuple[str, Rule]]) -> None:
    """Count one hit on every key; raise ``RateLimited`` with the longest wait if any is over its rule."""

    def work(session: Session) -> list[tuple[int, datetime, Rule]]:
        return [(*count_hit(session, key, rule), rule) for key, rule in keys]

    results = run_write(sessions, work)
    now = clock.now()
    waits = [(ends - now).total_seconds() for count, ends, rule in results if count > rule.limit]
    if waits:
        raise RateLimited(
            int(max(waits)) + 1,
            N_("Too many requests. Try again in %(seconds)s seconds."),
            seconds=int(max(waits)) + 1,
        )


def current_count(session: Session, key: str, rule: Rule) -> int:
    """How many hits ``key`` has in the current window (admin pages, tests)."""
    start = _window_start(clock.now(), rule.window)
    found = session.scalar(
        select(RateLimitHit.count).where(RateLimitHit.key == key, RateLimitHit.window_start == start)
    )
    return found or 0


def prune(session: Session) -> int:
    """Delete windows that have ended; returns how many rows went."""
    return rowcount(session.execute(delete(RateLimitHit).where(RateLimitHit.expires_at < clock.now())))
