"""Shifts: posting, weekly series, editing and cancelling, and the shift lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from accounts import notifications
from core import clock
from core.errors import Invalid, NotFound, PermissionDenied
from tests.factories import make_shift, shift_draft
from volunteers import shifts, signups
from volunteers.models import Shift, ShiftStatus, SignupStatus, Skill


def test_only_the_teams_leaders_post_shifts(session, crew):
    for outsider in (crew.wu, crew.cast.wang_ayi, None):
        with pytest.raises(PermissionDenied):
            shifts.create_shift(session, outsider, team_id=crew.team.id, draft=shift_draft())
    shift = make_shift(session, crew.liu, crew.team, skills=frozenset({Skill.first_aid}))
    assert (shift.taken, shift.status, shift.required_skills) == (0, ShiftStatus.scheduled, {Skill.first_aid})
    assert shift.signup_deadline == shift.starts_at


def test_a_shift_form_reports_every_wrong_field(session, crew, frozen):
    draft = shift_draft(
        title=" ", starts_at=frozen.now - timedelta(hours=1), hours=30, capacity=0, min_age=120
    )
    draft = replace(draft, signup_deadline=draft.starts_at + timedelta(hours=1), cell_code="349901999999999")
    with pytest.raises(Invalid) as refused:
        shifts.create_shift(session, crew.liu, team_id=crew.team.id, draft=draft)
    assert set(refused.value.errors) == {
        "title",
        "starts_at",
        "ends_at",
        "capacity",
        "min_age",
        "signup_deadline",
        "cell_code",
    }


def test_a_weekly_series_repeats_at_the_same_local_time(session, crew, frozen):
    start = datetime(2030, 3, 9, 0, 30, tzinfo=UTC)  # Saturday 08:30 in Asia/Shanghai
    draft = shift_draft(starts_at=start, hours=2, signup_deadline=start - timedelta(hours=12))
    series = shifts.create_weekly_series(session, crew.liu, team_id=crew.team.id, draft=draft, weeks=4)
    rows = session.scalars(select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at)).all()
    assert [clock.local(r.starts_at).strftime("%a %H:%M") for r in rows] == ["Sat 08:30"] * 4
    assert [r.starts_at - start for r in rows] == [timedelta(weeks=w) for w in range(4)]
    assert all(r.starts_at - r.signup_deadline == timedelta(hours=12) for r in rows)
    assert (series.weekday, series.local_start, series.minutes) == (5, "08:30", 120)
    with pytest.raises(Invalid):
        shifts.create_weekly_series(session, crew.liu, team_id=crew.team.id, draft=draft, weeks=53)


def test_cancelling_a_series_cancels_this_and_later_occurrences(session, crew, frozen):
    draft = shift_draft(starts_at=frozen.now + timedelta(days=1))
    series = shifts.create_weekly_series(session, crew.liu, team_id=crew.team.id, draft=draft, weeks=3)
    rows = session.scalars(select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at)).all()
    cancelled = shifts.cancel_series(session, crew.liu, shift_id=rows[1].id)
    assert [s.id for s in cancelled] == [rows[1].id, rows[2].id]
    assert [r.status for r in rows] == [ShiftStatus.scheduled, ShiftStatus.cancelled, ShiftStatus.cancelled]


def test_changing_time_or_place_tells_those_signed_up(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    shifts.edit_shift(
        session, crew.liu, shift_id=shift.id, draft=shift_draft(title="新标题", starts_at=shift.starts_at)
    )
    assert notifications.notifications_for(session, crew.cast.wang_ayi).items == []  # same time and place
    later = shift.starts_at + timedelta(hours=1)
    shifts.edit_shift(session, crew.liu, shift_id=shift.id, draft=shift_draft(starts_at=later))
    [note] = notifications.notifications_for(session, crew.cast.wang_ayi).items
    assert note.kind == "volunteer_shift_changed" and note.params["when"] == clock.local(later).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert shift.revision == 2


def test_a_cancelled_shift_cancels_its_signups_and_tells_them(session, crew):
    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second = crew.residents(2)
    signups.sign_up(session, first, shift_id=shift.id)
    signups.sign_up(session, second, shift_id=shift.id)
    with pytest.raises(PermissionDenied):
        shifts.cancel_shift(session, crew.wu, shift_id=shift.id)
    shifts.cancel_shift(session, crew.liu, shift_id=shift.id)
    assert shift.taken == 0 and {s.status for s in signups.roster_of(session, shift.id)} == {
        SignupStatus.cancelled
    }
    assert [n.kind for n in notifications.notifications_for(session, second).items] == [
        "volunteer_shift_cancelled"
    ]
    with pytest.raises(Invalid):
        shifts.edit_shift(session, crew.liu, shift_id=shift.id, draft=shift_draft(starts_at=shift.starts_at))


def test_upcoming_shifts_filter_by_day_team_and_cell(session, crew, frozen):
    tomorrow = datetime(2030, 3, 5, 1, 0, tzinfo=UTC)  # 09:00 on 5 March in Asia/Shanghai
    in_cell = make_shift(
        session, crew.liu, crew.team, title="本网格", starts_at=tomorrow, cell_code=crew.cast.cell.code
    )
    team_wide = make_shift(session, crew.liu, crew.team, title="全队", starts_at=tomorrow + timedelta(days=1))
    other = make_shift(
        session, crew.wu, crew.other_team, title="别队", starts_at=tomorrow + timedelta(hours=3)
    )
    cancelled = make_shift(session, crew.wu, crew.other_team, title="取消", starts_at=tomorrow)
    shifts.cancel_shift(session, crew.wu, shift_id=cancelled.id)

    def titles(**filters):
        return [row.title for row in shifts.list_upcoming_shifts(session, **filters)]

    assert titles() == ["本网格", "别队", "全队"]
    assert titles(day=clock.local(tomorrow).date()) == ["本网格", "别队"]
    assert titles(team_id=crew.other_team.id) == ["别队"]
    assert titles(cell_code=crew.cast.cell.code) == ["本网格", "全队"]  # the team serves the cell
    page = shifts.list_upcoming_shifts(session, per_page=2)
    assert (page.total, page.pages, [r.free for r in page.items]) == (3, 2, [5, 5])
    frozen.set(in_cell.ends_at)
    assert "本网格" not in titles()
    assert {row.id for row in shifts.shift_summaries(session, [team_wide.id, other.id]).values()} == {
        team_wide.id,
        other.id,
    }


def test_a_shift_view_has_what_its_page_shows(session, crew, frozen):
    start = frozen.now + timedelta(days=3)
    shift = make_shift(
        session,
        crew.liu,
        crew.team,
        starts_at=start,
        opens_hours_before=48,
        skills=frozenset({Skill.driving}),
    )
    signups.sign_up(
        session,
        crew.cast.wang_ayi,
        shift_id=make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(hours=2)).id,
    )
    view = shifts.shift_view(session, shift.id)
    assert (view.row.team_name, view.skills, view.opens_at) == (
        crew.team.name,
        (Skill.driving,),
        start - timedelta(hours=48),
    )
    assert shifts.find_shift(session, 999_999) is None
    with pytest.raises(NotFound):
        shifts.shift_view(session, 999_999)
    assert shifts.can_lead_shift(session, crew.liu, shift.id) and not shifts.can_lead_shift(
        session, crew.wu, shift.id
    )
