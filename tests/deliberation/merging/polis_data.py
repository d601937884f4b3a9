"""The Pol.is conversations in tests/data/polis/, with Pol.is's own groups renamed as stakeholder groups."""

from __future__ import annotations

import csv
from pathlib import Path

from deliberation.merging.analysis import STAKEHOLDER_GROUPS
from deliberation.merging.polis_files import read_votes
from deliberation.merging.votes import VoteTable

POLIS = Path(__file__).resolve().parents[2] / "data" / "polis"
CONVERSATIONS = ("scoop-hivemind.ubi", "london.youth.policing", "15-per-hour-seattle")


def votes(name: str) -> VoteTable:
    return read_votes(POLIS / name / "votes.csv")


def stakeholder_groups(name: str) -> dict[str, str]:
    """Pol.is group-id n as the n-th stakeholder group (scoop-hivemind.ubi has all four)."""
    with (POLIS / name / "participants-votes.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    return {row["participant"]: STAKEHOLDER_GROUPS[int(row["group-id"])] for row in rows if row["group-id"]}
