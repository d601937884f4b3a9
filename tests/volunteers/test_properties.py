"""Random sequences of sign-ups, cancellations, acceptances, offer expiries and capacity changes.

After every step: ``taken`` never exceeds the capacity and always equals the confirmed sign-ups plus
the offers held; the line is served in order (every place holder stands before everyone waiting);
and nobody waits while a place is free (the shift is far enough ahead for offers).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.errors import Conflict, Invalid
from tests.factories import make_shift, shift_draft
from tests.volunteers.conftest import START
from volunteers import shifts, signups, waitlist
from volunteers.models import Shift, Signup, SignupStatus

S = SignupStatus
PEOPLE = 6

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["sign_up", "cancel", "accept"]), st.integers(0, PEOPLE - 1)),
        st.tuples(st.just("expire"), st.integers(1, 14)),  # hours to move on
        st.tuples(st.just("capacity"), st.integers(1, 4)),
    ),
    max_size=30,
)


def check(session, shift_id: int) -> None:  # type: ignore[no-untyped-def]
    session.flush()
    shift = session.get(Shift, shift_id, populate_existing=True)
    rows = session.execute(select(Signup.status, Signup.position).where(Signup.shift_id == shift_id)).all()
    holders = [position for status, position in rows if status in (S.confirmed, S.offered)]
    waiting = [position for status, position in rows if status is S.waitlisted]
    assert shift.taken <= shift.capacity
    assert shift.taken == len(holders)
    assert not (holders and waiting) or max(holders) < min(waiting)
    assert not waiting or shift.taken == shift.capacity


def step(session, crew, frozen, shift: Shift, action: str, value: int) -> None:  # type: ignore[no-untyped-def]
    if action == "expire":
        waitlist.expire_offers(session, shift.id, frozen.advance(hours=value))
    elif action == "capacity":
        draft = shift_draft(starts_at=shift.starts_at, capacity=value)
        shifts.edit_shift(session, crew.liu, shift_id=shift.id, draft=draft)
    elif action == "sign_up":
        signups.sign_up(session, crew.extra[value], shift_id=shift.id)
    else:
        mine = signups.statuses_for(session, crew.extra[value].id, [shift.id]).get(shift.id)
        if mine is not None and action == "cancel":
            signups.cancel_signup(session, crew.extra[value], signup_id=mine.id)
        elif mine is not None:
            waitlist.accept_offer(session, crew.extra[value], signup_id=mine.id)


def test_capacity_and_the_line_hold_under_any_sequence(session, crew, frozen):
    crew.residents(PEOPLE)

    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps)
    def run(sequence: list[tuple[str, int]]) -> None:
        nested = session.begin_nested()
        try:
            frozen.set(START)
            shift = make_shift(session, crew.liu, crew.team, starts_at=START + timedelta(days=30), capacity=2)
            for action, value in sequence:
                # a refusal (twice, no offer to accept) must change nothing: check() runs after it too
                with suppress(Invalid, Conflict):
                    step(session, crew, frozen, shift, action, value)
                check(session, shift.id)
        finally:
            nested.rollback()

    run()
