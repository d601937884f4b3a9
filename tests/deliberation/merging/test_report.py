import json

from deliberation.merging.analysis import merge_analysis
from deliberation.merging.report import report_json, report_text
from tests.deliberation.merging.polis_data import stakeholder_groups, votes

GROUP_KEYS = {"agree", "disagree", "pass", "seen", "p_agree", "p_disagree"}


def scoop():
    return merge_analysis(votes("scoop-hivemind.ubi"), stakeholder_groups("scoop-hivemind.ubi"))


def test_the_json_export_has_the_agreed_shape_and_survives_json():
    analysis = scoop()
    export = json.loads(json.dumps(report_json(analysis)))  # numpy numbers would not survive dumps
    assert {"statements", "missing_groups", "emergent"} <= set(export)
    assert export["missing_groups"] == []
    first = export["statements"][0]
    assert isinstance(first["id"], str) and {"groups", "consensus_agree", "consensus_disagree"} <= set(first)
    assert set(first["groups"]) == {"government", "community", "served", "resident"}
    assert all(set(g) >= GROUP_KEYS for g in first["groups"].values())
    assert [s["id"] for s in export["statements"]] == [s.id for s in analysis.statements]


def test_the_json_export_carries_the_analysis_numbers():
    analysis = scoop()
    export = report_json(analysis)
    for stats, exported in zip(analysis.statements, export["statements"], strict=True):
        assert exported["consensus_agree"] == stats.consensus_agree
        for group, g in stats.groups.items():
            numbers = exported["groups"][group]
            assert (numbers["agree"], numbers["disagree"], numbers["pass"], numbers["seen"]) == (
                g.agree,
                g.disagree,
                g.passes,
                g.seen,
            )
            assert (numbers["p_agree"], numbers["p_disagree"]) == (g.p_agree, g.p_disagree)
    assert analysis.emergent is not None and export["emergent"] == dict(analysis.emergent.labels)


def test_participants_without_a_group_are_in_the_emergent_labels_only():
    table, groups = votes("scoop-hivemind.ubi"), stakeholder_groups("scoop-hivemind.ubi")
    dropped = set(list(groups)[:20])
    export = report_json(merge_analysis(table, {p: g for p, g in groups.items() if p not in dropped}))
    assert dropped <= set(export["emergent"])  # still clustered
    assert export["emergent"] == report_json(merge_analysis(table, groups))["emergent"]
    assert export["ungrouped"] == 20 and sum(export["voters"].values()) == len(groups) - 20
    assert export["overlap"]["groups"][-1] is None  # the row of clustered participants with no group
    assert sum(export["overlap"]["counts"][-1]) == 20


def test_the_text_report_says_who_took_part_what_is_missing_and_where_they_meet():
    analysis = scoop()
    text = report_text(analysis)
    for group, count in analysis.voters.items():
        assert f"{group} " in text and f": {count}\n" in text
    assert "Missing groups: none" in text
    assert f"Meeting points (交融点): {len(analysis.meeting_points)}" in text
    for sid in analysis.meeting_points[:5]:
        assert f"statement {sid}: consensus" in text
    for sid in analysis.divisive:
        assert f"statement {sid}: spread" in text
    assert analysis.emergent is not None and f"k = {analysis.emergent.k}" in text


def test_the_text_report_names_missing_groups_and_a_split():
    analysis = merge_analysis(votes("london.youth.policing"), stakeholder_groups("london.youth.policing"))
    text = report_text(analysis)
    assert "Missing groups: resident (市民)" in text and "a meeting point needs all four" in text
    assert analysis.split_groups and scoop().split_groups == ()
    for group in analysis.split_groups:
        assert f"opinion splits inside {group}" in text
