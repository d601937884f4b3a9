"""Our analysis against red-dwarf (MPL-2.0, a test dependency), Pol.is's math in Python, on real votes.

Given the same group labels (Pol.is's own groups, renamed as stakeholder groups) the per-group
statistics and consensus must match to 1e-9; red-dwarf's clustering and ours must have the same k and
an adjusted Rand index of at least 0.9 (DESIGN.md, Settled questions).
"""

import warnings

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from deliberation.merging.analysis import merge_analysis
from deliberation.merging.clusters import opinion_clusters
from tests.deliberation.merging.polis_data import CONVERSATIONS, stakeholder_groups, votes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # red-dwarf's pydantic models warn on import under pydantic 2.12
    from reddwarf.implementations.polis import run_pipeline
    from reddwarf.utils.matrix import generate_raw_matrix
    from reddwarf.utils.stats import calculate_comment_statistics_dataframes, select_representative_statements

# red-dwarf's own use of pandas, which pandas 3 deprecates: not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Passing a list to DataFrame.from_dict:Warning")
TOLERANCE = 1e-9
# our GroupStats field: red-dwarf's column in its grouped statistics
FIELDS = {
    "agree": "na",
    "disagree": "nd",
    "seen": "ns",
    "p_agree": "pa",
    "p_disagree": "pd",
    "z_agree": "pat",
    "z_disagree": "pdt",
    "repness_agree": "ra",
    "repness_disagree": "rd",
    "z_repness_agree": "rat",
    "z_repness_disagree": "rdt",
}


def red_dwarf_votes(table, keep=None):
    """Our latest votes as red-dwarf's vote dicts (it refuses a repeated pair), of ``keep`` only if given."""
    return [
        {
            "participant_id": table.participant_ids[p],
            "statement_id": table.statement_ids[s],
            "vote": v,
            "modified": 0,
        }
        for p, s, v in zip(
            table.participant.tolist(), table.statement.tolist(), table.vote.tolist(), strict=True
        )
        if keep is None or table.participant_ids[p] in keep
    ]


def red_dwarf_group_statistics(name):
    """(ours, red-dwarf's grouped statistics, red-dwarf's consensus) over the same group labels."""
    table, groups = votes(name), stakeholder_groups(name)
    ours = merge_analysis(table, groups)
    matrix = generate_raw_matrix(red_dwarf_votes(table, keep=groups))
    labels = [ours.groups.index(groups[p]) for p in matrix.index]
    statistics, consensus = calculate_comment_statistics_dataframes(matrix, labels)
    return ours, statistics, consensus


def largest_differences(ours, statistics, consensus):
    """The largest absolute difference per quantity over every statement red-dwarf has and every group."""
    largest = dict.fromkeys([*FIELDS, "consensus_agree", "consensus_disagree"], 0.0)
    theirs_consensus = {
        "consensus_agree": consensus["group-aware-consensus-agree"],
        "consensus_disagree": consensus["group-aware-consensus-disagree"],
    }
    for stats in ours.statements:
        if stats.id not in consensus.index:
            continue
        for g, group in enumerate(ours.groups):
            row = statistics.loc[(g, stats.id)]
            for field, column in FIELDS.items():
                difference = abs(getattr(stats.groups[group], field) - float(row[column]))
                largest[field] = max(largest[field], difference)
        for field, column in theirs_consensus.items():
            largest[field] = max(largest[field], abs(getattr(stats, field) - float(column[stats.id])))
    return largest


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_group_statistics_and_consensus_match_red_dwarf(name):
    ours, statistics, consensus = red_dwarf_group_statistics(name)
    differences = largest_differences(ours, statistics, consensus)
    assert max(differences.values()) <= TOLERANCE, differences
    # statements only ungrouped voters saw are not in red-dwarf's matrix; ours shows them unseen
    for stats in ours.statements:
        if stats.id not in consensus.index:
            assert all(g.seen == 0 for g in stats.groups.values())
            assert stats.consensus_agree == pytest.approx(0.5 ** len(ours.groups))


def test_scoop_has_all_four_groups():
    ours, _, _ = red_dwarf_group_statistics("scoop-hivemind.ubi")
    assert ours.missing_groups == () and len(ours.groups) == 4


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_representative_statements_follow_red_dwarf_ranking(name):
    """red-dwarf leads with Pol.is's "best agree" pick, then fills up from the ranking we report."""
    ours, statistics, _ = red_dwarf_group_statistics(name)
    theirs = select_representative_statements(statistics)
    for g, group in enumerate(ours.groups):
        picked = [(r.statement, r.direction) for r in ours.representative[group]]
        if not picked:  # nothing passes both tests: Pol.is falls back to one best statement
            assert len(theirs[g]) <= 1
            continue
        head = {str(entry["tid"]) for entry in theirs[g] if entry.get("best-agree")}
        rest = {
            (str(entry["tid"]), entry["repful-for"]) for entry in theirs[g] if not entry.get("best-agree")
        }
        ranked = [p for p in picked if p[0] not in head]
        assert set(ranked[: len(rest)]) == rest


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_emergent_groups_match_red_dwarf_clustering(name):
    table = votes(name)
    ours = opinion_clusters(table)
    theirs = run_pipeline(votes=red_dwarf_votes(table), random_state=0)
    participants = theirs.participants_df
    clustered = participants[participants["to_cluster"]]
    assert ours is not None and set(ours.labels) == set(clustered.index)
    assert ours.k == theirs.clusterer.n_clusters
    ari = adjusted_rand_score(clustered["cluster_id"].astype(int), [ours.labels[p] for p in clustered.index])
    assert ari >= 0.9
    coordinates = np.array([ours.coordinates[p] for p in participants.index])
    assert np.abs(coordinates - participants[["x", "y"]].to_numpy()).max() <= TOLERANCE
