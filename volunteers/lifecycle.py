"""The sign-up state machine (报名状态): one table of allowed moves, and the one place ``taken`` changes.

``pending_approval → confirmed | waitlisted → offered → confirmed | expired``, then ``cancelled |
late_cancelled | attended | no_show``. Besides DESIGN.md's line: a leader's lowering of a shift's
capacity moves a confirmed or offered sign-up back to the waitlist, a declined offer is cancelled, and a
leader may correct a no-show to attended.

``taken`` counts the sign-ups holding a place: confirmed ones and offers still held; attended and
no-show are confirmed places that were used (or not), so they keep holding theirs and a check-in
never frees a place. Callers hold the shift's row lock (``volunteers.access.lock_shift``).
"""

from __future__ import annotations

from datetime import datetime

from core.errors import N_, Conflict, Msgid
from volunteers.models import Shift, Signup, SignupStatus

S = SignupStatus

MOVES: dict[SignupStatus, frozenset[SignupStatus]] = {
    S.pending_approval: frozenset({S.confirmed, S.waitlisted, S.cancelled}),
    S.waitlisted: frozenset({S.offered, S.cancelled}),
    S.offered: frozenset({S.confirmed, S.expired, S.cancelled, S.waitlisted}),
    S.confirmed: frozenset({S.cancelled, S.late_cancelled, S.attended, S.no_show, S.waitlisted}),
    S.no_show: frozenset({S.attended}),
    S.attended: frozenset(),
    S.expired: frozenset(),
    S.cancelled: frozenset(),
    S.late_cancelled: frozenset(),
}

HOLDS_PLACE = frozenset({S.confirmed, S.offered, S.attended, S.no_show})
# still in the running for the shift: these count for overlaps and block a second sign-up
ACTIVE = frozenset({S.pending_approval, S.waitlisted, S.offered, S.confirmed})


def can_move(signup: Signup, to: SignupStatus) -> bool:
    """Whether the table allows ``signup`` to go to ``to`` now."""
    return to in MOVES[signup.status]


def move(
    shift: Shift, signup: Signup, to: SignupStatus, now: datetime, offer_until: datetime | None = None
) -> None:
    """Move ``signup`` to ``to`` if the table allows it, keeping ``shift.taken`` in step."""
    if not can_move(signup, to):
        raise Conflict(
            N_("This sign-up is now: %(status)s. Reload the page."), status=Msgid(signup.status.label)
        )
    if (to is S.offered) != (offer_until is not None):
        raise ValueError("an offer, and only an offer, has an expiry")
    shift.taken += int(to in HOLDS_PLACE) - int(signup.status in HOLDS_PLACE)
    signup.status, signup.changed_at, signup.offer_expires_at = to, now, offer_until


def admit(shift: Shift, signup: Signup, status: SignupStatus, now: datetime) -> None:
    """Give a new sign-up its first state: a place in line (unless pending) and, if confirmed, a place."""
    if status not in (S.pending_approval, S.confirmed, S.waitlisted):
        raise ValueError(f"a sign-up cannot start as {status}")
    signup.status, signup.created_at, signup.changed_at = status, now, now
    signup.position = None if status is S.pending_approval else place_in_line(shift)
    shift.taken += int(status in HOLDS_PLACE)


def place_in_line(shift: Shift) -> int:
    """The next place in the shift's line: counted on the locked shift row, so it follows commit order."""
    shift.next_position += 1
    return shift.next_position
