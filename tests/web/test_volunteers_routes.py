"""The volunteers' pages over HTTP: finding and signing up for shifts, the waiting list and offers,
teams, a leader's day (shifts, check-in, hours, exports), certificates, the calendar feed, admins.

The cast's 刘队长 leads 柳岸社区志愿服务队 (``cast.team``); 王阿姨 and 李师傅 are volunteers.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from itertools import pairwise

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core import audit, clock
from tests.conftest import csrf_token, log_in, post_form
from tests.factories import PASSWORD, make_shift, make_user
from volunteers import certificates, checkin, hours, signups
from volunteers.models import Certificate, IdType, JoinPolicy, Membership, Shift, Signup, SignupStatus, Skill

S = SignupStatus
HTMX = {"HX-Request": "true"}
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def shift(session, cast):
    return make_shift(session, cast.liu_duizhang, cast.team, capacity=2, cell_code=cast.cell.code)


def post(client, path, data=None, page="/volunteers/", **kwargs):
    return post_form(client, path, data or {}, page=page, **kwargs)


def signup_of(session, shift_id, user_id) -> Signup:
    session.expire_all()
    return session.scalar(select(Signup).where(Signup.shift_id == shift_id, Signup.user_id == user_id))


# --- finding a shift --------------------------------------------------------------------------------


def test_the_list_filters_by_day_team_and_cell_and_htmx_gets_only_the_list(client, session, cast, shift):
    later = make_shift(
        session, cast.liu_duizhang, cast.team, title="助老陪伴", starts_at=clock.now() + timedelta(days=9)
    )
    page = client.get("/volunteers/").text
    assert "周末河道清扫" in page and "助老陪伴" in page and "余 2 个名额" in page
    day = clock.local(later.starts_at).date().isoformat()
    by_day = client.get(f"/volunteers/?day={day}").text
    assert "助老陪伴" in by_day and "周末河道清扫" not in by_day
    assert "周末河道清扫" in client.get(f"/volunteers/?cell={cast.cell.code}").text
    assert "没有符合条件的班次" in client.get("/volunteers/?cell=349901004003004").text
    assert "没有符合条件的班次" in client.get(f"/volunteers/?team={cast.team.id + 1000}").text
    fragment = client.get(f"/volunteers/?day={day}", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="shift_list">') and "<html" not in fragment.text
    assert client.get("/volunteers/?day=not-a-day").status_code == 200  # an unreadable filter is no filter


def test_a_residents_home_cell_is_offered_as_a_filter(client, cast, shift):
    log_in(client, "wang_ayi", PASSWORD)
    page = client.get("/volunteers/").text
    assert f'<option value="{cast.cell.code}">我的网格：{cast.cell.name}</option>' in page


def test_the_home_page_shows_open_shifts_in_her_cell_and_her_next_ones(client, session, cast, shift):
    signups.sign_up(session, cast.wang_ayi, shift_id=shift.id)
    log_in(client, "wang_ayi", PASSWORD)
    home = client.get("/").text
    area = home[home.index('id="volunteers"') :]
    assert f"{cast.cell.name}可报名的班次" in area and "我接下来的班次" in area and "已报名" in area


# --- signing up, the waiting list, offers, cancelling -----------------------------------------------


def test_a_resident_signs_up_with_one_tap_and_sees_it_in_my_shifts(client, session, cast, shift):
    log_in(client, "wang_ayi", PASSWORD)
    response = post(client, f"/volunteers/shifts/{shift.id}/signup", page=f"/volunteers/shifts/{shift.id}")
    assert response.status_code == 303 and response.headers["location"] == f"/volunteers/shifts/{shift.id}"
    assert "报名成功" in client.get(response.headers["location"]).text
    assert signup_of(session, shift.id, cast.wang_ayi.id).status is S.confirmed
    mine = client.get("/volunteers/me")
    assert "周末河道清扫" in mine.text and mine.headers["cache-control"] == "no-store"
    assert 'hx-history="false"' in mine.text


def test_a_refused_signup_names_each_rule_and_the_shift_and_changes_nothing(client, session, cast):
    strict = make_shift(
        session,
        cast.liu_duizhang,
        cast.team,
        title="急救站值守",
        min_age=18,
        skills=frozenset({Skill.first_aid}),
    )
    log_in(client, "wang_ayi", PASSWORD)
    response = post(client, f"/volunteers/shifts/{strict.id}/signup", headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section class="card signup-panel" id="signup_panel">')
    assert "急救站值守需要具备此技能的志愿者：急救。" in response.text
    assert "急救站值守仅限18周岁及以上的志愿者参加" in response.text
    assert signup_of(session, strict.id, cast.wang_ayi.id) is None


def test_a_full_shift_waitlists_then_offers_the_freed_place_which_she_accepts(
    client, session, cast, shift, hasher
):
    first, second = (make_user(session, hasher, f"v{n}") for n in (1, 2))
    for person in (first, second):
        signups.sign_up(session, person, shift_id=shift.id)
    log_in(client, "wang_ayi", PASSWORD)
    post(client, f"/volunteers/shifts/{shift.id}/signup")
    assert "您是候补第 1 位" in client.get(f"/volunteers/shifts/{shift.id}").text
    signups.cancel_signup(session, first, signup_id=signup_of(session, shift.id, first.id).id)
    page = client.get(f"/volunteers/shifts/{shift.id}").text
    assert "有一个名额留给您" in page
    mine = signup_of(session, shift.id, cast.wang_ayi.id)
    response = post(client, f"/volunteers/signups/{mine.id}/accept")
    assert response.status_code == 303 and "补位成功" in client.get(response.headers["location"]).text
    assert signup_of(session, shift.id, cast.wang_ayi.id).status is S.confirmed


def test_declining_an_offer_passes_it_on(client, session, cast, shift, hasher):
    people = [make_user(session, hasher, f"v{n}") for n in range(3)]
    for person in [*people[:2], cast.wang_ayi, people[2]]:
        signups.sign_up(session, person, shift_id=shift.id)
    signups.cancel_signup(session, people[0], signup_id=signup_of(session, shift.id, people[0].id).id)
    log_in(client, "wang_ayi", PASSWORD)
    mine = signup_of(session, shift.id, cast.wang_ayi.id)
    response = post(client, f"/volunteers/signups/{mine.id}/cancel", {"declining": "1"})
    assert "顺延给下一位候补" in client.get(response.headers["location"]).text
    assert signup_of(session, shift.id, people[2].id).status is S.offered


def test_a_late_cancel_is_recorded_and_said_so(client, session, cast):
    soon = make_shift(session, cast.liu_duizhang, cast.team, starts_at=clock.now() + timedelta(hours=2))
    signup = signups.sign_up(session, cast.wang_ayi, shift_id=soon.id)
    log_in(client, "wang_ayi", PASSWORD)
    response = post(client, f"/volunteers/signups/{signup.id}/cancel", {"next": "/volunteers/me"})
    assert response.headers["location"] == "/volunteers/me"
    assert "记为临时取消" in client.get("/volunteers/me").text
    assert signup_of(session, soon.id, cast.wang_ayi.id).status is S.late_cancelled


def test_nobody_cancels_or_accepts_another_volunteers_signup(client, session, cast, shift):
    signup = signups.sign_up(session, cast.li_shifu, shift_id=shift.id)
    log_in(client, "wang_ayi", PASSWORD)
    assert post(client, f"/volunteers/signups/{signup.id}/cancel").status_code == 403
    assert post(client, f"/volunteers/signups/{signup.id}/accept").status_code == 403
    assert signup_of(session, shift.id, cast.li_shifu.id).status is S.confirmed


def test_a_visitor_is_asked_to_log_in_and_cannot_post(client, shift):
    page = client.get(f"/volunteers/shifts/{shift.id}").text
    assert f"/accounts/login?next=%2Fvolunteers%2Fshifts%2F{shift.id}" in page
    assert post(client, f"/volunteers/shifts/{shift.id}/signup").status_code == 403


def test_signups_are_rate_limited_per_person(client, session, cast, shift):
    from core import site_settings

    site_settings.change(session, cast.admin, "rate.volunteer_signup_per_user", "2/3600")
    log_in(client, "wang_ayi", PASSWORD)
    token = csrf_token(client, "/volunteers/")
    codes = [
        client.post(f"/volunteers/shifts/{shift.id}/signup", data={"csrf_token": token}).status_code
        for _ in range(3)
    ]
    assert codes == [303, 422, 429]  # the second is "already signed up"; the third is refused unread


# --- teams -------------------------------------------------------------------------------------------


def test_team_page_shows_cells_leaders_and_shifts_and_a_resident_joins_and_leaves(
    client, session, cast, shift
):
    page = client.get(f"/volunteers/teams/{cast.team.id}").text
    assert (
        "柳岸社区志愿服务队" in page
        and "刘队长" in page
        and cast.cell.name in page
        and "周末河道清扫" in page
    )
    log_in(client, "wang_ayi", PASSWORD)
    joined = post(client, f"/volunteers/teams/{cast.team.id}/join")
    assert "欢迎加入" in client.get(joined.headers["location"]).text
    assert post(client, f"/volunteers/teams/{cast.team.id}/join").status_code == 422  # once
    post(client, f"/volunteers/teams/{cast.team.id}/leave")
    session.expire_all()
    assert session.get(Membership, (cast.team.id, cast.wang_ayi.id)) is None


def test_the_last_leader_cannot_leave(client, cast):
    log_in(client, "liu_duizhang", PASSWORD)
    assert post(client, f"/volunteers/teams/{cast.team.id}/leave").status_code == 409


def test_a_leader_approves_a_request_to_join_and_appoints_a_co_leader(client, session, cast):
    from volunteers import teams

    draft = teams.TeamDraft(
        name=cast.team.name, organisation=cast.team.organisation, join_policy=JoinPolicy.approval
    )
    teams.edit_team(session, cast.admin, team_id=cast.team.id, draft=draft)
    log_in(client, "wang_ayi", PASSWORD)
    assert (
        "等待队长审核"
        in client.get(post(client, f"/volunteers/teams/{cast.team.id}/join").headers["location"]).text
    )
    log_in(client, "liu_duizhang", PASSWORD)
    manage = f"/volunteers/teams/{cast.team.id}/manage"
    assert "王阿姨" in client.get(manage).text
    post(
        client,
        f"/volunteers/teams/{cast.team.id}/members/{cast.wang_ayi.id}/decide",
        {"accept": "1"},
        page=manage,
    )
    bad = post(client, f"/volunteers/teams/{cast.team.id}/leaders", {"username": "nobody"}, page=manage)
    assert bad.status_code == 422 and "没有使用此用户名的账号" in bad.text
    post(client, f"/volunteers/teams/{cast.team.id}/leaders", {"username": "wang_ayi"}, page=manage)
    session.expire_all()
    membership = session.get(Membership, (cast.team.id, cast.wang_ayi.id))
    assert (membership.status.value, membership.role.value) == ("active", "leader")


# --- a leader's shifts --------------------------------------------------------------------------------


def shift_form(day, **changes):
    return {
        "title": "周末河道清扫",
        "place": "柳岸公园南门",
        "day": day,
        "start": "08:30",
        "end": "11:00",
        "capacity": "6",
        "weeks": "1",
        **changes,
    }


def test_a_leader_posts_a_shift_and_bad_input_answers_422_per_field(client, session, cast):
    log_in(client, "liu_duizhang", PASSWORD)
    new = f"/volunteers/teams/{cast.team.id}/shifts/new"
    day = clock.local(clock.now() + timedelta(days=3)).date().isoformat()
    bad = post(
        client,
        f"/volunteers/teams/{cast.team.id}/shifts",
        shift_form(day, end="07:00", capacity="x", title=""),
        page=new,
    )
    assert bad.status_code == 422
    for message in ("结束时间须晚于开始时间", "人数须在1至1000之间", "此项必填"):
        assert message in bad.text
    assert session.scalar(select(Shift.id).where(Shift.team_id == cast.team.id)) is None
    good = post(client, f"/volunteers/teams/{cast.team.id}/shifts", shift_form(day), page=new)
    assert good.status_code == 303
    created = session.scalar(select(Shift).where(Shift.team_id == cast.team.id))
    assert clock.local(created.starts_at).strftime("%H:%M") == "08:30" and created.capacity == 6


def test_a_weekly_series_makes_one_shift_per_week(client, session, cast):
    log_in(client, "liu_duizhang", PASSWORD)
    day = clock.local(clock.now() + timedelta(days=3)).date().isoformat()
    post(client, f"/volunteers/teams/{cast.team.id}/shifts", shift_form(day, weeks="4"))
    starts = session.scalars(
        select(Shift.starts_at).where(Shift.team_id == cast.team.id).order_by(Shift.starts_at)
    ).all()
    assert [(b - a).days for a, b in pairwise(starts)] == [7, 7, 7]


def test_a_leader_edits_and_cancels_a_shift_and_those_signed_up_are_told(client, session, cast, shift):
    signups.sign_up(session, cast.wang_ayi, shift_id=shift.id)
    log_in(client, "liu_duizhang", PASSWORD)
    edit = client.get(f"/volunteers/shifts/{shift.id}/edit").text
    assert 'value="周末河道清扫"' in edit
    day = clock.local(shift.starts_at).date().isoformat()
    post(client, f"/volunteers/shifts/{shift.id}/edit", shift_form(day, place="柳岸公园北门", capacity="2"))
    session.expire_all()
    assert session.get(Shift, shift.id).place == "柳岸公园北门"
    post(client, f"/volunteers/shifts/{shift.id}/cancel")
    assert signup_of(session, shift.id, cast.wang_ayi.id).status is S.cancelled


def test_a_leader_of_another_team_gets_403_everywhere_on_this_one(client, session, cast, hasher, shift):
    from tests.factories import make_team

    wu = make_user(session, hasher, "wu_duizhang")
    make_team(session, cast.admin, wu, name="桂花社区志愿服务队")
    log_in(client, "wu_duizhang", PASSWORD)
    for path in (
        f"/volunteers/teams/{cast.team.id}/manage",
        f"/volunteers/teams/{cast.team.id}/shifts/new",
        f"/volunteers/shifts/{shift.id}/edit",
        f"/volunteers/shifts/{shift.id}/check-in",
        f"/volunteers/shifts/{shift.id}/roster.csv",
        f"/volunteers/teams/{cast.team.id}/hours",
    ):
        assert client.get(path).status_code == 403, path
    assert post(client, f"/volunteers/shifts/{shift.id}/cancel").status_code == 403


# --- the day: check-in, attendance, hours, exports -----------------------------------------------------


@pytest.fixture
def started(session, cast, monkeypatch):
    """A shift that began an hour ago, with 王阿姨 and 李师傅 signed up (posted and joined earlier)."""
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now - timedelta(days=1))
    running = make_shift(
        session, cast.liu_duizhang, cast.team, title="社区义诊引导", starts_at=now - timedelta(hours=1)
    )
    for person in (cast.wang_ayi, cast.li_shifu):
        signups.sign_up(session, person, shift_id=running.id)
    monkeypatch.setattr(clock, "now", lambda: now)
    return running


def test_a_leader_checks_in_and_out_and_marks_a_no_show_on_the_check_in_page(client, session, cast, started):
    log_in(client, "liu_duizhang", PASSWORD)
    page = client.get(f"/volunteers/shifts/{started.id}/check-in")
    assert page.headers["cache-control"] == "no-store" and "王阿姨" in page.text and "应到 2" in page.text
    wang = signup_of(session, started.id, cast.wang_ayi.id)
    li = signup_of(session, started.id, cast.li_shifu.id)
    swapped = post(client, f"/volunteers/signups/{wang.id}/check-in", headers=HTMX, follow_redirects=True)
    assert swapped.text.lstrip().startswith('<div id="roster">') and "已到 1" in swapped.text
    post(client, f"/volunteers/signups/{wang.id}/check-out")
    post(client, f"/volunteers/shifts/{started.id}/attendance", {"signup": str(li.id), "mark": "missed"})
    assert signup_of(session, started.id, cast.li_shifu.id).status is S.no_show
    lines = hours.hours_of(session, cast.wang_ayi, user_id=cast.wang_ayi.id)
    assert [line.activity for line in lines] == ["社区义诊引导"]
    again = post(client, f"/volunteers/signups/{wang.id}/check-out")
    assert again.status_code == 409


def test_hours_are_corrected_with_a_note_and_422_without_one(client, session, cast, started):
    checkin.record_attendance(
        session,
        cast.liu_duizhang,
        shift_id=started.id,
        came=[signup_of(session, started.id, cast.wang_ayi.id).id],
    )
    log_in(client, "liu_duizhang", PASSWORD)
    path = f"/volunteers/shifts/{started.id}/hours"
    missing = post(client, path, {"user_id": str(cast.wang_ayi.id), "hours": "0.5", "note": ""})
    assert missing.status_code == 422 and "请说明调整时长的原因" in missing.text
    post(client, path, {"user_id": str(cast.wang_ayi.id), "hours": "0.5", "note": "提前到场布置"})
    lines = hours.hours_of(session, cast.wang_ayi, user_id=cast.wang_ayi.id)
    assert sorted(line.minutes for line in lines) == [30, 180]


def test_exports_are_downloads_in_chinese_without_id_numbers(client, session, cast, started):
    log_in(client, "liu_duizhang", PASSWORD)
    response = client.get(f"/volunteers/shifts/{started.id}/roster.csv")
    assert (
        response.headers["content-disposition"].startswith("attachment")
        and response.headers["cache-control"] == "no-store"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["志愿者", "状态"] and {rows[1][0], rows[2][0]} == {"王阿姨", "李师傅"}
    book = load_workbook(io.BytesIO(client.get(f"/volunteers/teams/{cast.team.id}/hours.xlsx").content))
    assert book.active.cell(1, 1).value == "志愿者"
    assert client.get(f"/volunteers/shifts/{started.id}/roster.pdf").status_code == 404


# --- certificates and the calendar ---------------------------------------------------------------------


@pytest.fixture
def verified(session, cast, started):
    """王阿姨 came to the shift and 刘队长 verified her hours."""
    signup = signup_of(session, started.id, cast.wang_ayi.id)
    checkin.record_attendance(session, cast.liu_duizhang, shift_id=started.id, came=[signup.id])
    lines = hours.team_hours(session, cast.liu_duizhang, team_id=cast.team.id)
    hours.verify_hours(
        session, cast.liu_duizhang, team_id=cast.team.id, record_ids=[line.id for line in lines]
    )


def test_certificate_apply_accept_issue_and_the_number_is_whole_only_on_the_certificate(
    client, session, cast, verified
):
    log_in(client, "wang_ayi", PASSWORD)
    form = f"/volunteers/teams/{cast.team.id}/certificate"
    bad = post(client, form, {"real_name": "王秀兰", "id_type": "resident_id", "id_number": "123"}, page=form)
    assert bad.status_code == 422 and "123" not in re.findall(r'value="([^"]*)"', bad.text)
    done = post(
        client, form, {"real_name": "王秀兰", "id_type": "resident_id", "id_number": ID_NUMBER}, page=form
    )
    assert done.status_code == 303
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == cast.wang_ayi.id))
    page = f"/volunteers/certificates/{certificate.id}"
    assert ID_NUMBER not in client.get(page).text and "110***********002X" in client.get(page).text
    log_in(client, "liu_duizhang", PASSWORD)
    assert "110***********002X" in client.get(f"/volunteers/teams/{cast.team.id}/manage").text
    post(client, f"{page}/accept", page=page)
    post(client, f"{page}/issue", page=page)
    log_in(client, "wang_ayi", PASSWORD)
    issued = client.get(page)
    assert (
        ID_NUMBER in issued.text
        and "志愿服务记录证明" in issued.text
        and issued.headers["cache-control"] == "no-store"
    )
    assert ID_NUMBER not in client.get("/volunteers/me").text
    assert ID_NUMBER not in str(
        [entry.details for entry in audit.list_entries(session, page=1, per_page=100)]
    )


def test_a_declined_application_needs_a_reason(client, session, cast, verified):
    application = certificates.apply_for_certificate(
        session,
        cast.wang_ayi,
        team_id=cast.team.id,
        real_name="王秀兰",
        id_type=IdType.resident_id,
        id_number=ID_NUMBER,
    )
    session.flush()
    log_in(client, "liu_duizhang", PASSWORD)
    page = f"/volunteers/certificates/{application.id}"
    assert post(client, f"{page}/decline", {"reason": ""}, page=page).status_code == 422
    assert post(client, f"{page}/decline", {"reason": "时长记录有误"}, page=page).status_code == 303
    log_in(client, "li_shifu", PASSWORD)
    assert client.get(page).status_code == 403


def test_the_calendar_address_is_shown_once_works_without_login_and_can_be_stopped(
    client, other_client, session, cast, shift
):
    signups.sign_up(session, cast.wang_ayi, shift_id=shift.id)
    log_in(client, "wang_ayi", PASSWORD)
    shown = post(client, "/volunteers/me/calendar", page="/volunteers/me")
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    address = re.search(r'value="(http[^"]+/volunteers/calendar/[^"]+)"', shown.text).group(1)
    feed = other_client.get(address.split("testserver", 1)[1])
    assert feed.headers["content-type"].startswith("text/calendar") and "周末河道清扫" in feed.text
    assert address not in client.get("/volunteers/me").text
    post(client, "/volunteers/me/calendar/revoke", page="/volunteers/me")
    assert other_client.get(address.split("testserver", 1)[1]).status_code == 404


def test_the_profile_takes_a_birth_date_and_skills_and_refuses_a_future_one(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    bad = post(client, "/volunteers/me/profile", {"birth_date": "2999-01-01"}, page="/volunteers/me")
    assert bad.status_code == 422 and "请填写真实的出生日期" in bad.text
    post(
        client,
        "/volunteers/me/profile",
        {"birth_date": "1960-05-01", "skill_first_aid": "1"},
        page="/volunteers/me",
    )
    from volunteers.profiles import profile_of

    assert profile_of(session, cast.wang_ayi.id).skills == {Skill.first_aid}


# --- admins ----------------------------------------------------------------------------------------------


def test_an_admin_founds_a_team_with_its_first_leader(client, session, cast):
    log_in(client, "admin", PASSWORD)
    page = "/admin/volunteers"
    assert "志愿服务队" in client.get("/admin/").text
    data = {
        "name": "城管志愿巡查队",
        "organisation": "城管执法中队",
        "join_policy": "approval",
        "leader": "nobody",
        "cells": cast.cell.code,
    }
    bad = post(client, page, data | {"organisation": ""}, page=page)
    assert bad.status_code == 422 and "没有使用此用户名的账号" in bad.text and "checked" in bad.text
    assert "请填写为本队出具证明的组织名称" in bad.text  # the service's message too, at once
    done = post(client, page, data | {"leader": "li_shifu"}, page=page)
    assert done.status_code == 303
    log_in(client, "li_shifu", PASSWORD)
    assert client.get(done.headers["location"] + "/manage").status_code == 200


def test_the_panel_says_when_signing_up_has_closed_or_opens_later(client, session, cast):
    popular = make_shift(
        session,
        cast.liu_duizhang,
        cast.team,
        starts_at=clock.now() + timedelta(days=5),
        opens_hours_before=24,
    )
    log_in(client, "wang_ayi", PASSWORD)
    page = client.get(f"/volunteers/shifts/{popular.id}").text
    assert (
        "开放报名，届时按报名先后确定名额" in page
        and 'action="/volunteers/shifts/' not in page.split("signup_panel")[1]
    )


def test_what_leaders_type_reaches_pages_escaped(client, session, cast):
    shift = make_shift(session, cast.liu_duizhang, cast.team, title="<script>alert(1)</script>清扫")
    page = client.get(f"/volunteers/shifts/{shift.id}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;清扫" in page
    assert "&lt;script&gt;" in client.get("/volunteers/").text


def test_a_leader_sets_the_teams_own_rules_and_a_co_leader_steps_down(client, session, cast):
    log_in(client, "liu_duizhang", PASSWORD)
    edit = f"/volunteers/teams/{cast.team.id}/edit"
    form = client.get(edit).text
    assert "站点设置：3" in form and f'value="{cast.cell.code}" checked' in form
    data = {
        "name": cast.team.name,
        "organisation": "柳岸社区居委会",
        "join_policy": "open",
        "cells": cast.cell.code,
    }
    bad = post(client, edit, data | {"cancel_window_hours": "很多"}, page=edit)
    assert bad.status_code == 422 and "请填写整数" in bad.text
    post(client, edit, data | {"cancel_window_hours": "12"}, page=edit)
    session.expire_all()
    assert (cast.team.cancel_window_hours, cast.team.offer_hours) == (12, None)
    manage = f"/volunteers/teams/{cast.team.id}/manage"
    post(client, f"/volunteers/teams/{cast.team.id}/leaders", {"username": "wang_ayi"}, page=manage)
    assert "卸任队长" in client.get(manage).text
    post(client, f"/volunteers/teams/{cast.team.id}/leaders/{cast.wang_ayi.id}/step-down", page=manage)
    session.expire_all()
    assert session.get(Membership, (cast.team.id, cast.wang_ayi.id)).role.value == "member"
