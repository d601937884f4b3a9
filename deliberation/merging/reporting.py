"""The report (四意合一报告) as the page and the CSV show it: the cached analysis joined with the
statements' text, read in two queries; nothing is computed here but arrangement."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from deliberation.merging.analysis import STAKEHOLDER_GROUPS
from deliberation.merging.models import Merge, Statement, Vote
from deliberation.merging.refresh import counted
from deliberation.merging.snapshot import VERSION

GROUPS = STAKEHOLDER_GROUPS  # the report's order: 政府, 街道社区, 管理服务对象, 市民
CLUSTER_NAMES = "ABCDE"  # emergent groups, largest first (clusters.MAX_GROUPS is 5)
# dots the opinion map draws at most: a city's merge of 20,000 participants drew 20,000 SVG circles,
# a 1.4 MB page that took seconds to render (issue #26); an even sample shows the same shape
MAP_POINTS = 2_000


@dataclass(frozen=True)
class GroupBar:
    group: str
    p_agree: float
    agree: int
    disagree: int
    passes: int
    seen: int


@dataclass(frozen=True)
class StatementLine:
    """One statement with its per-group bars, as the report and the CSV show it."""

    id: int
    text: str
    bars: tuple[GroupBar, ...]
    consensus: float | None
    divisiveness: float
    meeting_point: bool


@dataclass(frozen=True)
class Stress:
    statement_id: int
    text: str
    direction: str
    probability: float


@dataclass(frozen=True)
class MapPoint:
    x: float  # 0..1 across the map
    y: float  # 0..1 down the map
    group: str | None
    cluster: int | None


@dataclass(frozen=True)
class Report:
    """Everything the report page shows; ``ready`` is False before the first refresh."""

    ready: bool
    computed_at: datetime | None = None
    counted_votes: int = 0
    votes_now: int = 0
    seconds: float = 0.0
    voters: dict[str, int] = field(default_factory=dict)
    ungrouped: int = 0
    missing_groups: tuple[str, ...] = ()
    meeting_points: tuple[StatementLine, ...] = ()
    divisive: tuple[StatementLine, ...] = ()
    stresses: dict[str, tuple[Stress, ...]] = field(default_factory=dict)
    statements: tuple[StatementLine, ...] = ()
    emergent_k: int | None = None
    emergent_sizes: tuple[int, ...] = ()
    overlap: tuple[tuple[str | None, tuple[int, ...]], ...] = ()
    split_groups: tuple[str, ...] = ()
    points: tuple[MapPoint, ...] = ()
    mapped: int = 0  # participants on the map; ``points`` is a sample when there are more than MAP_POINTS

    @property
    def centres(self) -> tuple[tuple[str, float, float], ...]:
        """Each emergent group's letter (A, B …) at the mean of its members' places on the map."""
        found = []
        for cluster in range(self.emergent_k or 0):
            members = [p for p in self.points if p.cluster == cluster]
            if members:
                x = sum(p.x for p in members) / len(members)
                y = sum(p.y for p in members) / len(members)
                found.append((CLUSTER_NAMES[cluster], round(x, 4), round(y, 4)))
        return tuple(found)

    @property
    def pending_votes(self) -> int:
        """Votes cast since the analysis was computed (they show at the next refresh)."""
        return max(0, self.votes_now - self.counted_votes)


def merge_report(session: Session, consultation_id: int) -> Report:
    """The merge's report from its cache (one query for the merge, one for the statements and the
    current vote count)."""
    merge = session.get(Merge, consultation_id)
    data = merge.report if merge is not None else None
    if merge is None or not data or data.get("version") != VERSION:
        return Report(ready=False, votes_now=_votes_now(session, consultation_id))
    shown = session.execute(
        select(Statement.id, Statement.text)
        .where(Statement.consultation_id == consultation_id, counted(merge.require_approval))
        .order_by(Statement.id)
    ).all()
    texts = {str(sid): text for sid, text in shown}
    lines = {sid: _line(sid, texts[sid], stats) for sid, stats in data["statements"].items() if sid in texts}
    return Report(
        ready=True,
        computed_at=merge.report_at,
        counted_votes=merge.report_votes,
        votes_now=_votes_now(session, consultation_id),
        seconds=merge.report_seconds,
        voters={g: int(data["voters"].get(g, 0)) for g in GROUPS},
        ungrouped=int(data.get("ungrouped", 0)),
        missing_groups=tuple(data["missing_groups"]),
        meeting_points=tuple(lines[s] for s in data["meeting_points"] if s in lines),
        divisive=tuple(lines[s] for s in data["divisive"] if s in lines),
        stresses=_stresses(data, texts),
        statements=tuple(lines.values()),
        emergent_k=data["emergent"]["k"] if data.get("emergent") else None,
        emergent_sizes=tuple(data["emergent"]["sizes"]) if data.get("emergent") else (),
        overlap=_overlap(data.get("overlap")),
        split_groups=tuple(data.get("split_groups", ())),
        points=_points(data.get("map", [])),
        mapped=len(data.get("map", [])),
    )


def _votes_now(session: Session, consultation_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(Vote).where(Vote.consultation_id == consultation_id))
        or 0
    )


def _line(sid: str, text: str, stats: dict[str, Any]) -> StatementLine:
    groups = stats["groups"]
    bars = tuple(
        GroupBar(
            g,
            float(groups[g]["p_agree"]),
            groups[g]["agree"],
            groups[g]["disagree"],
            groups[g]["passes"],
            groups[g]["seen"],
        )
        for g in GROUPS
        if g in groups
    )
    return StatementLine(
        int(sid),
        text,
        bars,
        stats["consensus_agree"],
        float(stats["divisiveness"]),
        bool(stats["meeting_point"]),
    )


def _stresses(data: dict[str, Any], texts: dict[str, str]) -> dict[str, tuple[Stress, ...]]:
    return {
        g: tuple(
            Stress(int(r["statement"]), texts[r["statement"]], r["direction"], float(r["probability"]))
            for r in data["representative"].get(g, [])
            if r["statement"] in texts
        )
        for g in GROUPS
        if g in data["representative"]
    }


def _overlap(overlap: dict[str, Any] | None) -> tuple[tuple[str | None, tuple[int, ...]], ...]:
    if not overlap:
        return ()
    return tuple((g, tuple(row)) for g, row in zip(overlap["groups"], overlap["counts"], strict=True))


def _points(rows: list[list[Any]]) -> tuple[MapPoint, ...]:
    """Participants' places scaled into the unit square, the same scale on both axes (a map); at most
    ``MAP_POINTS`` of them, every k-th, so the sample keeps the map's shape."""
    if not rows:
        return ()
    xs, ys = [r[0] for r in rows], [r[1] for r in rows]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return tuple(
        MapPoint(round(0.5 + (x - cx) / span, 4), round(0.5 - (y - cy) / span, 4), g, c)
        for x, y, g, c in rows[:: math.ceil(len(rows) / MAP_POINTS)]
    )


CSV_HEADER = ["statement_id", "text", "consensus_agree", "divisiveness", "meeting_point"]


def report_csv(report: Report) -> str:
    """The report as CSV: one row per statement, then each group's counts and P(agree)."""
    out = io.StringIO()
    writer = csv.writer(out)
    per_group = [
        f"{g}_{column}" for g in GROUPS for column in ("agree", "disagree", "pass", "seen", "p_agree")
    ]
    writer.writerow(CSV_HEADER + per_group)
    for line in report.statements:
        bars = {bar.group: bar for bar in line.bars}
        cells: list[object] = []
        for g in GROUPS:
            bar = bars.get(g)
            cells += (
                [bar.agree, bar.disagree, bar.passes, bar.seen, f"{bar.p_agree:.4f}"]
                if bar
                else ["", "", "", "", ""]
            )
        consensus = "" if line.consensus is None else f"{line.consensus:.4f}"
        writer.writerow(
            [
                line.id,
                _cell(line.text),
                consensus,
                f"{line.divisiveness:.4f}",
                int(line.meeting_point),
                *cells,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet never runs a statement that starts like a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
