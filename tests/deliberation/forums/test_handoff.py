"""A moderator or committee member hands a thread to the grid, once; the thread shows the case."""

import pytest

from core.errors import Conflict, PermissionDenied
from deliberation.consultations import convening
from deliberation.forums import handoff, posts, threads
from grid import cases
from grid.models import CaseSource


@pytest.fixture
def thread(session, cast):
    made = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="楼道杂物", body="谁来清？"
    )
    posts.post_reply(session, cast.li_shifu, thread_id=made.id, body="我也看到了", stance="support")
    session.flush()
    return made


def test_a_moderator_hands_a_thread_over_and_its_voices_follow_the_case(session, cast, thread):
    case = handoff.hand_off_thread(session, cast.sun_banzhu, thread.id, class_id=None, note="请网格处理")
    assert (case.source, case.source_ref, case.cell_id) == (CaseSource.forum, str(thread.id), cast.cell.id)
    assert case.description == "谁来清？"
    assert {cast.wang_ayi.id, cast.li_shifu.id} <= cases.follower_ids(session, case.id)
    assert cases.case_for_source(session, CaseSource.forum, str(thread.id)).id == case.id
    with pytest.raises(Conflict):
        handoff.hand_off_thread(session, cast.zhou_jiaoshou, thread.id, class_id=None)


def test_residents_do_not_hand_threads_over(session, cast, thread):
    for who in (cast.wang_ayi, cast.zhang_wangge, None):
        with pytest.raises(PermissionDenied):
            handoff.hand_off_thread(session, who, thread.id, class_id=None)


def test_a_consultation_s_thread_is_handed_over_from_the_consultation(session, cast, thread):
    convening.convene(
        session,
        cast.zhou_jiaoshou,
        title="楼道杂物",
        question="怎么清？",
        scope=cast.cell.code,
        thread_id=thread.id,
    )
    session.flush()
    with pytest.raises(Conflict):
        handoff.hand_off_thread(session, cast.sun_banzhu, thread.id, class_id=None)
