"""The table of moves on its own (no database): its shape, and the guard every service goes through."""

import pytest

from core.errors import Conflict, PermissionDenied
from deliberation.mediation.lifecycle import MOVES, REFUSALS, TABLE, WHO, Who, allowed, check, may
from deliberation.mediation.models import Action, DisputeStatus

S, A, W = DisputeStatus, Action, Who


def reachable() -> set[DisputeStatus]:
    seen, frontier = {S.applied}, [S.applied]
    while frontier:
        state = frontier.pop()
        for move in MOVES:
            if move.state is state and move.to not in seen:
                seen.add(move.to)
                frontier.append(move.to)
    return seen


def test_every_state_can_be_reached_from_an_application():
    assert reachable() == set(DisputeStatus)


def test_designs_line_is_in_the_table():
    # applied → accepted | declined → in_mediation → agreed | failed → referred → closed
    for state, action, to in [
        (S.applied, A.accept, S.accepted),
        (S.applied, A.decline, S.declined),
        (S.accepted, A.log_meeting, S.in_mediation),
        (S.in_mediation, A.agree, S.agreed),
        (S.in_mediation, A.fail, S.failed),
        (S.failed, A.refer, S.referred),
        (S.agreed, A.close, S.closed),
        (S.referred, A.close, S.closed),
    ]:
        assert TABLE[(state, action)].to is to


def test_a_declined_case_is_final_and_a_closed_one_only_takes_answers_about_sharing():
    assert [m for m in MOVES if m.state is S.declined] == []
    assert {m.action for m in MOVES if m.state is S.closed} == {A.consent}
    assert all(m.to is S.closed for m in MOVES if m.state is S.closed)


def test_one_row_per_state_and_action_and_each_action_names_who_and_why_not():
    assert len(TABLE) == len(MOVES)
    assert set(WHO) == set(REFUSALS) == {a for a in Action if a is not A.apply}
    assert all(m.who for m in MOVES)


def test_parties_never_close_refer_or_decide_and_nobody_but_the_app_agrees():
    for action in (A.close, A.refer, A.accept, A.decline, A.log_meeting, A.propose, A.fail):
        assert W.party not in WHO[action]
    assert WHO[A.agree] == {W.system}
    assert WHO[A.confirm] == WHO[A.consent] == {W.party}


def test_the_guard_says_who_before_when():
    with pytest.raises(PermissionDenied) as refused:
        check(S.agreed, A.close, {W.party})
    assert refused.value.message.key == REFUSALS[A.close]
    with pytest.raises(PermissionDenied):  # the wrong person at the wrong time still hears "not you"
        check(S.applied, A.close, {W.party})
    with pytest.raises(Conflict):
        check(S.applied, A.close, {W.mediator})
    assert check(S.failed, A.close, {W.chair}).to is S.closed


def test_what_each_person_may_do_now():
    assert allowed(S.applied, {W.chair}) == {A.accept, A.decline}
    assert allowed(S.applied, {W.party}) == set()
    assert allowed(S.in_mediation, {W.mediator}) == {A.log_meeting, A.propose, A.fail}
    assert allowed(S.in_mediation, {W.party}) == {A.confirm}
    assert allowed(S.failed, {W.party, W.chair}) == {A.consent, A.refer, A.close}
    assert allowed(S.closed, set()) == set()
    assert may(S.agreed, A.close, {W.mediator}) and not may(S.agreed, A.close, {W.party})
