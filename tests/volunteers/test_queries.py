"""The volunteers' query functions run a fixed number of statements, however many rows they return."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_shift
from tests.web.test_queries import counting
from volunteers import certificates, checkin, hours, shifts, signups, teams
from volunteers.models import IdType


def grow(session, crew, frozen, extra: int) -> int:  # type: ignore[no-untyped-def]
    """``extra`` more people, each with a shift, a membership, an hours line and a certificate
    application; 王阿姨 signs up for every shift, and all sign up for the last. The last shift's id."""
    before = len(crew.extra)
    people = crew.residents(before + extra)[before:]
    shift_ids = []
    for n, person in enumerate(people, start=before):
        shift = make_shift(
            session, crew.liu, crew.team, title=f"班次{n}", starts_at=frozen.now + timedelta(days=1 + n)
        )
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
        teams.join_team(session, person, team_id=crew.team.id)
        line = hours.adjust_hours(
            session, crew.liu, team_id=crew.team.id, user_id=person.id, minutes=30, note="补记"
        )
        session.flush()
        hours.verify_hours(session, crew.liu, team_id=crew.team.id, record_ids=[line.id])
        certificates.apply_for_certificate(
            session,
            person,
            team_id=crew.team.id,
            real_name="王秀兰",
            id_type=IdType.resident_id,
            id_number=ID,
        )
        shift_ids.append(shift.id)
    for person in crew.extra:
        signups.sign_up(session, person, shift_id=shift_ids[-1])
    session.flush()
    return shift_ids[-1]


ID = "11010519491231002X"


QUERIES = {
    "upcoming shifts": lambda s, c, i: shifts.list_upcoming_shifts(s),
    "upcoming shifts in a cell": lambda s, c, i: shifts.list_upcoming_shifts(s, cell_code=c.cast.cell.code),
    "shift summaries": lambda s, c, i: shifts.shift_summaries(s, list(range(1, i + 1))),
    "teams": lambda s, c, i: teams.list_teams(s),
    "team page": lambda s, c, i: teams.team_view(s, c.team.id),
    "members": lambda s, c, i: teams.team_members(s, c.liu, c.team.id),
    "my sign-ups": lambda s, c, i: signups.signups_of(s, c.cast.wang_ayi.id),
    "my buttons": lambda s, c, i: signups.statuses_for(s, c.cast.wang_ayi.id, list(range(1, i + 1))),
    "roster": lambda s, c, i: checkin.shift_roster(s, c.liu, shift_id=i),
    "team hours": lambda s, c, i: hours.team_hours(s, c.liu, team_id=c.team.id),
    "team certificates": lambda s, c, i: certificates.team_certificates(s, c.liu, team_id=c.team.id),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_functions_do_not_grow_with_their_rows(session, connection, crew, frozen, name):
    query = QUERIES[name]
    last = grow(session, crew, frozen, 1)
    session.expire_all()  # a fresh request: nothing loaded yet
    with counting(connection) as few:
        assert query(session, crew, last) is not None
    last = grow(session, crew, frozen, 8)
    session.expire_all()
    with counting(connection) as many:
        query(session, crew, last)
    assert len(many) == len(few)
