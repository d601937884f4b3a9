"""Signing up, the rules a sign-up must meet, the waiting list and offers (service tests)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts import notifications
from core import jobs
from core.errors import Invalid, PermissionDenied
from tests.factories import make_shift, shift_draft
from volunteers import checkin, profiles, shifts, signups, waitlist
from volunteers.models import Shift, Signup, SignupStatus, Skill

S = SignupStatus


def statuses(session, shift_id: int) -> list[tuple[str, SignupStatus]]:
    rows = session.execute(
        select(Signup.user_id, Signup.status)
        .where(Signup.shift_id == shift_id)
        .order_by(Signup.position, Signup.id)
    )
    return [(uid, status) for uid, status in rows]


def taken(session, shift_id: int) -> int:
    session.flush()
    return session.scalar(select(Shift.taken).where(Shift.id == shift_id))


def kinds_told(session, user) -> list[str]:
    return [n.kind for n in notifications.notifications_for(session, user).items]


def test_a_signup_is_confirmed_while_places_are_free(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=2)
    signup = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert signup.status is S.confirmed and signup.position == 1
    assert taken(session, shift.id) == 1


def test_signup_waitlists_when_shift_full(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second, third = crew.residents(3)
    signups.sign_up(session, first, shift_id=shift.id)
    assert signups.sign_up(session, second, shift_id=shift.id).status is S.waitlisted
    assert signups.sign_up(session, third, shift_id=shift.id).position == 3
    assert [s for _u, s in statuses(session, shift.id)] == [S.confirmed, S.waitlisted, S.waitlisted]
    assert taken(session, shift.id) == 1


def test_signing_up_twice_is_refused(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert refused.value.errors["shift"].params == {"shift": shift.title}


def test_a_visitor_cannot_sign_up(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    with pytest.raises(PermissionDenied):
        signups.sign_up(session, None, shift_id=shift.id)


def test_overlapping_shifts_are_refused_and_the_message_names_the_other(session, crew, frozen):
    start = frozen.now + timedelta(days=2)
    morning = make_shift(session, crew.liu, crew.team, title="早市巡逻", starts_at=start, hours=3)
    late_morning = make_shift(
        session, crew.wu, crew.other_team, title="助老探访", starts_at=start + timedelta(hours=2)
    )
    afternoon = make_shift(
        session, crew.liu, crew.team, title="午后清扫", starts_at=start + timedelta(hours=3)
    )
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=morning.id)
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=late_morning.id)
    message = refused.value.errors["overlap"]
    assert message.params["shift"] == "助老探访" and message.params["other"] == "早市巡逻"
    assert (
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=afternoon.id).status is S.confirmed
    )  # touching


def test_a_waitlisted_shift_counts_for_overlap_but_a_cancelled_one_does_not(session, crew, frozen):
    start = frozen.now + timedelta(days=2)
    full = make_shift(session, crew.liu, crew.team, starts_at=start, capacity=1)
    same_time = make_shift(session, crew.wu, crew.other_team, starts_at=start)
    signups.sign_up(session, crew.cast.li_shifu, shift_id=full.id)
    waiting = signups.sign_up(session, crew.cast.wang_ayi, shift_id=full.id)
    with pytest.raises(Invalid):
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=same_time.id)
    signups.cancel_signup(session, crew.cast.wang_ayi, signup_id=waiting.id)
    assert signups.sign_up(session, crew.cast.wang_ayi, shift_id=same_time.id).status is S.confirmed


def test_required_skills_are_checked_one_message_per_skill(session, crew):
    shift = make_shift(
        session,
        crew.liu,
        crew.team,
        title="助老义诊",
        skills=frozenset({Skill.first_aid, Skill.elderly_care}),
    )
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert set(refused.value.errors) == {"skill_first_aid", "skill_elderly_care"}
    assert refused.value.errors["skill_first_aid"].params == {"shift": "助老义诊", "skill": "First aid"}
    profiles.set_profile(
        session, crew.cast.wang_ayi, birth_date=None, skills={Skill.first_aid, Skill.elderly_care}
    )
    assert signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id).status is S.confirmed


def test_minimum_age_needs_a_birth_date_and_is_checked_on_the_day_of_the_shift(session, crew, frozen):
    start = frozen.now + timedelta(days=2)
    shift = make_shift(session, crew.liu, crew.team, starts_at=start, min_age=18)
    young, old_enough = crew.residents(2)
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, young, shift_id=shift.id)
    assert "date of birth" in refused.value.errors["age"].key
    shift_day = start.date()
    profiles.set_profile(
        session, young, birth_date=shift_day.replace(year=shift_day.year - 18) + timedelta(days=1), skills=()
    )
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, young, shift_id=shift.id)
    assert refused.value.errors["age"].params == {"shift": shift.title, "age": 18}
    profiles.set_profile(
        session, old_enough, birth_date=shift_day.replace(year=shift_day.year - 18), skills=()
    )
    assert signups.sign_up(session, old_enough, shift_id=shift.id).status is S.confirmed  # 18 on the day


def test_signup_closes_at_the_deadline(session, crew, frozen):
    start = frozen.now + timedelta(days=2)
    shift = make_shift(
        session, crew.liu, crew.team, starts_at=start, signup_deadline=start - timedelta(days=1)
    )
    frozen.advance(days=1)
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert set(refused.value.errors) == {"deadline"}


def test_a_popular_shift_opens_only_hours_before(session, crew, frozen):
    start = frozen.now + timedelta(days=3)
    shift = make_shift(session, crew.liu, crew.team, starts_at=start, opens_hours_before=24)
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert refused.value.errors["opens"].params["opens"] == start - timedelta(hours=24)
    frozen.set(start - timedelta(hours=24))
    assert signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id).status is S.confirmed


def test_every_broken_rule_is_reported_at_once_and_nothing_is_written(session, crew, frozen):
    start = frozen.now + timedelta(days=3)
    shift = make_shift(
        session,
        crew.liu,
        crew.team,
        starts_at=start,
        opens_hours_before=1,
        min_age=16,
        skills=frozenset({Skill.driving}),
    )
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert set(refused.value.errors) == {"opens", "age", "skill_driving"}
    assert session.scalar(select(func.count()).select_from(Signup)) == 0
    assert taken(session, shift.id) == 0


def test_a_cancelled_shift_takes_no_signups(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    shifts.cancel_shift(session, crew.liu, shift_id=shift.id)
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert "shift" in refused.value.errors


def test_cancelling_offers_the_place_to_the_first_in_line(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second, third = crew.residents(3)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    signups.sign_up(session, second, shift_id=shift.id)
    signups.sign_up(session, third, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    assert statuses(session, shift.id) == [
        (first.id, S.cancelled),
        (second.id, S.offered),
        (third.id, S.waitlisted),
    ]
    assert taken(session, shift.id) == 1  # the offer holds the place
    offer = session.scalar(select(Signup).where(Signup.user_id == second.id))
    assert offer.offer_expires_at == frozen.now + timedelta(hours=12)
    assert kinds_told(session, second) == ["volunteer_offer"]
    job = session.scalar(select(jobs.Job).where(jobs.Job.kind == waitlist.EXPIRE_JOB))
    assert (job.payload, job.run_at) == ({"signup_id": offer.id}, offer.offer_expires_at)


def test_an_accepted_offer_is_confirmed(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second = crew.residents(2)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    waiting = signups.sign_up(session, second, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    with pytest.raises(PermissionDenied):  # nobody accepts for someone else, a leader neither
        waitlist.accept_offer(session, crew.liu, signup_id=waiting.id)
    assert waitlist.accept_offer(session, second, signup_id=waiting.id).status is S.confirmed
    assert waiting.offer_expires_at is None and taken(session, shift.id) == 1


def test_an_offer_not_accepted_in_time_passes_to_the_next(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second, third = crew.residents(3)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    offered = signups.sign_up(session, second, shift_id=shift.id)
    signups.sign_up(session, third, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    frozen.advance(hours=11)
    assert waitlist.expire_offers(session, shift.id, frozen.now) == 0  # not due yet
    frozen.advance(hours=1)
    with pytest.raises(Invalid):
        waitlist.accept_offer(session, second, signup_id=offered.id)
    assert waitlist.shifts_with_due_offers(session, frozen.now) == [shift.id]
    assert waitlist.expire_offers(session, shift.id, frozen.now) == 1
    assert statuses(session, shift.id)[1:] == [(second.id, S.expired), (third.id, S.offered)]
    assert kinds_told(session, second) == ["volunteer_offer_expired", "volunteer_offer"]
    assert waitlist.expire_offers(session, shift.id, frozen.now) == 0  # the job, late: nothing
    assert taken(session, shift.id) == 1


def test_the_last_offer_expiring_frees_the_place(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second = crew.residents(2)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    signups.sign_up(session, second, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    frozen.advance(hours=12)
    waitlist.expire_offers(session, shift.id, frozen.now)
    assert taken(session, shift.id) == 0
    assert (
        signups.sign_up(session, first, shift_id=shift.id).status is S.confirmed
    )  # cancelled: may come back


def test_the_offer_window_is_shorter_near_the_start_and_none_at_the_last_minute(session, crew, frozen):
    start = frozen.now + timedelta(hours=4)
    shift = make_shift(session, crew.liu, crew.team, starts_at=start, capacity=1)
    first, second = crew.residents(2)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    waiting = signups.sign_up(session, second, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    assert waiting.offer_expires_at == frozen.now + timedelta(hours=2)  # half of the four hours left
    frozen.set(start - timedelta(minutes=20))
    waitlist.expire_offers(session, shift.id, frozen.now)
    assert waiting.status is S.expired
    assert taken(session, shift.id) == 0  # ten minutes to offer in: left to whoever signs up


def test_declining_an_offer_passes_it_on(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second, third = crew.residents(3)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    offered = signups.sign_up(session, second, shift_id=shift.id)
    signups.sign_up(session, third, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    signups.cancel_signup(session, second, signup_id=offered.id)
    assert [s for _u, s in statuses(session, shift.id)] == [S.cancelled, S.cancelled, S.offered]


def test_a_cancel_inside_the_window_is_late(session, crew, frozen):
    start = frozen.now + timedelta(days=1)
    shift = make_shift(session, crew.liu, crew.team, starts_at=start)
    early, late = crew.residents(2)
    a = signups.sign_up(session, early, shift_id=shift.id)
    b = signups.sign_up(session, late, shift_id=shift.id)
    frozen.set(start - timedelta(hours=3, minutes=1))
    assert signups.cancel_signup(session, early, signup_id=a.id).status is S.cancelled
    frozen.set(start - timedelta(hours=3))
    assert signups.cancel_signup(session, late, signup_id=b.id).status is S.late_cancelled
    assert taken(session, shift.id) == 0


def test_a_team_may_widen_its_cancellation_window(session, crew, frozen):
    from volunteers import teams

    teams.edit_team(
        session,
        crew.liu,
        team_id=crew.team.id,
        draft=teams.TeamDraft(name=crew.team.name, organisation="x", cancel_window_hours=24),
    )
    start = frozen.now + timedelta(hours=20)
    shift = make_shift(session, crew.liu, crew.team, starts_at=start)
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert signups.cancel_signup(session, crew.cast.wang_ayi, signup_id=mine.id).status is S.late_cancelled


def test_a_started_shift_cannot_be_cancelled_by_the_volunteer(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team)
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    frozen.set(shift.starts_at)
    with pytest.raises(Invalid):
        signups.cancel_signup(session, crew.cast.wang_ayi, signup_id=mine.id)


def test_a_resident_cannot_cancel_for_another(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    for stranger in (crew.cast.li_shifu, crew.wu, crew.cast.zhang_wangge):  # another team's leader too
        with pytest.raises(PermissionDenied):
            signups.cancel_signup(session, stranger, signup_id=mine.id)
    assert mine.status is S.confirmed


def test_a_leader_takes_a_volunteer_off_never_late_and_they_are_told(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(hours=1))
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert signups.cancel_signup(session, crew.liu, signup_id=mine.id, note="重复报名").status is S.cancelled
    assert kinds_told(session, crew.cast.wang_ayi) == ["volunteer_signup_removed"]


def test_a_cancelled_signup_does_not_block_signing_up_again_but_the_database_blocks_two_active(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    signups.cancel_signup(session, crew.cast.wang_ayi, signup_id=mine.id)
    again = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert again.status is S.confirmed and again.position == 2
    session.add(
        Signup(
            shift_id=shift.id,
            user_id=crew.cast.wang_ayi.id,
            status=S.waitlisted,
            position=9,
            created_at=again.created_at,
            changed_at=again.created_at,
        )
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_the_database_refuses_more_taken_than_capacity(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    shift.taken = 2
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_lowering_capacity_moves_the_latest_back_to_the_waitlist_with_notice(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=3)
    people = crew.residents(4)
    for person in people:
        signups.sign_up(session, person, shift_id=shift.id)
    draft = shift_draft(title=shift.title, starts_at=shift.starts_at, capacity=1)
    shifts.edit_shift(session, crew.liu, shift_id=shift.id, draft=draft)
    assert [s for _u, s in statuses(session, shift.id)] == [
        S.confirmed,
        S.waitlisted,
        S.waitlisted,
        S.waitlisted,
    ]
    assert taken(session, shift.id) == 1
    assert kinds_told(session, people[2]) == ["volunteer_back_on_waitlist"]
    assert kinds_told(session, people[3]) == []  # was waiting already


def test_raising_capacity_offers_places_in_line_order(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    people = crew.residents(4)
    for person in people:
        signups.sign_up(session, person, shift_id=shift.id)
    shifts.edit_shift(
        session, crew.liu, shift_id=shift.id, draft=shift_draft(starts_at=shift.starts_at, capacity=3)
    )
    assert [s for _u, s in statuses(session, shift.id)] == [S.confirmed, S.offered, S.offered, S.waitlisted]
    assert taken(session, shift.id) == 3


def test_capacity_cannot_go_below_those_checked_in(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(hours=1), capacity=2)
    a, b = crew.residents(2)
    first = signups.sign_up(session, a, shift_id=shift.id)
    signups.sign_up(session, b, shift_id=shift.id)
    checkin.check_in(session, crew.liu, signup_id=first.id)
    checkin.check_in(
        session, crew.liu, signup_id=signups.statuses_for(session, b.id, [shift.id])[shift.id].id
    )
    with pytest.raises(Invalid) as refused:
        shifts.edit_shift(
            session, crew.liu, shift_id=shift.id, draft=shift_draft(starts_at=shift.starts_at, capacity=1)
        )
    assert refused.value.errors["capacity"].params == {"count": 2}


def test_after_too_many_no_shows_a_leader_approves_each_signup(session, crew, frozen):
    person = crew.cast.wang_ayi
    for day in (1, 2):
        past = make_shift(
            session, crew.liu, crew.team, title=f"第{day}次清扫", starts_at=frozen.now + timedelta(days=day)
        )
        mine = signups.sign_up(session, person, shift_id=past.id)
        frozen.set(past.ends_at)
        checkin.record_attendance(session, crew.liu, shift_id=past.id, missed=[mine.id])
    assert signups.no_shows(session, crew.team.id, person.id) == 2
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    pending = signups.sign_up(session, person, shift_id=shift.id)
    assert (pending.status, pending.position, taken(session, shift.id)) == (S.pending_approval, None, 0)
    assert "volunteer_signup_needs_approval" in kinds_told(session, crew.liu)
    other_team_shift = make_shift(session, crew.wu, crew.other_team, starts_at=shift.ends_at)
    assert (
        signups.sign_up(session, person, shift_id=other_team_shift.id).status is S.confirmed
    )  # counted per team
    with pytest.raises(PermissionDenied):
        signups.decide_signup(session, crew.wu, signup_id=pending.id, accept=True)
    signups.decide_signup(session, crew.liu, signup_id=pending.id, accept=True)
    assert (pending.status, pending.position, taken(session, shift.id)) == (S.confirmed, 1, 1)


def test_a_refused_pending_signup_is_cancelled_and_the_volunteer_told(session, crew, frozen):
    from volunteers import teams

    teams.edit_team(
        session,
        crew.liu,
        team_id=crew.team.id,
        draft=teams.TeamDraft(name=crew.team.name, organisation="x", no_show_limit=1),
    )
    past = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(days=1))
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=past.id)
    frozen.set(past.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=past.id, missed=[mine.id])
    pending = signups.sign_up(
        session, crew.cast.wang_ayi, shift_id=make_shift(session, crew.liu, crew.team).id
    )
    signups.decide_signup(session, crew.liu, signup_id=pending.id, accept=False)
    assert pending.status is S.cancelled
    assert kinds_told(session, crew.cast.wang_ayi) == ["volunteer_signup_decided"]


def test_a_volunteer_sees_their_own_signups_soonest_first(session, crew, frozen):
    later = make_shift(session, crew.liu, crew.team, title="后", starts_at=frozen.now + timedelta(days=5))
    sooner = make_shift(
        session, crew.wu, crew.other_team, title="先", starts_at=frozen.now + timedelta(days=1)
    )
    for shift in (later, sooner):
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    mine = signups.signups_of(session, crew.cast.wang_ayi.id)
    assert [(m.title, m.team_name, m.status) for m in mine] == [
        ("先", "桂花社区志愿服务队", S.confirmed),
        ("后", crew.team.name, S.confirmed),
    ]
    assert set(signups.statuses_for(session, crew.cast.wang_ayi.id, [later.id, sooner.id])) == {
        later.id,
        sooner.id,
    }
    assert signups.statuses_for(session, crew.cast.li_shifu.id, [later.id]) == {}


def test_birth_dates_must_be_real(session, crew, frozen):
    with pytest.raises(Invalid):
        profiles.set_profile(session, crew.cast.wang_ayi, birth_date=date(2031, 1, 1), skills=())
    assert profiles.profile_of(session, crew.cast.wang_ayi.id).birth_date is None
