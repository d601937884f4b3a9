"""Emergent opinion groups on tables whose projection and clustering can be worked out by hand."""

import math

import numpy as np
import pytest

from deliberation.merging.clusters import kmeans, opinion_clusters, participant_projection, silhouettes
from deliberation.merging.votes import vote_table


def table_of(matrix):
    """A vote table from rows of votes (None: not voted), participants p0.. and statements s0.."""
    cells = [
        (f"p{i}", f"s{j}", v) for i, row in enumerate(matrix) for j, v in enumerate(row) if v is not None
    ]
    participants, statements, votes = zip(*cells, strict=True)
    return vote_table(participants, statements, votes)


def camps(*leans, size=10, statements=8):
    """``size`` people per camp, each voting its lean (+1 / -1 per statement) on every statement."""
    return [[lean[j % len(lean)] for j in range(statements)] for lean in leans for _ in range(size)]


def test_projection_is_the_centred_votes_on_the_principal_axes():
    # V = [[1, 1], [-1, -1], [1, 0]]: μ = (1/3, 0), X = V - μ, XᵀX = [[8/3, 2], [2, 2]]
    centred = np.array([[2 / 3, 1], [-4 / 3, -1], [2 / 3, 0]])
    top = (7 + math.sqrt(37)) / 3  # the larger eigenvalue of XᵀX
    first = np.array([2, top - 8 / 3]) / math.hypot(2, top - 8 / 3)  # its largest loading is positive
    second = np.array([-first[1], first[0]])  # orthogonal, signed so its largest loading is positive
    expected = centred @ np.stack([first, second]).T  # everyone voted on both: no sparsity scaling
    assert participant_projection(table_of([[1, 1], [-1, -1], [1, 0]])) == pytest.approx(expected, abs=1e-12)


def test_someone_who_voted_little_is_scaled_out_from_the_centre():
    matrix = [[1, 1, 1, 1], [-1, -1, -1, -1], [1, -1, 1, -1], [1, None, None, None]]
    votes = np.array([[np.nan if v is None else v for v in row] for row in matrix])
    centred = np.nan_to_num(votes - np.nanmean(votes, axis=0))  # a hole is the column mean: 0 once centred
    _, _, rows = np.linalg.svd(centred)  # the principal axes another way than the code's eigh
    axes = rows[:2] * np.sign(rows[:2][np.arange(2), np.abs(rows[:2]).argmax(axis=1)])[:, np.newaxis]
    scale = np.sqrt(4 / np.array([4, 4, 4, 1]))  # √(statements / votes): p3 voted once
    expected = centred @ axes.T * scale[:, np.newaxis]
    assert participant_projection(table_of(matrix)) == pytest.approx(expected, abs=1e-12)


def test_kmeans_starts_from_the_first_distinct_points_and_numbers_clusters_by_size():
    points = np.array([[0.0, 0], [1, 0], [10, 0], [11, 0], [20, 0]])
    # starts at (0, 0) and (1, 0); Lloyd moves them to 0.5 and 41/3 and stops: {0, 1} against the rest
    assert kmeans(points, 2).tolist() == [1, 1, 0, 0, 0]


def test_silhouette_by_hand():
    points = np.array([[0.0, 0], [1, 0], [10, 0], [11, 0]])
    scores = silhouettes(points, [np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])])
    # {0, 1} {10, 11}: point 0 has a = 1, b = (10 + 11) / 2; point 1 a = 1, b = (9 + 10) / 2; mirrored
    assert scores[0] == pytest.approx((9.5 / 10.5 + 8.5 / 9.5) / 2)
    # {0, 1, 10} {11}: a = 5.5, 5, 9.5 and b = 11, 10, 1; 11 is alone, so its s is 0
    assert scores[1] == pytest.approx((5.5 / 11 + 5 / 10 + (1 - 9.5) / 9.5 + 0) / 4)


def test_two_camps_voting_opposite_make_two_groups():
    clusters = opinion_clusters(table_of(camps([1, -1], [-1, 1])))
    assert clusters is not None and clusters.k == 2 and clusters.sizes == (10, 10)
    assert {clusters.labels[f"p{n}"] for n in range(10)} != {clusters.labels[f"p{n}"] for n in range(10, 20)}
    assert len({clusters.labels[f"p{n}"] for n in range(10)}) == 1


def test_three_camps_make_three_groups():
    clusters = opinion_clusters(table_of(camps([1, 1, -1], [-1, 1, 1], [1, -1, 1], size=8, statements=9)))
    assert clusters is not None and clusters.k == 3 and clusters.sizes == (8, 8, 8)
    assert max(clusters.silhouettes, key=clusters.silhouettes.__getitem__) == 3


def test_only_participants_with_seven_votes_are_clustered_but_all_are_placed():
    matrix = [*camps([1, -1], [-1, 1]), [1, -1, 1, -1, 1, -1, None, None]]  # six votes
    clusters = opinion_clusters(table_of(matrix))
    assert clusters is not None and "p20" not in clusters.labels and "p20" in clusters.coordinates
    assert len(clusters.labels) == 20 and len(clusters.coordinates) == 21


def test_nothing_to_split_gives_no_groups():
    assert opinion_clusters(table_of([[1, 1, 1, 1, 1, 1, 1, 1]])) is None  # one participant
    assert opinion_clusters(table_of([[1]] * 5)) is None  # one statement
    assert opinion_clusters(table_of([[1, -1, 1, -1, 1, -1, 1, -1]] * 3)) is None  # all in one place
