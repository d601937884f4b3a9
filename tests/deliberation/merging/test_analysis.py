"""The merge analysis on tables small enough to check by hand from the formulas in its docstring."""

import csv
import math
import subprocess
import sys

import pytest

from accounts.models import StakeholderGroup
from deliberation.merging.analysis import (
    STAKEHOLDER_GROUPS,
    merge_analysis,
    proportion_test,
    two_proportion_test,
)
from deliberation.merging.votes import vote_table
from tests.deliberation.merging.polis_data import POLIS, stakeholder_groups, votes

GROUPS = {"g1": "government", "g2": "government", "c1": "community", "v1": "served", "r1": "resident"}
GROUPS |= {"r2": "resident"}


def table_of(rows):
    """``"g1 s1 +1"`` lines: participant, statement, vote."""
    participants, statements, values = zip(*(row.split() for row in rows), strict=True)
    return vote_table(participants, statements, [int(v) for v in values])


def hand_analysis(extra=()):
    """s1: everyone agrees but r2 passes; s2: g1 and r1 disagree, c1 agrees, served never sees it."""
    rows = ["g1 s1 +1", "g2 s1 +1", "c1 s1 +1", "v1 s1 +1", "r1 s1 +1", "r2 s1 0"]
    rows += ["g1 s2 -1", "c1 s2 +1", "r1 s2 -1", *extra]
    return merge_analysis(table_of(rows), GROUPS)


def test_counts_and_laplace_shares_per_group():
    s1 = hand_analysis().statement("s1")
    resident = s1.groups["resident"]
    assert (resident.agree, resident.disagree, resident.passes, resident.seen) == (1, 0, 1, 2)
    assert resident.p_agree == (1 + 1) / (2 + 2) and resident.p_disagree == (0 + 1) / (2 + 2)
    government = s1.groups["government"]
    assert (government.agree, government.seen, government.p_agree) == (2, 2, 3 / 4)


def test_consensus_is_the_product_over_the_groups():
    s1 = hand_analysis().statement("s1")
    assert s1.consensus_agree == pytest.approx(3 / 4 * 2 / 3 * 2 / 3 * 2 / 4, abs=1e-15)
    assert s1.consensus_disagree == pytest.approx(1 / 4 * 1 / 3 * 1 / 3 * 1 / 4, abs=1e-15)


def test_a_group_that_did_not_see_a_statement_counts_at_one_half():
    s2 = hand_analysis().statement("s2")
    assert s2.groups["served"].seen == 0 and s2.groups["served"].p_agree == 1 / 2
    assert s2.consensus_agree == pytest.approx(1 / 3 * 2 / 3 * 1 / 2 * 1 / 3, abs=1e-15)
    assert s2.consensus_disagree == pytest.approx(2 / 3 * 1 / 3 * 1 / 2 * 2 / 3, abs=1e-15)


def test_one_proportion_test_as_pol_is_writes_it():
    s1 = hand_analysis().statement("s1")
    assert s1.groups["government"].z_agree == pytest.approx(2 * math.sqrt(3) * (3 / 3 - 1 / 2))  # √3
    assert s1.groups["community"].z_agree == pytest.approx(math.sqrt(2))
    assert s1.groups["resident"].z_agree == pytest.approx(2 * math.sqrt(3) * (2 / 3 - 1 / 2))  # √3 / 3
    assert float(proportion_test(0, 0)) == pytest.approx(1.0)  # nobody saw it: never significant


def test_two_proportion_test_against_the_other_groups():
    government = hand_analysis().statement("s1").groups["government"]
    # in: 2 of 2 agree (a1 = 3, n1 = 3); the rest: 3 of 4 (a2 = 4, n2 = 5); p̂ = 7 / 8
    assert government.z_repness_agree == pytest.approx(
        (1 - 4 / 5) / math.sqrt(7 / 8 * 1 / 8 * (1 / 3 + 1 / 5))
    )
    assert government.repness_agree == pytest.approx((3 / 4) / ((3 + 1) / (4 + 2)))
    # everyone agreeing makes p̂ = 1: no difference, not a division by zero
    assert float(two_proportion_test(2, 2, 4, 4)) == 0.0


def test_a_meeting_point_needs_every_group_to_agree_significantly():
    assert hand_analysis().meeting_points == ()  # the residents' √3 / 3 is below 1.2816
    changed = hand_analysis(["r2 s1 +1"])  # r2's later vote: every group's z is now √3 or √2
    assert changed.statement("s1").groups["resident"].z_agree == pytest.approx(math.sqrt(3))
    assert changed.meeting_points == ("s1",)


def test_without_all_four_groups_nothing_is_a_meeting_point_and_the_missing_are_named():
    groups = {p: g for p, g in GROUPS.items() if g != "served"}
    analysis = merge_analysis(table_of(["g1 s1 +1", "g2 s1 +1", "c1 s1 +1", "r1 s1 +1", "r2 s1 +1"]), groups)
    assert analysis.missing_groups == ("served",)
    assert analysis.groups == ("government", "community", "resident")
    s1 = analysis.statement("s1")
    assert all(g.z_agree > 1.2816 for g in s1.groups.values()) and not s1.meeting_point
    assert s1.consensus_agree == pytest.approx(3 / 4 * 2 / 3 * 3 / 4)


def test_participants_without_a_group_count_in_no_group():
    analysis = merge_analysis(table_of(["g1 s1 +1", "x s1 -1", "y s1 -1"]), {"g1": "government"})
    assert analysis.voters == {"government": 1} and analysis.ungrouped == 2
    assert analysis.statement("s1").groups["government"].disagree == 0
    assert analysis.statement("s1").consensus_agree == 2 / 3


def test_without_any_group_consensus_is_unknown_not_one():
    analysis = merge_analysis(table_of(["x s1 1", "y s1 1"]), {})
    assert analysis.statement("s1").consensus_agree is None and analysis.groups == ()
    assert analysis.missing_groups == STAKEHOLDER_GROUPS


def test_divisiveness_is_the_spread_over_the_groups_that_saw_it():
    analysis = hand_analysis()
    assert analysis.statement("s1").divisiveness == pytest.approx(3 / 4 - 2 / 4)
    assert analysis.statement("s2").divisiveness == pytest.approx(2 / 3 - 1 / 3)  # served's ½ left out
    assert analysis.divisive == ("s2", "s1")
    lone = merge_analysis(table_of(["g1 s1 +1", "g1 s2 -1"]), GROUPS)
    assert lone.statement("s1").divisiveness == 0 and lone.divisive == ()


def test_representative_statements_set_a_group_apart_in_their_direction():
    rows = [f"r{n} s1 +1" for n in range(10)] + [f"g{n} s1 -1" for n in range(10)]
    rows += [f"r{n} s2 +1" for n in range(10)] + [f"g{n} s2 +1" for n in range(10)]
    groups = {f"r{n}": "resident" for n in range(10)} | {f"g{n}": "government" for n in range(10)}
    analysis = merge_analysis(table_of(rows), groups)
    (resident,) = analysis.representative["resident"]
    (government,) = analysis.representative["government"]
    assert (resident.statement, resident.direction) == ("s1", "agree")  # s2: everyone agrees, nothing apart
    assert (government.statement, government.direction) == ("s1", "disagree")
    # in: 10 of 10 disagree (a1 = 11, n1 = 11); rest: 0 of 10 (a2 = 1, n2 = 11); p̂ = 12 / 22
    pooled = 12 / 22
    assert government.z_repness == pytest.approx((1 - 1 / 11) / math.sqrt(pooled * (1 - pooled) * 2 / 11))
    assert government.repness == pytest.approx((11 / 12) / (1 / 12))


def test_stakeholder_groups_are_the_account_groups():
    assert tuple(g.value for g in StakeholderGroup) == STAKEHOLDER_GROUPS


def test_the_analysis_imports_no_database_and_no_web():
    loaded = _imports_of("analysis", "report", "polis_files")
    for name in ("sqlalchemy", "starlette", "jinja2", "web"):
        assert not any(module == name or module.startswith(name + ".") for module in loaded), name


def _imports_of(*modules):
    """The modules a fresh interpreter has loaded after importing ``deliberation.merging.<modules>``."""
    imports = "; ".join(f"import deliberation.merging.{module}" for module in modules)
    code = f"{imports}; import sys; print(' '.join(sys.modules))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()


def test_london_statement_by_hand():
    """Statement 22 of london.youth.policing, counted straight from votes.csv (latest vote per person)."""
    groups = stakeholder_groups("london.youth.policing")
    latest = {}
    with (POLIS / "london.youth.policing" / "votes.csv").open(newline="") as file:
        for row in sorted(csv.DictReader(file), key=lambda r: int(r["timestamp"])):
            if row["comment-id"] == "22":
                latest[row["voter-id"]] = int(row["vote"])
    tally = {g: [v for p, v in latest.items() if groups.get(p) == g] for g in set(groups.values())}
    # what the file says, tallied by hand: government (Pol.is group 0) 1 agree and 2 disagree,
    # community (group 1) 15 agree, served (group 2) 3 disagree
    assert {g: sorted(v) for g, v in tally.items()} == {
        "government": [-1, -1, 1],
        "community": [1] * 15,
        "served": [-1, -1, -1],
    }
    s22 = merge_analysis(votes("london.youth.policing"), groups).statement("22")
    government, community, served = (s22.groups[g] for g in ("government", "community", "served"))
    assert (government.p_agree, government.p_disagree) == (2 / 5, 3 / 5)
    assert (community.p_agree, community.p_disagree) == (16 / 17, 1 / 17)
    assert (served.p_agree, served.p_disagree) == (1 / 5, 4 / 5)
    assert community.z_agree == pytest.approx(2 * math.sqrt(16) * (16 / 16 - 1 / 2))
    assert s22.consensus_agree == pytest.approx(2 / 5 * 16 / 17 * 1 / 5)
    assert s22.consensus_disagree == pytest.approx(3 / 5 * 1 / 17 * 4 / 5)
    assert s22.divisiveness == pytest.approx(16 / 17 - 1 / 5)
