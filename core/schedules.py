"""Periodic jobs declared in code, with cadences in Asia/Shanghai time.

Every worker calls ``enqueue_due`` now and then. Each schedule's *current* period becomes one job
with the key ``schedule:<name>:<period start>``, so however many workers tick, a period runs once; and
after downtime only the latest missed period runs, once (a job that needs every period, like the
monthly grid assessment, catches up the months it lacks itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from core import clock, jobs


class Cadence(Protocol):
    def period_start(self, local_now: datetime) -> datetime:
        """The start of the period ``local_now`` falls in (a local, aware datetime)."""


@dataclass(frozen=True)
class EveryMinutes:
    minutes: int

    def period_start(self, local_now: datetime) -> datetime:
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = int((local_now - midnight).total_seconds() // 60)
        return midnight + timedelta(minutes=elapsed - elapsed % self.minutes)


@dataclass(frozen=True)
class DailyAt:
    hour: int
    minute: int = 0

    def period_start(self, local_now: datetime) -> datetime:
        today = local_now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return today if local_now >= today else today - timedelta(days=1)


@dataclass(frozen=True)
class MonthlyOn:
    day: int  # 1 to 28, so every month has it
    hour: int = 0
    minute: int = 0

    def period_start(self, local_now: datetime) -> datetime:
        this_month = local_now.replace(
            day=self.day, hour=self.hour, minute=self.minute, second=0, microsecond=0
        )
        if local_now >= this_month:
            return this_month
        previous = (local_now.replace(day=1) - timedelta(days=1)).replace(day=self.day)
        return previous.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)


@dataclass(frozen=True)
class Schedule:
    name: str
    kind: str
    cadence: Cadence
    payload: dict[str, Any] = field(default_factory=dict)


SCHEDULES: dict[str, Schedule] = {}


def every(name: str, kind: str, cadence: Cadence, payload: dict[str, Any] | None = None) -> Schedule:
    """Declare a periodic job (at import time, once per name)."""
    schedule = Schedule(name, kind, cadence, payload or {})
    SCHEDULES[name] = schedule
    return schedule


def enqueue_due(session: Session, now: datetime | None = None) -> list[jobs.Job]:
    """Enqueue the current period of every schedule (once per period, whoever calls it first)."""
    local_now = clock.local(now or clock.now())
    enqueued = []
    for schedule in SCHEDULES.values():
        start = schedule.cadence.period_start(local_now)
        enqueued.append(
            jobs.enqueue(
                session,
                schedule.kind,
                schedule.payload | {"period": start.isoformat()},
                key=f"schedule:{schedule.name}:{start.isoformat()}",
                run_at=start.astimezone(UTC),
            )
        )
    return enqueued
