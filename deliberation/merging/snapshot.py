"""The cached form of a merge analysis: plain JSON the report page reads without recomputing.

``snapshot(analysis, table)`` keeps what the page and the CSV show (per statement and group the
counts and P(agree); consensus, divisiveness, meeting points, what each group stresses, emergent
groups and their overlap with the declared ones) and each participant's place on the opinion map.
Pure: no database.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from deliberation.merging.analysis import MergeAnalysis, StatementStats
from deliberation.merging.clusters import statement_extremity
from deliberation.merging.votes import VoteTable

VERSION = 1  # a snapshot of another shape is ignored until the next refresh


def snapshot(analysis: MergeAnalysis, table: VoteTable, groups: dict[str, str]) -> dict[str, Any]:
    """Everything the report shows, as JSON-ready dicts and lists."""
    extremity = statement_extremity(table) if len(table) else np.zeros(len(table.statement_ids))
    emergent = analysis.emergent
    return {
        "version": VERSION,
        "votes": len(table),
        "participants": len(table.participant_ids),
        "voters": dict(analysis.voters),
        "ungrouped": analysis.ungrouped,
        "missing_groups": list(analysis.missing_groups),
        "meeting_points": list(analysis.meeting_points),
        "divisive": list(analysis.divisive),
        "representative": {
            group: [
                {"statement": r.statement, "direction": r.direction, "probability": r.probability}
                for r in reps
            ]
            for group, reps in analysis.representative.items()
        },
        "statements": {
            stats.id: _statement(stats, float(e))
            for stats, e in zip(analysis.statements, extremity.tolist(), strict=True)
        },
        "emergent": None if emergent is None else {"k": emergent.k, "sizes": list(emergent.sizes)},
        "overlap": None
        if analysis.overlap is None
        else {"groups": list(analysis.overlap.groups), "counts": [list(r) for r in analysis.overlap.counts]},
        "split_groups": list(analysis.split_groups),
        "map": _map(table, groups, analysis),
    }


def _statement(stats: StatementStats, extremity: float) -> dict[str, Any]:
    return {
        "groups": {
            group: {
                "agree": g.agree,
                "disagree": g.disagree,
                "passes": g.passes,
                "seen": g.seen,
                "p_agree": g.p_agree,
            }
            for group, g in stats.groups.items()
        },
        "consensus_agree": stats.consensus_agree,
        "consensus_disagree": stats.consensus_disagree,
        "divisiveness": stats.divisiveness,
        "meeting_point": stats.meeting_point,
        "extremity": extremity,
    }


def _map(table: VoteTable, groups: dict[str, str], analysis: MergeAnalysis) -> list[list[Any]]:
    """[x, y, declared group or None, emergent group or None] per participant, rounded for the SVG."""
    if analysis.emergent is None:
        return []
    labels = analysis.emergent.labels
    return [
        [round(x, 4), round(y, 4), groups.get(pid), labels.get(pid)]
        for pid, (x, y) in analysis.emergent.coordinates.items()
    ]
