"""On the day: check-in and check-out, attendance afterwards, and the hours ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import Conflict, Invalid, PermissionDenied
from tests.factories import make_shift
from volunteers import checkin, hours, signups
from volunteers.models import HoursKind, SignupStatus

S = SignupStatus


@pytest.fixture
def shift_with_two(session, crew, frozen):  # type: ignore[no-untyped-def]
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(days=1), hours=3)
    a, b = crew.residents(2)
    return (
        shift,
        signups.sign_up(session, a, shift_id=shift.id),
        signups.sign_up(session, b, shift_id=shift.id),
    )


def test_check_in_opens_two_hours_before_and_is_for_the_teams_leaders(session, crew, frozen, shift_with_two):
    shift, first, _second = shift_with_two
    with pytest.raises(Invalid):
        checkin.check_in(session, crew.liu, signup_id=first.id)
    frozen.set(shift.starts_at - timedelta(hours=2))
    for outsider in (crew.wu, first_person := crew.extra[0]):
        with pytest.raises(PermissionDenied):
            checkin.check_in(session, outsider, signup_id=first.id)
    assert first_person.id == first.user_id  # not even for oneself
    assert checkin.check_in(session, crew.liu, signup_id=first.id).status is S.attended
    assert shift.taken == 2  # a check-in frees no place


def test_check_out_writes_the_hours_inside_the_shift(session, crew, frozen, shift_with_two):
    shift, first, _second = shift_with_two
    frozen.set(shift.starts_at - timedelta(minutes=30))
    checkin.check_in(session, crew.liu, signup_id=first.id)
    frozen.set(shift.starts_at + timedelta(hours=2))
    record = checkin.check_out(session, crew.liu, signup_id=first.id)
    assert (record.kind, record.minutes, record.served_on) == (HoursKind.shift, 120, date(2030, 3, 5))
    with pytest.raises(Conflict):
        checkin.check_out(session, crew.liu, signup_id=first.id)


def test_after_the_shift_the_leader_says_who_came(session, crew, frozen, shift_with_two):
    shift, first, second = shift_with_two
    with pytest.raises(Invalid):  # not started yet
        checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[first.id])
    frozen.set(shift.ends_at)
    with pytest.raises(Invalid):
        checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[first.id], missed=[first.id])
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[first.id], missed=[second.id])
    assert (first.status, second.status) == (S.attended, S.no_show)
    lines = hours.hours_of(session, crew.extra[0], user_id=first.user_id)
    assert [(line.activity, line.minutes, line.verified) for line in lines] == [(shift.title, 180, False)]
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[second.id])  # corrected: they came
    assert second.status is S.attended
    with pytest.raises(Invalid):  # one who came does not become a no-show
        checkin.record_attendance(session, crew.liu, shift_id=shift.id, missed=[first.id])


def test_only_signups_of_the_shift_can_be_marked(session, crew, frozen, shift_with_two):
    shift, first, _second = shift_with_two
    elsewhere = make_shift(session, crew.liu, crew.team, starts_at=shift.starts_at + timedelta(days=1))
    stranger = signups.sign_up(session, crew.cast.wang_ayi, shift_id=elsewhere.id)
    frozen.set(shift.ends_at)
    with pytest.raises(Invalid):
        checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[first.id, stranger.id])
    assert first.status is S.confirmed


def test_leaders_correct_hours_with_a_note_and_verify_others_lines(session, crew, frozen, shift_with_two):
    shift, first, _second = shift_with_two
    frozen.set(shift.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[first.id])
    with pytest.raises(Invalid) as refused:
        hours.adjust_hours(
            session, crew.liu, team_id=crew.team.id, user_id=first.user_id, minutes=0, note=" "
        )
    assert set(refused.value.errors) == {"minutes", "note"}
    with pytest.raises(PermissionDenied):
        hours.adjust_hours(
            session, crew.wu, team_id=crew.team.id, user_id=first.user_id, minutes=30, note="补记"
        )
    hours.adjust_hours(
        session, crew.liu, team_id=crew.team.id, user_id=first.user_id, minutes=-30, note="提前离开"
    )
    lines = hours.team_hours(session, crew.liu, team_id=crew.team.id)
    assert (
        hours.verify_hours(session, crew.liu, team_id=crew.team.id, record_ids=[line.id for line in lines])
        == 2
    )
    lines = hours.hours_of(session, crew.liu, user_id=first.user_id, team_id=crew.team.id)
    assert [(line.kind, line.minutes, line.verified) for line in lines] == [
        (HoursKind.shift, 180, True),
        (HoursKind.adjustment, -30, True),
    ]
    assert hours.total_minutes(lines, verified_only=True) == 150


@pytest.mark.parametrize("who", ["nobody", "wu"])
def test_hours_are_corrected_only_for_someone_of_the_team(session, crew, who):
    """The form's hidden user id was fuzzed to 0: the insert broke a foreign key (a 500); another team's
    leader, who is no one of this team, gets no hours from it either."""
    user_id = 0 if who == "nobody" else crew.wu.id
    with pytest.raises(Invalid) as refused:
        hours.adjust_hours(session, crew.liu, team_id=crew.team.id, user_id=user_id, minutes=30, note="补记")
    assert set(refused.value.errors) == {"user_id"}


def test_a_verified_line_is_never_rewritten(session, crew, frozen, shift_with_two):
    shift, first, _second = shift_with_two
    frozen.set(shift.starts_at)
    checkin.check_in(session, crew.liu, signup_id=first.id)
    frozen.set(shift.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[first.id])
    [line] = hours.team_hours(session, crew.liu, team_id=crew.team.id)
    hours.verify_hours(session, crew.liu, team_id=crew.team.id, record_ids=[line.id])
    frozen.advance(hours=1)
    record = checkin.check_out(session, crew.liu, signup_id=first.id)
    assert record.minutes == 180 and record.verified_at is not None


def test_a_leader_does_not_verify_their_own_hours(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(days=1))
    own = signups.sign_up(session, crew.liu, shift_id=shift.id)
    frozen.set(shift.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[own.id])
    [line] = hours.team_hours(session, crew.liu, team_id=crew.team.id)
    assert hours.verify_hours(session, crew.liu, team_id=crew.team.id, record_ids=[line.id]) == 0
    assert hours.verify_hours(session, crew.cast.admin, team_id=crew.team.id, record_ids=[line.id]) == 1


def test_a_volunteers_ledger_is_theirs_and_their_teams_leaders(session, crew, frozen, shift_with_two):
    _shift, first, _second = shift_with_two
    with pytest.raises(PermissionDenied):
        hours.hours_of(session, crew.cast.wang_ayi, user_id=first.user_id)
    with pytest.raises(PermissionDenied):
        hours.hours_of(session, crew.wu, user_id=first.user_id, team_id=crew.team.id)
    with pytest.raises(PermissionDenied):
        hours.team_hours(session, crew.cast.wang_ayi, team_id=crew.team.id)
    assert hours.hours_of(session, crew.cast.admin, user_id=first.user_id) == []
