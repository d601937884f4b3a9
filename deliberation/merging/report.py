"""A ``MergeAnalysis`` as the JSON export and as the plain-text report ``gongzhi merge-report`` prints."""

from __future__ import annotations

import unicodedata
from typing import Any

from deliberation.merging.analysis import CHINESE_NAMES, MergeAnalysis, StatementStats

SHOWN = 5  # statements per list in the text report


def report_json(analysis: MergeAnalysis) -> dict[str, Any]:
    """The JSON export: per statement and group the counts and shares, consensus, emergent labels."""
    emergent = analysis.emergent
    return {
        "statements": [_statement_json(stats) for stats in analysis.statements],
        "missing_groups": list(analysis.missing_groups),
        "emergent": dict(emergent.labels) if emergent else {},
        "voters": dict(analysis.voters),  # participants per declared group
        "ungrouped": analysis.ungrouped,
        "meeting_points": list(analysis.meeting_points),
        "divisive": list(analysis.divisive),
        "representative": {
            group: [vars(pick) for pick in picks] for group, picks in analysis.representative.items()
        },
        "emergent_k": emergent.k if emergent else None,
        "overlap": (
            {
                "groups": list(analysis.overlap.groups),
                "counts": [list(row) for row in analysis.overlap.counts],
            }
            if analysis.overlap
            else None
        ),
        "split_groups": list(analysis.split_groups),
    }


def _statement_json(stats: StatementStats) -> dict[str, Any]:
    return {
        "id": stats.id,
        "groups": {
            group: {
                "agree": g.agree,
                "disagree": g.disagree,
                "pass": g.passes,
                "seen": g.seen,
                "p_agree": g.p_agree,
                "p_disagree": g.p_disagree,
                "z_agree": g.z_agree,
                "z_disagree": g.z_disagree,
            }
            for group, g in stats.groups.items()
        },
        "consensus_agree": stats.consensus_agree,
        "consensus_disagree": stats.consensus_disagree,
        "divisiveness": stats.divisiveness,
        "meeting_point": stats.meeting_point,
    }


def report_text(analysis: MergeAnalysis) -> str:
    """A readable summary: who took part, what is missing, meeting points, divisions, emergent groups."""
    sections = [
        _participants(analysis),
        _meeting_points(analysis),
        _divisive(analysis),
        _emergent(analysis),
    ]
    return "\n\n".join(sections) + "\n"


def group_name(group: str | None) -> str:
    """``government (政府)`` for a stakeholder group, any other label as it is, ``no group`` for None."""
    if group is None:
        return "no group"
    return f"{group} ({CHINESE_NAMES[group]})" if group in CHINESE_NAMES else group


def _participants(analysis: MergeAnalysis) -> str:
    if not analysis.groups:
        return f"Participants: {analysis.ungrouped}, none with a declared group (give a groups file)"
    lines = ["Participants per group (四意):"]
    lines += [f"  {group_name(group)}: {count}" for group, count in analysis.voters.items()]
    lines.append(f"  no group: {analysis.ungrouped}")
    missing = ", ".join(group_name(g) for g in analysis.missing_groups) or "none"
    lines.append(f"Missing groups: {missing}")
    if analysis.missing_groups:
        lines.append("  (consensus is over the groups present; a meeting point needs all four)")
    return "\n".join(lines)


def _meeting_points(analysis: MergeAnalysis) -> str:
    lines = [f"Meeting points (交融点): {len(analysis.meeting_points)}"]
    shown = [analysis.statement(sid) for sid in analysis.meeting_points[:SHOWN]]
    if not shown and analysis.groups:
        shown = sorted(analysis.statements, key=lambda s: -(s.consensus_agree or 0.0))[:SHOWN]
        lines.append("  none; the highest consensus (交融度) instead:")
    lines += [f"  statement {s.id}: consensus {s.consensus_agree or 0.0:.3f}; {_shares(s)}" for s in shown]
    return "\n".join(lines)


def _divisive(analysis: MergeAnalysis) -> str:
    lines = ["Divisive statements (the widest spread of P(agree) between groups):"]
    for sid in analysis.divisive:
        stats = analysis.statement(sid)
        lines.append(f"  statement {sid}: spread {stats.divisiveness:.3f}; {_shares(stats)}")
    if not analysis.divisive:
        lines.append("  none (fewer than two groups saw any statement)")
    return "\n".join(lines)


def _emergent(analysis: MergeAnalysis) -> str:
    emergent, overlap = analysis.emergent, analysis.overlap
    if emergent is None or overlap is None:
        return "Emergent opinion groups: too few participants with 7 or more votes to cluster"
    sizes = ", ".join(f"{label}: {size}" for label, size in enumerate(emergent.sizes))
    lines = [
        f"Emergent opinion groups (意见群体, PCA and k-means): k = {emergent.k} "
        f"(silhouette {emergent.silhouettes[emergent.k]:.3f}); sizes {sizes}",
        "  declared group × emergent group:",
        "    " + " " * 28 + "".join(f"{label:>7}" for label in range(emergent.k)),
    ]
    for group, row in zip(overlap.groups, overlap.counts, strict=True):
        lines.append(f"    {_padded(group_name(group), 28)}" + "".join(f"{count:>7}" for count in row))
    for group in analysis.split_groups:
        lines.append(f"  opinion splits inside {group_name(group)}")
    return "\n".join(lines)


def _shares(stats: StatementStats) -> str:
    return ", ".join(f"{group} {g.p_agree:.2f}" for group, g in stats.groups.items())


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns: a 中文 character takes two."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - used)
