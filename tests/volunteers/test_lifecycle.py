"""The sign-up state machine's table, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import Conflict
from volunteers.lifecycle import ACTIVE, HOLDS_PLACE, MOVES, admit, move
from volunteers.models import ENDED, Shift, Signup, SignupStatus

S = SignupStatus
NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)


def a_shift(capacity: int = 2) -> Shift:
    return Shift(capacity=capacity, taken=0, next_position=0)


def test_the_design_line_of_states_is_in_the_table():
    line = [
        (S.pending_approval, S.confirmed), (S.pending_approval, S.waitlisted), (S.waitlisted, S.offered),
        (S.offered, S.confirmed), (S.offered, S.expired), (S.confirmed, S.cancelled),
        (S.confirmed, S.late_cancelled), (S.confirmed, S.attended), (S.confirmed, S.no_show),
    ]  # fmt: skip
    assert all(to in MOVES[start] for start, to in line)
    assert set(MOVES) == set(SignupStatus)


def test_ended_states_go_nowhere_and_are_neither_active_nor_holding():
    for status in ENDED:
        assert MOVES[status] == frozenset() and status not in ACTIVE | HOLDS_PLACE


def test_taken_follows_every_move():
    shift, signup = a_shift(), Signup()
    admit(shift, signup, S.waitlisted, NOW)
    assert (shift.taken, signup.position) == (0, 1)
    move(shift, signup, S.offered, NOW, offer_until=NOW)
    assert shift.taken == 1
    move(shift, signup, S.confirmed, NOW)
    assert (shift.taken, signup.offer_expires_at) == (1, None)
    move(shift, signup, S.late_cancelled, NOW)
    assert shift.taken == 0


def test_a_move_outside_the_table_is_refused_and_changes_nothing():
    shift, signup = a_shift(), Signup()
    admit(shift, signup, S.confirmed, NOW)
    move(shift, signup, S.cancelled, NOW)
    with pytest.raises(Conflict):
        move(shift, signup, S.confirmed, NOW)
    assert (signup.status, shift.taken) == (S.cancelled, 0)


def test_only_an_offer_has_an_expiry():
    shift, signup = a_shift(), Signup()
    admit(shift, signup, S.waitlisted, NOW)
    with pytest.raises(ValueError):
        move(shift, signup, S.offered, NOW)
    with pytest.raises(ValueError):
        admit(a_shift(), Signup(), S.offered, NOW)


def test_pending_approval_holds_no_place_and_no_place_in_line():
    shift, signup = a_shift(), Signup()
    admit(shift, signup, S.pending_approval, NOW)
    assert (shift.taken, shift.next_position, signup.position) == (0, 0, None)
