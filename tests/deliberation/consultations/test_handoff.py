"""转办网格 and back: the case a resolution becomes, its steps on the consultation's timeline, and 办结."""

import pytest
from sqlalchemy import select

from accounts.models import Notification
from core.errors import Conflict, PermissionDenied
from deliberation.consultations import handoff, listing, participants
from deliberation.consultations.models import State
from deliberation.forums import posts
from grid import cases
from grid.models import CaseSource, CaseState
from tests.deliberation.consultations.conftest import adopt, advance
from tests.grid.conftest import class_id, walk


@pytest.fixture
def agreed(session, cast, consultation):
    advance(session, cast.zhou_jiaoshou, consultation, "open")
    posts.post_reply(
        session, cast.li_shifu, thread_id=consultation.thread_id, body="摊主同意试点。", stance="support"
    )
    advance(session, cast.zhou_jiaoshou, consultation, "deliberate")
    adopt(session, cast, consultation)
    return advance(session, cast.zhou_jiaoshou, consultation, "agree")


def test_the_adopted_resolution_becomes_a_case_that_everyone_who_took_part_follows(session, cast, agreed):
    case = handoff.hand_off(
        session, cast.zhou_jiaoshou, agreed.id, class_id=class_id(session, "event", "0502")
    )
    assert agreed.state is State.handed_off
    assert (case.source, case.source_ref, case.state) == (
        CaseSource.consultation,
        str(agreed.id),
        CaseState.reported,
    )
    assert case.cell_id == cast.cell.id and case.title == agreed.title
    assert case.description == "在银河路口试点三个摊位。"
    followers = cases.follower_ids(session, case.id)
    assert {cast.zhou_jiaoshou.id, cast.chen_weiyuan.id, cast.li_shifu.id} <= followers
    assert followers == handoff.participants(session, agreed)
    assert listing.timeline(session, agreed.id)[-1].action == "hand_off"


def test_it_is_handed_over_once_and_only_when_agreed_by_who_steers_it(session, cast, consultation, agreed):
    with pytest.raises(PermissionDenied):
        handoff.hand_off(session, cast.wang_ayi, agreed.id, class_id=None)
    handoff.hand_off(session, cast.chen_weiyuan, agreed.id, class_id=None)
    with pytest.raises(Conflict):
        handoff.hand_off(session, cast.zhou_jiaoshou, agreed.id, class_id=None)
    assert len(cases.list_public(session).items) == 1


def test_a_consultation_not_yet_agreed_is_not_handed_over(session, cast, consultation):
    advance(session, cast.zhou_jiaoshou, consultation, "open")
    with pytest.raises(Conflict):
        handoff.hand_off(session, cast.zhou_jiaoshou, consultation.id, class_id=None)


def test_each_case_step_is_on_the_timeline_and_the_consultation_closes_with_its_case(session, cast, agreed):
    case = handoff.hand_off(session, cast.zhou_jiaoshou, agreed.id, class_id=None)
    walk(session, cast.zhang_wangge, case, "register", "dispatch", "handle", "pass")
    assert agreed.state is State.handed_off
    walk(session, cast.zhang_wangge, case, "close")
    assert agreed.state is State.closed
    timeline = listing.timeline(session, agreed.id)
    actions = [s.action for s in timeline]
    assert actions[-6:] == [
        "hand_off",
        "case_registered",
        "case_dispatched",
        "case_handled",
        "case_verified",
        "case_closed",
    ]
    assert timeline[-1].actor_name is None  # the one move the system makes
    assert timeline[-1].to_state is State.closed


def test_nobody_hears_of_one_step_twice(session, cast, agreed):
    case = handoff.hand_off(session, cast.zhou_jiaoshou, agreed.id, class_id=None)
    later = cast.wang_ayi  # follows the consultation after the hand-off, so not the case
    participants.follow(session, later, agreed.id, True)
    walk(session, cast.zhang_wangge, case, "register", "dispatch", "handle", "pass", "close")

    def kinds(user):
        return session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()

    li = kinds(cast.li_shifu)  # took part, so follows the case
    assert li.count("case_moved") == 4 and li.count("case_confirm") == 1
    assert "consultation_case" not in li
    assert (
        li.count("consultation_moved") == 3
    )  # opened, deliberating, agreed; not closed, which the case said
    wang = kinds(later)
    assert wang.count("consultation_case") == 4 and wang.count("consultation_moved") == 1  # the close
    assert "case_moved" not in wang
