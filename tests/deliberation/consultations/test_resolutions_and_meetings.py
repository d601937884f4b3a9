"""The resolution vote under the quorum rule, meetings with their minutes and calendar file, profiles."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from accounts.models import Role
from core import clock, site_settings
from core.errors import Conflict, Invalid, PermissionDenied
from deliberation.consultations import committee, meetings, resolutions
from deliberation.consultations.models import ResolutionState
from tests.deliberation.consultations.conftest import adopt, advance
from tests.factories import make_user


@pytest.fixture
def deliberating(session, cast, consultation):
    return advance(session, cast.zhou_jiaoshou, consultation, "open", "deliberate")


def test_a_resolution_passes_with_a_quorum_and_a_majority_and_the_ballots_are_public(
    session, cast, deliberating
):
    resolution = adopt(session, cast, deliberating, votes=("for", "against"))  # 1 for of 2 cast: no majority
    assert resolution.state is ResolutionState.rejected
    counted = resolutions.tally(session, deliberating.id)
    assert (counted.members, counted.cast, counted.for_, counted.against, counted.quorum) == (2, 2, 1, 1, 1)
    assert [(b.username, b.choice.value) for b in resolutions.ballots(session, deliberating.id)] == [
        ("zhou_jiaoshou", "for"),
        ("chen_weiyuan", "against"),
    ]


def test_counting_without_a_quorum_is_refused_and_the_vote_stays_open(session, hasher, cast, deliberating):
    for n in range(2):  # four members now: half of them is two
        make_user(session, hasher, f"weiyuan{n}", roles_held=(Role.committee_member,), admin=cast.admin)
    resolutions.draft_resolution(session, cast.zhou_jiaoshou, deliberating.id, "试点三个月。")
    resolutions.open_vote(session, cast.zhou_jiaoshou, deliberating.id)
    resolutions.cast_vote(session, cast.zhou_jiaoshou, deliberating.id, "for")
    with pytest.raises(Conflict) as refused:
        resolutions.close_vote(session, cast.chen_weiyuan, deliberating.id)
    assert refused.value.message.params == {"cast": 1, "members": 4, "quorum": 2}
    resolutions.cast_vote(session, cast.chen_weiyuan, deliberating.id, "for")
    assert (
        resolutions.close_vote(session, cast.chen_weiyuan, deliberating.id).state is ResolutionState.adopted
    )


def test_the_quorum_is_a_site_setting(session, cast, deliberating):
    site_settings.change(session, cast.admin, "consultations.quorum_percent", "100")
    resolutions.draft_resolution(session, cast.zhou_jiaoshou, deliberating.id, "试点三个月。")
    resolutions.open_vote(session, cast.zhou_jiaoshou, deliberating.id)
    resolutions.cast_vote(session, cast.zhou_jiaoshou, deliberating.id, "for")
    with pytest.raises(Conflict):
        resolutions.close_vote(session, cast.chen_weiyuan, deliberating.id)


def test_only_members_vote_once_each_and_a_vote_can_change_while_open(session, cast, deliberating):
    resolutions.draft_resolution(session, cast.zhou_jiaoshou, deliberating.id, "试点三个月。")
    with pytest.raises(Conflict):
        resolutions.cast_vote(session, cast.zhou_jiaoshou, deliberating.id, "for")  # not open yet
    resolutions.open_vote(session, cast.zhou_jiaoshou, deliberating.id)
    with pytest.raises(PermissionDenied):
        resolutions.cast_vote(session, cast.wang_ayi, deliberating.id, "for")
    with pytest.raises(Invalid):
        resolutions.cast_vote(session, cast.zhou_jiaoshou, deliberating.id, "maybe")
    resolutions.cast_vote(session, cast.zhou_jiaoshou, deliberating.id, "against")
    resolutions.cast_vote(session, cast.zhou_jiaoshou, deliberating.id, "for")
    assert resolutions.tally(session, deliberating.id).cast == 1
    with pytest.raises(Conflict):  # the text is fixed once the vote opened
        resolutions.draft_resolution(session, cast.zhou_jiaoshou, deliberating.id, "改一下")


def test_a_resolution_is_drafted_only_by_its_stewards_while_deliberating(session, cast, consultation):
    with pytest.raises(Conflict):
        resolutions.draft_resolution(session, cast.zhou_jiaoshou, consultation.id, "草稿")  # still a draft
    advance(session, cast.zhou_jiaoshou, consultation, "open", "deliberate")
    with pytest.raises(PermissionDenied):
        resolutions.draft_resolution(session, cast.wang_ayi, consultation.id, "我来写")
    with pytest.raises(Invalid):
        resolutions.draft_resolution(session, cast.zhou_jiaoshou, consultation.id, "   ")


def test_a_meeting_is_checked_then_its_minutes_wait_for_it_to_begin(session, cast, deliberating):
    with pytest.raises(Invalid) as refused:
        meetings.schedule_meeting(
            session, cast.zhou_jiaoshou, deliberating.id, starts_at=None, ends_at=None, place="x"
        )
    assert set(refused.value.errors) == {"starts_at", "ends_at", "place"}
    start = clock.now() + timedelta(days=2)
    meeting = meetings.schedule_meeting(
        session,
        cast.zhou_jiaoshou,
        deliberating.id,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="居委会会议室",
    )
    session.flush()
    with pytest.raises(Invalid) as early:
        meetings.publish_minutes(session, cast.zhou_jiaoshou, meeting.id, attendance="", minutes="还没开")
    assert "minutes" in early.value.errors
    with pytest.raises(PermissionDenied):
        meetings.publish_minutes(session, cast.wang_ayi, meeting.id, attendance="", minutes="我来写")


def test_the_calendar_file_keeps_its_uid_and_counts_its_revisions(session, cast, deliberating, monkeypatch):
    start = clock.now() - timedelta(hours=3)
    meeting = meetings.schedule_meeting(
        session,
        cast.zhou_jiaoshou,
        deliberating.id,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="会议室",
    )
    session.flush()
    before = Calendar.from_ical(meetings.meeting_calendar(session, meeting.id)[0]).walk("VEVENT")[0]
    meetings.publish_minutes(
        session, cast.zhou_jiaoshou, meeting.id, attendance="各方代表", minutes="同意试点。"
    )
    after = Calendar.from_ical(meetings.meeting_calendar(session, meeting.id)[0]).walk("VEVENT")[0]
    assert str(before["uid"]) == str(after["uid"]) == f"consultation-meeting-{meeting.id}@gongzhi"
    assert (int(before["sequence"]), int(after["sequence"])) == (0, 1)
    assert str(after["location"]) == "会议室"


def test_a_member_writes_their_own_profile_and_an_admin_any(session, cast):
    committee.edit_profile(
        session,
        cast.zhou_jiaoshou,
        cast.zhou_jiaoshou.id,
        title="城市规划专家",
        expertise="街巷空间",
        biography="",
        term_start=date(2025, 1, 1),
        term_end=date(2027, 12, 31),
    )
    with pytest.raises(PermissionDenied):
        committee.edit_profile(
            session,
            cast.wang_ayi,
            cast.zhou_jiaoshou.id,
            title="",
            expertise="",
            biography="",
            term_start=None,
            term_end=None,
        )
    with pytest.raises(Invalid):
        committee.edit_profile(
            session,
            cast.admin,
            cast.zhou_jiaoshou.id,
            title="",
            expertise="",
            biography="",
            term_start=date(2027, 1, 1),
            term_end=date(2026, 1, 1),
        )
    [chair, member] = committee.members(session)
    assert (chair.username, chair.is_chair) == ("chen_weiyuan", True)
    assert (member.title, member.expertise) == ("城市规划专家", "街巷空间")
