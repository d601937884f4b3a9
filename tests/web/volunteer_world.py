"""The volunteers' part of the authorization matrix's world: two teams, and every state a row needs.

刘队长 (the cast's team leader) leads team A (``cast.team``); 吴队长, who is no role of the matrix,
leads team B. "own" rows act on team A, "other" rows on team B: 刘队长 gets 403 there, an admin gets
through. Every state is made by calling services, the past by moving ``core.clock.now`` back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from tests.factories import make_shift, make_team, make_user
from tests.people import Cast
from volunteers import certificates, checkin, hours, ical, signups, teams
from volunteers.models import IdType, JoinPolicy, Shift, Team

ID_NUMBER = "11010519491231002X"


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def _strict(session: Session, actor: User, team: Team) -> None:
    """Members by approval, and one no-show is enough for a leader to approve each sign-up."""
    draft = teams.TeamDraft(
        name=team.name, organisation=team.organisation, join_policy=JoinPolicy.approval, no_show_limit=1
    )
    teams.edit_team(session, actor, team_id=team.id, draft=draft)


def _past_shift(session: Session, leader: User, team: Team, people: list[User]) -> tuple[Shift, list[int]]:
    """A shift that began an hour ago (posted a day earlier), with ``people`` signed up."""
    now = clock.now()
    with as_of(now - timedelta(days=1)):
        shift = make_shift(session, leader, team, title="昨日报名的班次", starts_at=now - timedelta(hours=1))
        ids = [signups.sign_up(session, person, shift_id=shift.id).id for person in people]
    return shift, ids


def _served(
    session: Session, leader: User, verifier: User, team: Team, shift: Shift, signup_ids: list[int]
) -> None:
    checkin.record_attendance(session, leader, shift_id=shift.id, came=signup_ids)
    lines = hours.team_hours(session, verifier, team_id=team.id)
    hours.verify_hours(session, verifier, team_id=team.id, record_ids=[line.id for line in lines])


def _apply(session: Session, person: User, team: Team) -> int:
    found = certificates.apply_for_certificate(
        session,
        person,
        team_id=team.id,
        real_name=person.name,
        id_type=IdType.resident_id,
        id_number=ID_NUMBER,
    )
    session.flush()  # rows name the certificate by id
    return found.id


def build(session: Session, hasher, cast: Cast, roles: list[User]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The ids the rows fill in; per-role ones under ``name:username``."""
    admin, liu, team_a = cast.admin, cast.liu_duizhang, cast.team
    wu = make_user(session, hasher, "wu_duizhang", display_name="吴队长")
    team_b = make_team(session, admin, wu, name="桂花社区志愿服务队")
    helpers = [make_user(session, hasher, f"helper{n}", display_name=f"志愿者{n}") for n in range(12)]
    for person in roles:
        if person.id != liu.id:
            teams.join_team(session, person, team_id=team_a.id)
    _strict(session, admin, team_a)
    _strict(session, admin, team_b)
    for team, asker in ((team_a, helpers[0]), (team_b, helpers[1])):
        teams.join_team(session, asker, team_id=team.id)

    # the edit rows post a day with a start and an end time: a morning start keeps the end on that day
    # whatever the hour the test runs (started at 21:00 Shanghai, a shift's end fell on the next day)
    morning = clock.local(clock.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    a1 = make_shift(session, liu, team_a, title="周末河道清扫", starts_at=morning)
    b1 = make_shift(session, wu, team_b, title="桂花巷清扫", starts_at=morning)
    mine_shift = make_shift(
        session, liu, team_a, title="助老陪伴", starts_at=clock.now() + timedelta(days=4), capacity=20
    )
    offer_shift = make_shift(
        session, liu, team_a, title="义诊引导", starts_at=clock.now() + timedelta(days=3), capacity=len(roles)
    )
    cancel_a = make_shift(session, liu, team_a, title="取消用", starts_at=clock.now() + timedelta(days=6))
    cancel_b = make_shift(session, wu, team_b, title="取消用", starts_at=clock.now() + timedelta(days=6))

    # team A's past shift: helper2 to check in, helper3 not to come, helper4 to mark, 王阿姨 and helper5 came
    past_a, (check_a, miss_a, mark_a, wang_came, came_a) = _past_shift(
        session, liu, team_a, [helpers[2], helpers[3], helpers[4], cast.wang_ayi, helpers[5]]
    )
    _served(session, liu, liu, team_a, past_a, [wang_came, came_a])
    checkin.record_attendance(session, liu, shift_id=past_a.id, missed=[miss_a])
    past_b, (check_b, miss_b, mark_b, came_b, came_b2) = _past_shift(session, wu, team_b, helpers[6:11])
    _served(session, wu, wu, team_b, past_b, [came_b, came_b2])
    checkin.record_attendance(session, wu, shift_id=past_b.id, missed=[miss_b])
    pending_a = signups.sign_up(session, helpers[3], shift_id=a1.id)  # one no-show: pending
    pending_b = signups.sign_up(session, helpers[7], shift_id=b1.id)

    issued = _apply(session, cast.wang_ayi, team_a)
    certificates.accept_certificate(session, liu, certificate_id=issued)
    certificates.issue_certificate(session, liu, certificate_id=issued)
    cert_a, cert_a2 = _apply(session, cast.wang_ayi, team_a), _apply(session, helpers[5], team_a)
    cert_b, cert_b2 = _apply(session, helpers[9], team_b), _apply(session, helpers[10], team_b)

    fillers = [make_user(session, hasher, f"filler{n}") for n in range(len(roles))]
    for person in fillers:
        signups.sign_up(session, person, shift_id=offer_shift.id)
    ids: dict[str, object] = {}
    for person in roles:
        ids[f"mine:{person.username}"] = signups.sign_up(session, person, shift_id=mine_shift.id).id
        ids[f"offer:{person.username}"] = signups.sign_up(session, person, shift_id=offer_shift.id).id
    for filler in fillers:  # each freed place is offered to the next role in line
        mine = signups.statuses_for(session, filler.id, [offer_shift.id])[offer_shift.id]
        signups.cancel_signup(session, filler, signup_id=mine.id)
    local = clock.local(a1.starts_at)
    ids.update(
        {
            "team_a": team_a.id, "team_b": team_b.id, "a1": a1.id, "b1": b1.id,
            "team_name_a": team_a.name, "team_name_b": team_b.name,
            "asker_a": helpers[0].id, "asker_b": helpers[1].id,
            "past_a": past_a.id, "past_b": past_b.id, "check_a": check_a, "check_b": check_b,
            "mark_a": mark_a, "mark_b": mark_b, "helper_a": helpers[2].id, "helper_b": helpers[6].id,
            "pending_a": pending_a.id, "pending_b": pending_b.id,
            "issued": issued, "cert_a": cert_a, "cert_a2": cert_a2, "cert_b": cert_b, "cert_b2": cert_b2,
            "cancel_a": cancel_a.id, "cancel_b": cancel_b.id,
            "a1_day": local.date().isoformat(), "a1_start": f"{local:%H:%M}",
            "a1_end": f"{clock.local(a1.ends_at):%H:%M}",
            "b1_day": clock.local(b1.starts_at).date().isoformat(),
            "feed": ical.create_feed(session, cast.wang_ayi),
            "new_day": clock.local(clock.now() + timedelta(days=10)).date().isoformat(),
        }
    )  # fmt: skip
    session.flush()
    return ids
