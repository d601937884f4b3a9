"""The 四意合一 analysis: how each stakeholder group voted on each statement, where they meet (交融点),
where they part, and how the emergent opinion groups cut across them. Pure: numpy only, no database.

Formulas, for a statement s and a group g (sources: Small et al. 2021, "Polis: Scaling Deliberation
by Mapping High Dimensional Opinion Spaces", Recerca 26(2); the Pol.is math in compdemocracy/polis,
``math/src/polismath/math/stats.clj``, ``repness.clj`` and ``conversation.clj``; red-dwarf's
``reddwarf.utils.stats`` documentation, whose numbers the tests match):

- counts A (agree), D (disagree), P (pass) of the latest votes of g's members; seen N = A + D + P;
- P(agree) = (A + 1) / (N + 2), P(disagree) = (D + 1) / (N + 2): Laplace's rule, 1/2 with no votes;
- one-proportion test that g agrees more often than not (Pol.is ``prop-test``):
  z_agree = 2 √(N + 1) ((A + 1) / (N + 1) - 1/2), z_disagree likewise with D;
- group-informed consensus (交融度): C_agree(s) = ∏_g P_g(agree), C_disagree(s) = ∏_g P_g(disagree)
  over the groups present in the conversation (at least one voter anywhere in it), a group that did not
  see s included at 1/2. ``missing_groups`` names the stakeholder groups with no voter;
- meeting point (交融点): all four stakeholder groups present and z_agree > 1.2816 (one-sided 90%)
  for every group;
- representativeness (Pol.is ``repness``) against the rest, the voters of the other groups:
  R_agree = P_g(agree) / P_rest(agree), and the two-proportion test with one added to each count,
  a₁ = A_g + 1, n₁ = N_g + 1, a₂ = A_rest + 1, n₂ = N_rest + 1, p̂ = (a₁ + a₂) / (n₁ + n₂):
  z = (a₁/n₁ - a₂/n₂) / √(p̂ (1 - p̂) (1/n₁ + 1/n₂)), 0 when p̂ = 1. A statement represents g when it
  passes both tests (z_agree and z_R_agree, or z_disagree and z_R_disagree, above 1.2816); it is
  shown for the direction whose z_R is larger and ranked by R · z_R · P · z of that direction, top 5;
- divisiveness: max_g P_g(agree) - min_g P_g(agree) over the groups that saw s (0 when fewer than two
  did: a group's 1/2 prior is not an opinion). Ours; Pol.is ranks no such list.

Emergent opinion groups are ``clusters.opinion_clusters`` (PCA then k-means, as Pol.is does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deliberation.merging.clusters import OpinionClusters, opinion_clusters
from deliberation.merging.votes import VoteTable

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

# accounts.models.StakeholderGroup (which we may not import: it brings SQLAlchemy), in report order
STAKEHOLDER_GROUPS = ("government", "community", "served", "resident")
CHINESE_NAMES = {"government": "政府", "community": "街道社区", "served": "管理服务对象", "resident": "市民"}
SIGNIFICANT_Z = 1.2815515655446004  # the standard normal's 90% quantile: Pol.is's one-sided bar
TOP = 5  # representative statements per group, divisive statements, as Pol.is picks at most 5
# a declared group is split when its largest emergent group holds less than this share of its members
SPLIT_SHARE = 0.75


@dataclass(frozen=True, eq=False)
class GroupAgreement:
    """Vote counts per group (rows, in ``groups`` order) and statement (columns, in the table's order)."""

    groups: tuple[str, ...]
    agree: Ints
    disagree: Ints
    seen: Ints
    voters: tuple[int, ...]

    @property
    def p_agree(self) -> Floats:
        return agreement(self.agree, self.seen)

    @property
    def p_disagree(self) -> Floats:
        return agreement(self.disagree, self.seen)


@dataclass(frozen=True)
class GroupStats:
    """One group's latest votes on one statement and the Pol.is statistics over them."""

    agree: int
    disagree: int
    passes: int
    seen: int
    p_agree: float
    p_disagree: float
    z_agree: float
    z_disagree: float
    repness_agree: float
    repness_disagree: float
    z_repness_agree: float
    z_repness_disagree: float


@dataclass(frozen=True)
class StatementStats:
    """One statement: each present group's stats, the consensus (交融度) and whether it is a 交融点."""

    id: str
    groups: Mapping[str, GroupStats]
    consensus_agree: float | None  # None when no group is present: an empty product says nothing
    consensus_disagree: float | None
    divisiveness: float
    meeting_point: bool


@dataclass(frozen=True)
class Representative:
    """A statement that sets a group apart from the rest, in the direction it does so."""

    statement: str
    direction: str  # "agree" or "disagree"
    repness: float
    z_repness: float
    probability: float
    z: float


@dataclass(frozen=True)
class Overlap:
    """Clustered participants per declared group (``None``: no group, last) and emergent group."""

    groups: tuple[str | None, ...]
    counts: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class MergeAnalysis:
    """Everything a merge report shows; statements in id order, groups stakeholder groups first."""

    statements: tuple[StatementStats, ...]
    groups: tuple[str, ...]
    voters: Mapping[str, int]
    ungrouped: int
    missing_groups: tuple[str, ...]
    meeting_points: tuple[str, ...]  # by consensus_agree, highest first
    divisive: tuple[str, ...]  # by divisiveness, highest first, at most TOP
    representative: Mapping[str, tuple[Representative, ...]]
    emergent: OpinionClusters | None
    overlap: Overlap | None
    split_groups: tuple[str, ...]  # declared groups whose members the emergent groups divide

    def statement(self, statement_id: str) -> StatementStats:
        """The stats of one statement by id; ``KeyError`` for an id the table does not have."""
        for stats in self.statements:
            if stats.id == statement_id:
                return stats
        raise KeyError(statement_id)


def merge_analysis(table: VoteTable, groups: Mapping[str, str]) -> MergeAnalysis:
    """The whole 四意合一 analysis of ``table``; ``groups`` maps participant id to declared group."""
    votes = group_agreement(table, groups)
    stats = _statement_stats(table, votes)
    present = set(votes.groups)
    by_consensus = sorted(stats, key=lambda s: -(s.consensus_agree or 0.0))
    by_spread = sorted((s for s in stats if s.divisiveness > 0), key=lambda s: -s.divisiveness)
    emergent = opinion_clusters(table)
    overlap = _overlap(table, groups, votes.groups, emergent) if emergent else None
    return MergeAnalysis(
        statements=stats,
        groups=votes.groups,
        voters=dict(zip(votes.groups, votes.voters, strict=True)),
        ungrouped=len(table.participant_ids) - sum(votes.voters),
        missing_groups=tuple(g for g in STAKEHOLDER_GROUPS if g not in present),
        meeting_points=tuple(s.id for s in by_consensus if s.meeting_point),
        divisive=tuple(s.id for s in by_spread[:TOP]),
        representative=representative_statements(votes, table.statement_ids),
        emergent=emergent,
        overlap=overlap,
        split_groups=_split_groups(overlap) if overlap else (),
    )


def group_agreement(table: VoteTable, groups: Mapping[str, str]) -> GroupAgreement:
    """Agree, disagree and seen counts of each group present among the voters, on every statement."""
    labels = {groups[p] for p in table.participant_ids if p in groups}
    others = sorted(labels - set(STAKEHOLDER_GROUPS))
    order = (*(g for g in STAKEHOLDER_GROUPS if g in labels), *others)
    code = {label: n for n, label in enumerate(order)}
    group_of = np.array([code.get(groups.get(p, ""), -1) for p in table.participant_ids], dtype=np.intp)
    vote_group = group_of[table.participant]
    grouped = vote_group >= 0
    statements = len(table.statement_ids)
    # one bincount over (group, statement, vote) cells counts every vote at once
    cell = (vote_group[grouped] * statements + table.statement[grouped]) * 3 + (table.vote[grouped] + 1)
    counts = np.bincount(cell, minlength=len(order) * statements * 3).reshape(len(order), statements, 3)
    return GroupAgreement(
        groups=order,
        agree=counts[:, :, 2],
        disagree=counts[:, :, 0],
        seen=counts.sum(axis=2),
        voters=tuple(np.bincount(group_of[group_of >= 0], minlength=len(order)).tolist()),
    )


def agreement(count: Ints, seen: Ints) -> Floats:
    """Laplace-smoothed share: (count + 1) / (seen + 2)."""
    share: Floats = (count + 1) / (seen + 2)
    return share


def consensus(probabilities: Floats) -> Floats:
    """Group-informed consensus (交融度): the product over the groups (axis 0) of each group's share."""
    product: Floats = np.prod(probabilities, axis=0)
    return product


def proportion_test(successes: Ints, trials: Ints) -> Floats:
    """Pol.is's one-proportion z: above 1.2816, more than half say so at 90% (one-sided)."""
    z: Floats = 2 * np.sqrt(trials + 1) * ((successes + 1) / (trials + 1) - 0.5)
    return z


def two_proportion_test(successes: Ints, trials: Ints, rest_successes: Ints, rest_trials: Ints) -> Floats:
    """Pol.is's two-proportion z of a group against the rest, one added to every count."""
    a1, n1, a2, n2 = successes + 1, trials + 1, rest_successes + 1, rest_trials + 1
    pooled = (a1 + a2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    # everyone agreeing gives p̂ = 1 and 0/0: no difference to report
    z: Floats = np.divide(a1 / n1 - a2 / n2, spread, out=np.zeros(np.shape(pooled)), where=pooled < 1)
    return z


def divisiveness(p_agree: Floats, seen: Ints) -> Floats:
    """The spread max - min of P(agree) over the groups (axis 0) that saw each statement; 0 below two."""
    saw = seen > 0
    highest = np.where(saw, p_agree, -np.inf).max(axis=0, initial=-np.inf)
    lowest = np.where(saw, p_agree, np.inf).min(axis=0, initial=np.inf)
    spread: Floats = np.where(saw.sum(axis=0) >= 2, highest - lowest, 0.0)
    return spread


def representativeness(votes: GroupAgreement) -> dict[str, Floats]:
    """R and its z for agree and disagree, each group against the voters of the other groups."""
    out: dict[str, Floats] = {}
    for direction, count in (("agree", votes.agree), ("disagree", votes.disagree)):
        rest, rest_seen = count.sum(axis=0) - count, votes.seen.sum(axis=0) - votes.seen
        out[f"repness_{direction}"] = agreement(count, votes.seen) / agreement(rest, rest_seen)
        out[f"z_repness_{direction}"] = two_proportion_test(count, votes.seen, rest, rest_seen)
    return out


def representative_statements(
    votes: GroupAgreement, statement_ids: tuple[str, ...]
) -> dict[str, tuple[Representative, ...]]:
    """Per group, up to ``TOP`` statements it stands apart on, most representative first."""
    r = representativeness(votes)
    z_agree = proportion_test(votes.agree, votes.seen)
    z_disagree = proportion_test(votes.disagree, votes.seen)
    significant = ((z_agree > SIGNIFICANT_Z) & (r["z_repness_agree"] > SIGNIFICANT_Z)) | (
        (z_disagree > SIGNIFICANT_Z) & (r["z_repness_disagree"] > SIGNIFICANT_Z)
    )
    towards_agree = r["z_repness_agree"] > r["z_repness_disagree"]
    columns = {
        "repness": np.where(towards_agree, r["repness_agree"], r["repness_disagree"]),
        "z_repness": np.where(towards_agree, r["z_repness_agree"], r["z_repness_disagree"]),
        "probability": np.where(towards_agree, votes.p_agree, votes.p_disagree),
        "z": np.where(towards_agree, z_agree, z_disagree),
    }
    metric = columns["repness"] * columns["z_repness"] * columns["probability"] * columns["z"]
    picked = {}
    for g, group in enumerate(votes.groups):
        candidates = np.flatnonzero(significant[g])
        best = candidates[np.argsort(-metric[g, candidates], kind="stable")[:TOP]]
        picked[group] = tuple(
            Representative(
                statement_ids[s],
                "agree" if towards_agree[g, s] else "disagree",
                **{name: float(column[g, s]) for name, column in columns.items()},
            )
            for s in best.tolist()
        )
    return picked


def _statement_stats(table: VoteTable, votes: GroupAgreement) -> tuple[StatementStats, ...]:
    """Every statement's per-group stats, consensus, divisiveness and meeting-point flag."""
    p_agree, p_disagree = votes.p_agree, votes.p_disagree
    columns = {
        "agree": votes.agree,
        "disagree": votes.disagree,
        "passes": votes.seen - votes.agree - votes.disagree,
        "seen": votes.seen,
        "p_agree": p_agree,
        "p_disagree": p_disagree,
        "z_agree": proportion_test(votes.agree, votes.seen),
        "z_disagree": proportion_test(votes.disagree, votes.seen),
        **representativeness(votes),
    }
    # .tolist() once per column: Python numbers for the dataclasses without a numpy call per cell
    as_lists = {name: column.tolist() for name, column in columns.items()}
    everyone = all(g in votes.groups for g in STAKEHOLDER_GROUPS)
    meeting = np.asarray((columns["z_agree"] > SIGNIFICANT_Z).all(axis=0)) & everyone
    nothing: list[float | None] = [None] * len(table.statement_ids)
    per_statement = zip(
        table.statement_ids,
        consensus(p_agree).tolist() if votes.groups else nothing,
        consensus(p_disagree).tolist() if votes.groups else nothing,
        divisiveness(p_agree, votes.seen).tolist(),
        meeting.tolist(),
        strict=True,
    )
    return tuple(
        StatementStats(
            id=sid,
            groups={
                group: GroupStats(**{name: values[g][s] for name, values in as_lists.items()})
                for g, group in enumerate(votes.groups)
            },
            consensus_agree=agree,
            consensus_disagree=disagree,
            divisiveness=spread,
            meeting_point=bool(meets),
        )
        for s, (sid, agree, disagree, spread, meets) in enumerate(per_statement)
    )


def _overlap(
    table: VoteTable, groups: Mapping[str, str], order: tuple[str, ...], emergent: OpinionClusters
) -> Overlap:
    """The contingency table of declared group (rows) against emergent group (columns)."""
    rows: tuple[str | None, ...] = order
    if any(p in emergent.labels and p not in groups for p in table.participant_ids):
        rows = (*order, None)
    row_of = {label: n for n, label in enumerate(rows)}
    cells = [row_of[groups.get(p)] * emergent.k + label for p, label in emergent.labels.items()]
    counts = np.bincount(np.array(cells, dtype=np.intp), minlength=len(rows) * emergent.k)
    return Overlap(rows, tuple(tuple(row) for row in counts.reshape(len(rows), emergent.k).tolist()))


def _split_groups(overlap: Overlap) -> tuple[str, ...]:
    """Declared groups of two or more clustered members whose largest emergent group is under SPLIT_SHARE."""
    return tuple(
        group
        for group, row in zip(overlap.groups, overlap.counts, strict=True)
        if group is not None and sum(row) >= 2 and max(row) < SPLIT_SHARE * sum(row)
    )
