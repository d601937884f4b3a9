"""Teams: founding, leaders and co-leaders, joining and leaving, per-team settings."""

from __future__ import annotations

import pytest

from accounts import notifications
from core import audit, site_settings
from core.errors import Conflict, Invalid, PermissionDenied
from tests.factories import make_team
from volunteers import access, teams
from volunteers.models import JoinPolicy, MemberRole, MemberStatus


def test_only_admins_found_teams_and_the_first_leader_is_told(session, crew):
    with pytest.raises(PermissionDenied):
        make_team(session, crew.liu, crew.liu, name="自己的队")
    team = make_team(session, crew.cast.admin, crew.cast.wang_ayi, name="新队", cells=(crew.cast.cell.code,))
    assert [leader.id for leader in teams.team_view(session, team.id).leaders] == [crew.cast.wang_ayi.id]
    assert teams.team_view(session, team.id).cell_codes == (crew.cast.cell.code,)
    [note] = notifications.notifications_for(session, crew.cast.wang_ayi).items
    assert (note.kind, note.target_kind, note.target_id) == (
        "volunteer_leader_appointed",
        "team",
        str(team.id),
    )
    assert [e.action for e in audit.list_entries_for(session, "team", team.id)[0]] == [
        "team.appoint_leader",
        "team.create",
    ]


def test_a_team_form_reports_every_wrong_field(session, crew):
    draft = teams.TeamDraft(name=crew.team.name.upper(), organisation="", cell_codes=("123",), offer_hours=0)
    with pytest.raises(Invalid) as refused:
        teams.create_team(session, crew.cast.admin, draft=draft, leader_id=crew.liu.id)
    assert set(refused.value.errors) == {"name", "organisation", "cell_codes", "offer_hours"}


def test_leadership_is_per_team(session, crew):
    assert access.can_lead_team(crew.liu, crew.team) and not access.can_lead_team(crew.liu, crew.other_team)
    assert access.can_lead_team(crew.cast.admin, crew.other_team)
    assert not access.can_lead_team(crew.cast.zhang_wangge, crew.team)  # grid staff lead no team
    with pytest.raises(PermissionDenied):
        teams.appoint_leader(session, crew.wu, team_id=crew.team.id, user_id=crew.wu.id)
    with pytest.raises(PermissionDenied):
        teams.edit_team(
            session, crew.wu, team_id=crew.team.id, draft=teams.TeamDraft(name="x", organisation="y")
        )


def test_a_leader_appoints_a_co_leader_and_a_team_keeps_one_leader(session, crew):
    teams.appoint_leader(session, crew.liu, team_id=crew.team.id, user_id=crew.cast.wang_ayi.id)
    assert access.can_lead_team(crew.cast.wang_ayi, crew.team)
    teams.step_down(session, crew.cast.wang_ayi, team_id=crew.team.id, user_id=crew.liu.id)
    assert not access.can_lead_team(crew.liu, access.get_team(session, crew.team.id, lock=True))
    with pytest.raises(Conflict):
        teams.step_down(session, crew.cast.wang_ayi, team_id=crew.team.id, user_id=crew.cast.wang_ayi.id)
    with pytest.raises(Conflict):
        teams.leave_team(session, crew.cast.wang_ayi, team_id=crew.team.id)


def test_joining_an_open_team_is_at_once_and_leaving_too(session, crew):
    membership = teams.join_team(session, crew.cast.li_shifu, team_id=crew.team.id)
    assert (membership.role, membership.status) == (MemberRole.member, MemberStatus.active)
    with pytest.raises(Invalid):
        teams.join_team(session, crew.cast.li_shifu, team_id=crew.team.id)
    assert teams.team_view(session, crew.team.id).members == 2
    teams.leave_team(session, crew.cast.li_shifu, team_id=crew.team.id)
    assert teams.team_view(session, crew.team.id).members == 1


def test_a_team_that_approves_members_asks_its_leaders(session, crew):
    team = make_team(session, crew.cast.admin, crew.liu, name="审核队", join_policy=JoinPolicy.approval)
    request = teams.join_team(session, crew.cast.li_shifu, team_id=team.id)
    assert request.status is MemberStatus.requested and not access.is_member(
        session, team.id, crew.cast.li_shifu.id
    )
    assert "volunteer_join_requested" in [
        n.kind for n in notifications.notifications_for(session, crew.liu).items
    ]
    with pytest.raises(PermissionDenied):
        teams.decide_member(
            session, crew.cast.li_shifu, team_id=team.id, user_id=crew.cast.li_shifu.id, accept=True
        )
    teams.decide_member(session, crew.liu, team_id=team.id, user_id=crew.cast.li_shifu.id, accept=True)
    assert access.is_member(session, team.id, crew.cast.li_shifu.id)
    teams.join_team(session, crew.cast.wang_ayi, team_id=team.id)
    teams.decide_member(session, crew.liu, team_id=team.id, user_id=crew.cast.wang_ayi.id, accept=False)
    assert {m.user_id for m in teams.team_members(session, crew.liu, team.id)} == {
        crew.liu.id,
        crew.cast.li_shifu.id,
    }


def test_members_are_listed_for_leaders_only_leaders_first(session, crew):
    teams.join_team(session, crew.cast.wang_ayi, team_id=crew.team.id)
    with pytest.raises(PermissionDenied):
        teams.team_members(session, crew.cast.wang_ayi, crew.team.id)
    assert [m.role for m in teams.team_members(session, crew.liu, crew.team.id)] == [
        MemberRole.leader,
        MemberRole.member,
    ]


def test_a_team_overrides_a_site_setting_or_follows_it(session, crew):
    assert teams.team_setting(session, crew.team, "no_show_limit") == 2
    site_settings.change(session, crew.cast.admin, "volunteers.no_show_limit", "4")
    assert teams.team_setting(session, crew.team, "no_show_limit") == 4
    teams.edit_team(
        session,
        crew.liu,
        team_id=crew.team.id,
        draft=teams.TeamDraft(name=crew.team.name, organisation="x", no_show_limit=1),
    )
    assert teams.team_setting(session, crew.team, "no_show_limit") == 1


def test_teams_list_with_member_counts_and_by_cell(session, crew):
    teams.join_team(session, crew.cast.wang_ayi, team_id=crew.team.id)
    rows = {row.name: row.members for row in teams.list_teams(session)}
    assert rows == {crew.team.name: 2, crew.other_team.name: 1}
    assert [row.id for row in teams.list_teams(session, cell_code=crew.cast.cell.code)] == [crew.team.id]
    assert [t.id for t in teams.teams_led_by(session, crew.liu.id)] == [crew.team.id]
    assert set(teams.memberships_of(session, crew.cast.wang_ayi.id)) == {crew.team.id}
