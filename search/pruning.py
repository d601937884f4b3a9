"""The daily job that forgets change-feed rows older than a week (any index further behind rebuilds)."""

from __future__ import annotations

from typing import Any

from core.db import run_write
from core.jobs import JobContext, handler
from core.schedules import DailyAt, every
from search import feed


@handler("search.prune_feed", timeout=120)
def prune_feed(context: JobContext, payload: dict[str, Any]) -> None:
    """Delete feed rows past ``feed.KEEP``. Idempotent: a second run finds nothing to delete."""
    run_write(context.sessions, feed.prune)


every("search.prune_feed", "search.prune_feed", DailyAt(3, 50))
