"""The reads the web pages added: sign-ups waiting for a leader, a place on the waiting list, one
certificate's row, and status or skill labels inside messages (``Msgid``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Msgid, PermissionDenied
from tests.factories import make_shift
from tests.volunteers.test_certificates import apply, served  # noqa: F401 - served is a fixture
from volunteers import certificates, checkin, signups, teams, waitlist
from volunteers.models import SignupStatus

S = SignupStatus


def test_pending_signups_list_the_teams_upcoming_ones_for_its_leaders_only(session, crew, frozen):
    teams.edit_team(
        session,
        crew.liu,
        team_id=crew.team.id,
        draft=teams.TeamDraft(name=crew.team.name, organisation="x", no_show_limit=1),
    )
    past = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(days=1))
    missed = signups.sign_up(session, crew.cast.wang_ayi, shift_id=past.id)
    frozen.set(past.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=past.id, missed=[missed.id])
    coming = make_shift(session, crew.liu, crew.team, title="助老陪伴")
    pending = signups.sign_up(session, crew.cast.wang_ayi, shift_id=coming.id)
    rows = signups.pending_signups(session, crew.liu, team_id=crew.team.id)
    assert [(r.signup_id, r.name, r.title) for r in rows] == [(pending.id, "王阿姨", "助老陪伴")]
    assert signups.pending_signups(session, crew.wu, team_id=crew.other_team.id) == []
    with pytest.raises(PermissionDenied):
        signups.pending_signups(session, crew.wu, team_id=crew.team.id)
    frozen.set(coming.starts_at)  # started: no longer waiting for anyone
    assert signups.pending_signups(session, crew.liu, team_id=crew.team.id) == []


def test_a_place_on_the_waiting_list_counts_only_those_still_waiting_ahead(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, *line = [signups.sign_up(session, p, shift_id=shift.id) for p in crew.residents(4)]
    assert [waitlist.place_on_waitlist(session, shift.id, s.position) for s in line] == [1, 2, 3]
    signups.cancel_signup(session, crew.residents(4)[1], signup_id=line[0].id)
    assert [waitlist.place_on_waitlist(session, shift.id, s.position) for s in line[1:]] == [1, 2]
    assert first.status is S.confirmed


def test_a_certificate_row_is_for_its_volunteer_and_the_teams_leaders(session, crew, served):  # noqa: F811
    application = apply(session, crew)
    session.flush()
    assert certificates.certificate_row(
        session, crew.cast.wang_ayi, certificate_id=application.id
    ).masked_number == ("110***********002X")
    assert (
        certificates.certificate_row(session, crew.liu, certificate_id=application.id).real_name == "王秀兰"
    )
    for outsider in (crew.wu, crew.cast.li_shifu, None):
        with pytest.raises(PermissionDenied):
            certificates.certificate_row(session, outsider, certificate_id=application.id)


def test_labels_inside_messages_are_marked_for_translation(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team)
    signup = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    signups.cancel_signup(session, crew.cast.wang_ayi, signup_id=signup.id)
    with pytest.raises(Exception) as refused:
        signups.decide_signup(session, crew.liu, signup_id=signup.id, accept=True)
    status = refused.value.message.params["status"]  # type: ignore[attr-defined]
    assert isinstance(status, Msgid) and status == "Cancelled"
