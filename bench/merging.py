"""The 四意合一 merge analysis beside red-dwarf's ``run_pipeline``: time and peak memory, on the same votes.

Data: a seeded synthetic conversation (10,000 participants × 1,000 statements, 1,300,000 vote events
that leave about 990,000 latest votes, four declared groups of unequal size plus some participants
without one, and three opinion camps that cut across the groups), then the three Pol.is conversations
in tests/data/polis/.

Ours is ``vote_table`` (latest vote wins) plus ``merge_analysis`` (declared-group statistics, consensus,
representative statements and the emergent groups); red-dwarf's is ``run_pipeline`` (its PCA, k-means
and statistics of the emergent groups) on the deduplicated votes, since it refuses repeated pairs.
Time is the best of ``--repeat`` runs (the machine is shared); peak memory is what tracemalloc sees
allocated during one more run (numpy, pandas and scikit-learn arrays all report to it). Figures are
printed, never asserted.

    .venv/bin/python bench/merging.py            # 10,000 × 1,000, about 990,000 votes
    .venv/bin/python bench/merging.py --quick    # 1,000 × 200, about 23,000 votes (CI proves it works)
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deliberation.merging.analysis import STAKEHOLDER_GROUPS, MergeAnalysis, merge_analysis  # noqa: E402
from deliberation.merging.polis_files import read_groups, read_votes  # noqa: E402
from deliberation.merging.votes import VoteTable, vote_table  # noqa: E402

POLIS = ROOT / "tests" / "data" / "polis"
CONVERSATIONS = ("scoop-hivemind.ubi", "london.youth.policing", "15-per-hour-seattle")
GROUP_SHARES = (0.08, 0.12, 0.25, 0.45)  # government, community, served, resident; the rest: no group
CAMP_OF_GROUP = np.array(  # how each declared group splits over the three opinion camps
    [[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.2, 0.2, 0.6], [0.3, 0.5, 0.2], [0.34, 0.33, 0.33]]
)


def synthetic(participants: int, statements: int, events: int, seed: int = 7) -> dict[str, Any]:
    """Seeded vote events with group structure: columns for ``vote_table`` and the groups mapping."""
    rng = np.random.default_rng(seed)
    group = rng.choice(5, size=participants, p=[*GROUP_SHARES, 1 - sum(GROUP_SHARES)])
    camp = np.array([rng.choice(3, p=CAMP_OF_GROUP[g]) for g in group])
    agree_odds = rng.beta(0.6, 0.6, size=(3, statements))  # each camp's lean on each statement
    # some people vote on much, most on little; early statements are seen more, as in Pol.is
    voter = rng.choice(participants, size=events, p=_weights(rng.pareto(2.0, participants) + 0.2))
    statement = rng.choice(statements, size=events, p=_weights(1 / np.arange(1, statements + 1) ** 0.5))
    lean = agree_odds[camp[voter], statement]
    draw = rng.random(events)
    vote = np.where(draw < 0.15, 0, np.where(draw < 0.15 + 0.85 * lean, 1, -1))
    names = dict(enumerate(STAKEHOLDER_GROUPS))
    return {  # integer ids, as a database gives them
        "columns": (voter, statement, vote, np.arange(events)),
        "groups": {str(p): names[g] for p, g in enumerate(group.tolist()) if g in names},
    }


def _weights(values: np.ndarray) -> np.ndarray:
    return values / values.sum()


def polis(name: str) -> dict[str, Any]:
    """A Pol.is conversation as the same columns, its own opinion groups as the declared groups."""
    table = read_votes(POLIS / name / "votes.csv")
    ids = np.array(table.participant_ids)[table.participant], np.array(table.statement_ids)[table.statement]
    return {
        "columns": (*ids, table.vote, None),
        "groups": read_groups(POLIS / name / "participants-votes.csv"),
    }


def ours(data: dict[str, Any]) -> Callable[[], MergeAnalysis]:
    return lambda: merge_analysis(vote_table(*data["columns"]), data["groups"])


def reddwarf_pipeline() -> Callable[..., Any] | None:
    """red-dwarf's ``run_pipeline``, or None when the test extra is not installed."""
    try:
        from reddwarf.implementations.polis import run_pipeline
    except ImportError:
        return None
    return run_pipeline


def theirs(data: dict[str, Any], run_pipeline: Callable[..., Any]) -> Callable[[], Any]:
    """red-dwarf on our latest votes: it refuses a repeated (participant, statement) pair."""
    table: VoteTable = vote_table(*data["columns"])
    votes = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": 0}
        for p, s, v in zip(
            np.array(table.participant_ids)[table.participant].tolist(),
            np.array(table.statement_ids)[table.statement].tolist(),
            table.vote.tolist(),
            strict=True,
        )
    ]
    return lambda: run_pipeline(votes=votes, random_state=0)


def measure(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best seconds of ``repeat`` runs, peak MiB allocated during one traced run, its result)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    gc.collect()
    tracemalloc.start()
    result = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, result


def same_groups(ours: MergeAnalysis, theirs: Any) -> str:
    """Our k and red-dwarf's, and the adjusted Rand index of the two clusterings."""
    from sklearn.metrics import adjusted_rand_score  # red-dwarf brings scikit-learn

    clustered = theirs.participants_df[theirs.participants_df["to_cluster"]]
    if ours.emergent is None:
        return f"k -/{theirs.clusterer.n_clusters}"
    labels = [ours.emergent.labels[str(p)] for p in clustered.index]
    ari = adjusted_rand_score(clustered["cluster_id"].astype(int), labels)
    return f"k {ours.emergent.k}/{theirs.clusterer.n_clusters}, ARI {ari:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small synthetic conversation (CI)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per case, the best counts (2)")
    args = parser.parse_args()
    size = (1_000, 200, 30_000) if args.quick else (10_000, 1_000, 1_300_000)
    repeat = args.repeat or 2
    warnings.filterwarnings("ignore", module="pydantic")  # red-dwarf's models warn on import
    warnings.filterwarnings("ignore", message="Passing a list to DataFrame.from_dict")  # red-dwarf's pandas
    run_pipeline = reddwarf_pipeline()
    if run_pipeline is None:
        print("red-dwarf is not installed (pip install -e '.[test]'): only our figures")
    cases = [(f"synthetic {size[0]:,} × {size[1]:,}, {size[2]:,} events", synthetic(*size))]
    cases += [(name, polis(name)) for name in CONVERSATIONS]

    print(
        f"{'conversation':<44} {'votes':>9} {'ours s':>8} {'MiB':>7} {'red-dwarf s':>11} {'MiB':>7} "
        f"{'time ×':>7} {'memory ×':>8}  emergent groups"
    )
    for name, data in cases:
        votes = len(vote_table(*data["columns"]))
        our_time, our_peak, analysis = measure(ours(data), repeat)
        if run_pipeline is None:
            print(f"{name:<44} {votes:>9,} {our_time:>8.3f} {our_peak:>7.1f}")
            continue
        their_time, their_peak, result = measure(theirs(data, run_pipeline), repeat)
        print(
            f"{name:<44} {votes:>9,} {our_time:>8.3f} {our_peak:>7.1f} {their_time:>11.3f} "
            f"{their_peak:>7.1f} {their_time / our_time:>7.1f} {their_peak / our_peak:>8.1f}  "
            f"{same_groups(analysis, result)}",
            flush=True,
        )
    print(
        "\nvotes: latest votes after deduplication. time ×, memory ×: red-dwarf's figure over ours (above 1:"
        "\nours is faster or smaller). Ours also computes the declared-group statistics red-dwarf has no"
        "\nnotion of; red-dwarf's time excludes building its list of vote dicts. emergent groups: our k and"
        "\nred-dwarf's, and the adjusted Rand index of the two clusterings (1: the same groups)."
    )


if __name__ == "__main__":
    main()
