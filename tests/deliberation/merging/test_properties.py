"""Properties of the merge analysis over random small vote tables (hypothesis)."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deliberation.merging.analysis import STAKEHOLDER_GROUPS, merge_analysis
from deliberation.merging.votes import vote_table

PEOPLE = [f"p{n}" for n in range(12)]
STATEMENTS = ["1", "2", "3", "4"]

events = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(STATEMENTS), st.sampled_from([1, 0, -1])), max_size=60
)
memberships = st.dictionaries(st.sampled_from(PEOPLE), st.sampled_from(STAKEHOLDER_GROUPS))
# no deadline: a test that fails because the shared machine is busy would be a timed assertion
untimed = settings(deadline=None)


def analysed(rows, groups, times=None):
    participants, statements, votes = zip(*rows, strict=True) if rows else ((), (), ())
    return merge_analysis(vote_table(participants, statements, votes, times), groups)


@untimed
@given(events, memberships)
def test_consensus_never_exceeds_any_group_share(rows, groups):
    for stats in analysed(rows, groups).statements:
        for g in stats.groups.values():
            assert stats.consensus_agree is not None and 0 < stats.consensus_agree <= g.p_agree
            assert stats.consensus_disagree is not None and 0 < stats.consensus_disagree <= g.p_disagree


@untimed
@given(events, memberships, st.data())
def test_an_agreeing_vote_from_a_present_group_never_lowers_consensus(rows, groups, data):
    before = analysed(rows, groups)
    assume(before.groups)
    group = data.draw(st.sampled_from(before.groups))
    statement = data.draw(st.sampled_from([s.id for s in before.statements]))
    after = analysed([*rows, ("newcomer", statement, 1)], groups | {"newcomer": group})
    assert after.groups == before.groups
    assert after.statement(statement).consensus_agree >= before.statement(statement).consensus_agree
    assert after.statement(statement).consensus_disagree <= before.statement(statement).consensus_disagree


@untimed
@given(events, memberships)
def test_counts_add_up_and_shares_leave_room_for_passing(rows, groups):
    analysis = analysed(rows, groups)
    latest = {(p, s): v for p, s, v in rows}  # without times, the later row wins
    for stats in analysis.statements:
        for name, g in stats.groups.items():
            assert g.agree + g.disagree + g.passes == g.seen
            assert g.seen == sum(1 for (p, s) in latest if s == stats.id and groups.get(p) == name)
            assert g.p_agree + g.p_disagree <= 1 + 1e-12


@untimed
@given(events, memberships, st.randoms(use_true_random=False))
def test_row_order_does_not_matter_when_times_are_given(rows, groups, random):
    timed = list(enumerate(rows))
    random.shuffle(timed)
    shuffled = analysed([row for _, row in timed], groups, times=[t for t, _ in timed])
    assert shuffled.statements == analysed(rows, groups, times=list(range(len(rows)))).statements


@untimed
@given(events, memberships)
def test_flipping_every_vote_swaps_agree_and_disagree(rows, groups):
    flipped = analysed([(p, s, -v) for p, s, v in rows], groups)
    for stats, mirror in zip(analysed(rows, groups).statements, flipped.statements, strict=True):
        assert mirror.consensus_agree == stats.consensus_disagree
        assert mirror.consensus_disagree == stats.consensus_agree


@untimed
@given(events, memberships)
def test_meeting_points_need_all_four_groups_each_mostly_agreeing(rows, groups):
    analysis = analysed(rows, groups)
    for sid in analysis.meeting_points:
        stats = analysis.statement(sid)
        assert set(STAKEHOLDER_GROUPS) <= set(stats.groups) and stats.meeting_point
        assert all(g.p_agree > 0.5 and g.z_agree > 1.2816 for g in stats.groups.values())
    if analysis.missing_groups:
        assert analysis.meeting_points == ()
