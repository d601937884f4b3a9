"""At 核查, those who raised it say whether it is solved; the checker sees their answers."""

import pytest

from core.errors import Conflict, Invalid, PermissionDenied
from grid import cases, confirmations
from tests.grid.conftest import walk


def test_a_follower_answers_once_per_check_and_may_change_the_answer(session, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register", "dispatch", "handle")
    assert confirmations.may_answer(reported.state, cases.is_following(session, cast.wang_ayi, reported.id))
    confirmations.answer(session, cast.wang_ayi, reported.id, solved=False, note="还在晃")
    confirmations.answer(session, cast.wang_ayi, reported.id, solved=True, note="修好了")
    found = confirmations.answers(session, reported.id, reported.verify_round)
    assert [(a.solved, a.note) for a in found] == [(True, "修好了")]


def test_a_new_check_after_rework_asks_again(session, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register", "dispatch", "handle")
    confirmations.answer(session, cast.wang_ayi, reported.id, solved=False, note="没修好")
    walk(session, cast.zhang_wangge, reported, "rework", "handle")
    assert confirmations.answers(session, reported.id, reported.verify_round) == []
    assert len(confirmations.answers(session, reported.id, reported.verify_round - 1)) == 1


def test_only_followers_answer_and_only_while_the_check_waits(session, cast, reported):
    with pytest.raises(Conflict):
        confirmations.answer(session, cast.wang_ayi, reported.id, solved=True, note="")
    walk(session, cast.zhang_wangge, reported, "register", "dispatch", "handle")
    with pytest.raises(PermissionDenied):
        confirmations.answer(session, cast.li_shifu, reported.id, solved=True, note="")
    with pytest.raises(Invalid) as refused:
        confirmations.answer(session, cast.wang_ayi, reported.id, solved=None, note="长" * 1001)
    assert set(refused.value.errors) == {"solved", "note"}
    assert confirmations.answers(session, reported.id, reported.verify_round) == []
