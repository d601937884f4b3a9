"""``gongzhi demo --scale city``: a city-sized data set on top of the demo, for the load, page and search
benches (issue #26): 50,000 residents, 2,000 threads with 100,000 posts, 200 consultations, merges
with 1,000,000 votes, 5,000 volunteer shifts and 20,000 grid cases, times ``fraction``.

What is few goes through the services (consultations, statements, teams, weekly shift series); what is
many is written in bulk (Core ``insert()`` with executemany) the way the services leave it: the
counters a list reads (posts per thread, threads per board, last activity, places taken), each vote's
recorded group, case numbers from the year's counter and every step of a case's history. The bulk
rows do not write the notifications and audit rows the services would (nobody reads 100,000 "new
reply" notes on a page; they would only make the tables larger). Merge analyses are computed once and
cached, and the search index is rebuilt at the end, as ``gongzhi reindex`` does. Random choices come
from one seeded generator, so two builds of one fraction hold the same data.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from core.db import Base, Sessions
from core.settings import Settings

SEED = 26
BATCH = 5_000  # rows per executemany: big enough to be quick, small enough to keep memory flat

# the full city; a fraction scales every count (at least one of each)
RESIDENTS, THREADS, POSTS, CONSULTATIONS = 50_000, 2_000, 100_000, 200
MERGES, MERGE_VOTES, STATEMENTS_PER_MERGE = 10, 1_000_000, 25
SHIFTS, WEEKS_PER_SERIES, TEAMS, CASES = 5_000, 10, 20, 20_000

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Scale:
    """How many of each thing a city of ``fraction`` holds."""

    fraction: float

    def of(self, full: int) -> int:
        return max(1, round(full * self.fraction))

    @property
    def residents(self) -> int:
        return self.of(RESIDENTS)

    @property
    def threads(self) -> int:
        return self.of(THREADS)

    @property
    def posts(self) -> int:
        return max(self.of(POSTS), self.threads)  # every thread has its opening post

    @property
    def consultations(self) -> int:
        return min(self.of(CONSULTATIONS), self.threads)  # each is raised from a thread of its own

    @property
    def merges(self) -> int:
        return min(self.of(MERGES), self.consultations)

    @property
    def merge_votes(self) -> int:
        return self.of(MERGE_VOTES)

    @property
    def series(self) -> int:
        return math.ceil(self.of(SHIFTS) / WEEKS_PER_SERIES)

    @property
    def teams(self) -> int:
        return min(self.of(TEAMS), self.series)

    @property
    def cases(self) -> int:
        return self.of(CASES)


@dataclass
class CityContext:
    """What every part gets: the sessions, the scale, the shared hash, one seeded generator, and the
    ids earlier parts made (the residents, the threads) that later parts pick from."""

    sessions: Sessions
    scale: Scale
    password_hash: str
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    residents: list[int] = field(default_factory=list)  # user ids
    groups: dict[int, Any] = field(default_factory=dict)  # user id -> StakeholderGroup
    homes: dict[int, int] = field(default_factory=dict)  # user id -> home cell id
    threads: list[int] = field(default_factory=list)
    merges: list[int] = field(default_factory=list)  # consultation ids


@dataclass(frozen=True)
class Part:
    name: str
    added: dict[str, int]
    seconds: float


def table(model: type[Base]) -> Table:
    return model.__table__  # type: ignore[return-value]


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_insert(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows given by column name in batches of executemany (Core: no ORM events, no flush)."""
    written = 0
    for batch in batches(rows):
        session.connection().execute(insert(table(model)), batch)
        written += len(batch)
    return written


def bulk_insert_ids(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in the order given (RETURNING, sorted by parameter)."""
    ids: list[int] = []
    statement = insert(table(model)).returning(table(model).c.id, sort_by_parameter_order=True)
    for batch in batches(rows):
        ids.extend(session.connection().execute(statement, batch).scalars())
    return ids


def build(
    settings: Settings, sessions: Sessions, password_hash: str, fraction: float, echo: Echo
) -> list[Part]:
    """Build the city of ``fraction`` on a database that holds the demo; the parts and their times.

    A database that holds a city already is left as it is (an empty list): the city is built once.
    """
    from web import wiring
    from web.demo.city import cases, consultations, forums, merging, people, search, volunteers

    wiring.setup()  # every searchable kind, for the index at the end (idempotent)
    if people.built(sessions):
        echo("city data: already built, nothing added")
        return []
    context = CityContext(sessions, Scale(fraction), password_hash)
    steps: list[tuple[str, Callable[[CityContext], dict[str, int]]]] = [
        ("residents", people.load),
        ("forums", forums.load),
        ("consultations", consultations.load),
        ("merges", merging.load),
        ("merge analyses", merging.analyse),
        ("volunteers", volunteers.load),
        ("cases", cases.load),
        ("search index", lambda ctx: search.load(ctx, settings)),
    ]
    done = []
    for name, step in steps:
        echo(f"city: {name} …")
        started = time.perf_counter()
        added = step(context)
        part = Part(name, added, time.perf_counter() - started)
        echo(f"city: {name}: {summary(part.added)} in {part.seconds:.1f} s")
        done.append(part)
    return done


def summary(added: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {noun}" for noun, n in added.items())
