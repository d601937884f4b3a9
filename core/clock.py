"""The one clock: UTC everywhere in storage; Asia/Shanghai only when shown or scheduling by local time.

Tests move time by patching ``core.clock.now`` (the process boundary the house style allows to mock).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` as wall-clock time in Asia/Shanghai (for display)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def from_local(wall_clock: datetime) -> datetime:
    """A wall-clock time people typed (in Asia/Shanghai) as an aware UTC moment, for storage."""
    if wall_clock.tzinfo is None:
        wall_clock = wall_clock.replace(tzinfo=LOCAL_TZ)
    return wall_clock.astimezone(UTC)
