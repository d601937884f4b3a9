"""Emergent opinion groups (意见群体): who votes alike, whatever stakeholder group they declared.

The steps follow Pol.is (Small et al. 2021, "Polis: Scaling Deliberation by Mapping High Dimensional
Opinion Spaces", section 3; the Pol.is math in compdemocracy/polis, ``math/src/polismath/math/pca.clj``
and ``clusters.clj``) as red-dwarf documents them. Our own numpy, vectorised over the vote matrix:

1. The vote matrix V (participants × statements, 1 / 0 / -1) has a hole wherever someone did not vote;
   each hole is filled with its column's mean μ_s over the votes cast, so X = V - μ is 0 there.
2. PCA: the two principal axes are the top eigenvectors of XᵀX (of XXᵀ, mapped back through Xᵀ, when
   there are fewer participants than statements), each signed so that its largest loading is positive.
3. Sparsity-aware projection: x_p = (X_p · axes) · √(S / max(1, n_p)), with S statements and n_p the
   participant's votes, so that someone who voted on a few statements is not pulled into the centre.
4. Participants with n_p ≥ 7 are clustered by k-means for k = 2..5: Lloyd's algorithm (assign each
   point to its nearest centre, move each centre to its points' mean, until no assignment changes)
   started from the first k distinct points in (x, y) order. Pol.is starts from "the first k distinct
   points" and red-dwarf reads that as sorted order; a fixed start means the same votes always give
   the same groups, which a public report needs. (Random restarts find partitions of slightly lower
   inertia on the Pol.is conversations, but not Pol.is's.)
5. The k whose clustering has the highest mean silhouette s_i = (b_i - a_i) / max(a_i, b_i) wins
   (a_i: mean distance to the others in its cluster, b_i: the smallest mean distance to another
   cluster; s_i = 0 alone in a cluster; on equal scores the smaller k).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deliberation.merging.votes import VoteTable

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.intp]

MIN_VOTES = 7  # Pol.is clusters only participants with at least this many votes
MAX_GROUPS = 5
MAX_ITERATIONS = 300
# silhouette distances are computed this many at a time: 2 MB of float64 per array
CHUNK_CELLS = 250_000


@dataclass(frozen=True)
class OpinionClusters:
    """The chosen clustering: ``labels`` for each clustered participant, clusters numbered by size."""

    k: int
    labels: Mapping[str, int]
    sizes: tuple[int, ...]
    silhouettes: Mapping[int, float]  # mean silhouette of each k tried
    coordinates: Mapping[str, tuple[float, float]]  # every participant's projection, clustered or not


def opinion_clusters(
    table: VoteTable, *, min_votes: int = MIN_VOTES, max_k: int = MAX_GROUPS
) -> OpinionClusters | None:
    """Pol.is's emergent groups over ``table``; ``None`` when too few participants or statements to split."""
    if len(table.participant_ids) < 2 or len(table.statement_ids) < 2:
        return None
    points = participant_projection(table)
    clustered = np.flatnonzero(table.votes_per_participant >= min_votes)
    candidates = range(2, min(max_k, len(np.unique(points[clustered], axis=0)), len(clustered) - 1) + 1)
    if not candidates:
        return None
    labelings = [kmeans(points[clustered], k) for k in candidates]
    scores = silhouettes(points[clustered], labelings)
    best = int(np.argmax(scores))  # the first of equal scores: the smaller k
    labels = labelings[best]
    ids = table.participant_ids
    return OpinionClusters(
        k=candidates[best],
        labels={ids[p]: int(label) for p, label in zip(clustered.tolist(), labels.tolist(), strict=True)},
        sizes=tuple(np.bincount(labels).tolist()),
        silhouettes={k: float(score) for k, score in zip(candidates, scores, strict=True)},
        coordinates={pid: (float(x), float(y)) for pid, (x, y) in zip(ids, points.tolist(), strict=True)},
    )


def participant_projection(table: VoteTable) -> Floats:
    """Each participant's place on the two principal axes, scaled for how little they voted (steps 1-3)."""
    centred = _centred_matrix(table)
    axes = _principal_axes(centred)
    statements = len(table.statement_ids)
    scale = np.sqrt(statements / np.maximum(1, table.votes_per_participant))
    projected: Floats = (centred @ axes.T) * scale[:, np.newaxis]
    return projected


def statement_extremity(table: VoteTable) -> Floats:
    """How far each statement reaches on the opinion map: the length of its loadings on the two
    principal axes (Pol.is's comment extremity, which its card routing weighs)."""
    axes = _principal_axes(_centred_matrix(table))
    extremity: Floats = np.linalg.norm(axes, axis=0)
    return extremity


def _centred_matrix(table: VoteTable) -> Floats:
    """X = V - μ with the holes at 0: mean imputation and centring in one step."""
    shape = (len(table.participant_ids), len(table.statement_ids))
    seen = np.bincount(table.statement, minlength=shape[1])
    mean = np.bincount(table.statement, weights=table.vote, minlength=shape[1]) / np.maximum(seen, 1)
    centred = np.zeros(shape)
    centred[table.participant, table.statement] = table.vote - mean[table.statement]
    return centred


def _principal_axes(centred: Floats, count: int = 2) -> Floats:
    """The top ``count`` right singular vectors of ``centred`` (rows), largest loading positive."""
    rows, columns = centred.shape
    if columns <= rows:
        _, vectors = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
        axes = vectors[:, ::-1][:, :count].T
    else:  # the smaller Gram matrix: its eigenvectors u give the axes as Xᵀu, normalised
        _, vectors = np.linalg.eigh(centred @ centred.T)
        axes = (centred.T @ vectors[:, ::-1][:, :count]).T
        norms = np.linalg.norm(axes, axis=1, keepdims=True)
        axes = np.divide(axes, norms, out=np.zeros_like(axes), where=norms > 0)
    # an eigenvector's sign is arbitrary: fix it so the same votes always give the same picture
    largest = axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)]
    signed: Floats = axes * np.where(largest < 0, -1.0, 1.0)[:, np.newaxis]
    return signed


def kmeans(points: Floats, k: int) -> Labels:
    """Lloyd's k-means from the first ``k`` distinct points in (x, y) order; cluster 0 is the largest."""
    labels = _lloyd(points, np.unique(points, axis=0)[:k])
    by_size = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    rename = np.empty(k, dtype=np.intp)
    rename[by_size] = np.arange(k)
    relabelled: Labels = rename[labels]
    return relabelled


def _lloyd(points: Floats, centres: Floats) -> Labels:
    """Assign to the nearest centre and move each centre to its mean until no label changes."""
    k = len(centres)
    labels = np.full(len(points), -1, dtype=np.intp)
    for _ in range(MAX_ITERATIONS):
        distances = ((points[:, np.newaxis, :] - centres[np.newaxis, :, :]) ** 2).sum(axis=2)
        new_labels = distances.argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        sizes = np.bincount(labels, minlength=k)
        for empty in np.flatnonzero(sizes == 0):  # restart an empty cluster on the worst-served point
            far = int(distances[np.arange(len(points)), labels].argmax())
            labels[far] = empty
            distances[far] = 0.0
        sizes = np.bincount(labels, minlength=k)
        sums = np.stack([np.bincount(labels, weights=axis, minlength=k) for axis in points.T], axis=1)
        centres = sums / sizes[:, np.newaxis]
    return labels


def silhouettes(points: Floats, labelings: list[Labels]) -> list[float]:
    """The mean silhouette of each labelling of the same points; the distances are computed once for all."""
    n = len(points)
    sizes = [np.bincount(labels) for labels in labelings]
    # one indicator column per cluster of every labelling: distances @ members gives each point's
    # summed distance to each cluster, chunk by chunk, without an n × n matrix in memory
    members = np.hstack([np.eye(len(size))[labels] for size, labels in zip(sizes, labelings, strict=True)])
    sums = np.empty((n, members.shape[1]))
    step = max(1, CHUNK_CELLS // n)
    for start in range(0, n, step):
        block = points[start : start + step]
        distances = np.square(block[:, :1] - points[:, 0])
        distances += np.square(block[:, 1:] - points[:, 1])
        # membersᵀ @ distancesᵀ, not distances @ members: OpenBLAS threads this shape far better on
        # a busy machine (0.2 s against 1 s for 10,000 points), the result is the same
        sums[start : start + step] = (members.T @ np.sqrt(distances, out=distances).T).T
    scores, first = [], 0
    for size, labels in zip(sizes, labelings, strict=True):
        scores.append(_mean_silhouette(sums[:, first : first + len(size)], labels, size))
        first += len(size)
    return scores


def _mean_silhouette(sums: Floats, labels: Labels, sizes: npt.NDArray[np.intp]) -> float:
    own_size = sizes[labels]
    rows = np.arange(len(labels))
    a = sums[rows, labels] / np.maximum(own_size - 1, 1)
    means = sums / sizes
    means[rows, labels] = np.inf
    b = means.min(axis=1)
    spread = np.maximum(a, b)
    s = np.divide(b - a, spread, out=np.zeros_like(a), where=(own_size > 1) & (spread > 0))
    return float(s.mean())
