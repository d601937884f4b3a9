"""The grid case queue over HTTP: a resident's report, staff moving a case step by step, the follower's
answer at 核查, the queue, hand-offs from a consultation and a thread, and the admin's taxonomy."""

import io
import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from PIL import Image
from sqlalchemy import func, select

from core import clock, site_settings
from deliberation.forums import threads
from grid import cases, departments
from grid.models import Case, CaseClass, CaseState, CaseStep
from tests.conftest import log_in, post_form
from tests.core.test_markdown import PAYLOADS
from tests.factories import PASSWORD
from tests.grid.conftest import class_id, report, walk
from tests.web.case_world import agreed_consultation

HTMX = {"HX-Request": "true"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def reported_by_http(client, session, **fields):
    values = {
        "ref": "http-1",
        "category": str(class_id(session)),
        "title": "5号楼路灯不亮",
        "description": "晚上一片黑。",
        "address": "柳岸小区5号楼",
    } | fields
    return post_form(
        client,
        "/grid/cases/",
        values,
        page="/grid/cases/new",
        files=[("photos", ("light.png", png(), "image/png"))],
    )


def case_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


def test_a_resident_reports_with_a_photo_and_follows_her_case(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    form = client.get("/grid/cases/new").text
    assert "随手拍" in form and 'name="ref"' in form and "雨水井盖" in form
    response = reported_by_http(client, session)
    assert response.status_code == 303, response.text
    case = session.scalar(select(Case))
    assert response.headers["location"].endswith(f"/grid/cases/{case.id}")
    assert (case.state, case.reporter_id, case.cell_id) == (CaseState.reported, cast.wang_ayi.id, None)
    assert case.suggested_cell_id == cast.cell.id  # her home cell, as she gave no location
    page = client.get(response.headers["location"]).text
    assert "5号楼路灯不亮" in page and "晚上一片黑。" in page and 'aria-pressed="true"' in page
    assert "/files/" in page  # the photo, on the report step
    assert cast.wang_ayi.id in cases.follower_ids(session, case.id)


def test_the_same_report_sent_twice_is_one_case(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    first = reported_by_http(client, session)
    again = reported_by_http(client, session)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"] and case_count(session) == 1


def test_a_bad_report_names_every_wrong_field_and_saves_nothing(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = reported_by_http(client, session, title="灯", category="999999", address="")
    assert response.status_code == 422
    assert "请用 4 到" in response.text and "请从列表中选择类别。" in response.text
    assert "请填写地址，或让手机提供位置。" in response.text
    assert 'value="灯"' in response.text  # what she typed comes back
    assert case_count(session) == 0
    htmx = post_form(client, "/grid/cases/", {"ref": "x", "title": ""}, page="/grid/cases/new", headers=HTMX)
    assert htmx.status_code == 422 and "<html" not in htmx.text and "field-error" in htmx.text


def test_a_location_outside_the_map_is_refused(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = reported_by_http(client, session, address="", lat="123", lng="500")
    assert response.status_code == 422 and case_count(session) == 0


def move(client, case_id, action, **fields):
    return post_form(client, f"/grid/cases/{case_id}/move", {"action": action, **fields}, page="/")


def test_staff_work_a_case_to_its_close_and_the_reporter_confirms(client, other_client, session, cast):
    case = report(session, cast)
    log_in(client, "zhang_wangge", PASSWORD)
    page = client.get(f"/grid/cases/{case.id}").text
    assert "立案" in page and f'value="{cast.cell.code}" selected' in page  # the suggested cell
    assert (
        move(client, case.id, "register", cell_code=cast.cell.code, category=str(case.class_id)).status_code
        == 303
    )
    assert move(client, case.id, "dispatch", assignee="zhang_wangge").status_code == 303
    refused = move(client, case.id, "handle", note="")
    assert refused.status_code == 422 and "请说明理由" in refused.text
    session.refresh(case)
    assert case.state is CaseState.dispatched
    assert move(client, case.id, "handle", note="井盖已更换。").status_code == 303
    log_in(other_client, "wang_ayi", PASSWORD)
    asked = other_client.get(f"/grid/cases/{case.id}").text
    assert "真的解决了吗" in asked
    answered = post_form(
        other_client, f"/grid/cases/{case.id}/answer", {"solved": "yes", "note": "不晃了"}, page="/"
    )
    assert answered.status_code == 303
    checking = client.get(f"/grid/cases/{case.id}").text
    assert "参与者中有 1 人（共 1 人）说问题已解决。" in checking and "不晃了" in checking
    assert move(client, case.id, "pass").status_code == 303
    assert move(client, case.id, "close").status_code == 303
    session.refresh(case)
    assert case.state is CaseState.closed and case.closed_at is not None
    history = other_client.get(f"/grid/cases/{case.id}").text
    assert "井盖已更换。" in history and "已结案" in history
    assert "不晃了" not in history  # what each person answered is for the checker; everyone sees the tally


def test_a_step_no_longer_possible_is_refused_and_changes_nothing(client, session, cast):
    case = walk(session, cast.zhang_wangge, report(session, cast), "register")
    log_in(client, "zhang_wangge", PASSWORD)
    steps = session.scalar(select(func.count()).select_from(CaseStep))
    stale = move(client, case.id, "register", cell_code=cast.cell.code, category=str(case.class_id))
    assert stale.status_code == 409 and "请刷新页面" in stale.text
    assert session.scalar(select(func.count()).select_from(CaseStep)) == steps


def test_a_rejection_needs_a_reason_that_the_reporter_then_reads(client, other_client, session, cast):
    case = report(session, cast)
    log_in(client, "zhang_wangge", PASSWORD)
    assert move(client, case.id, "reject", note="").status_code == 422
    assert move(client, case.id, "reject", note="属物业管理范围，已转告物业。").status_code == 303
    log_in(other_client, "wang_ayi", PASSWORD)
    page = other_client.get(f"/grid/cases/{case.id}").text
    assert "不予立案" in page and "属物业管理范围，已转告物业。" in page


def test_the_queue_shows_new_cases_and_counts_each_view(client, session, cast):
    report(session, cast, ref="q1", title="垃圾桶满了没人清")
    walk(session, cast.zhang_wangge, report(session, cast, ref="q2", title="路面坑洼积水"), "register")
    log_in(client, "zhang_wangge", PASSWORD)
    new = client.get("/grid/cases/queue").text
    assert "垃圾桶满了没人清" in new and "路面坑洼积水" not in new
    opened = client.get("/grid/cases/queue?view=open").text
    assert "垃圾桶满了没人清" in opened and "路面坑洼积水" in opened
    fragment = client.get("/grid/cases/queue?view=open", headers=HTMX).text
    assert "<html" not in fragment and "路面坑洼积水" in fragment
    log_in(client, "wang_ayi", PASSWORD)
    assert client.get("/grid/cases/queue").status_code == 403


def test_the_public_list_filters_by_state_and_cell(client, session, cast):
    report(session, cast, ref="l1", title="垃圾桶满了没人清")
    walk(session, cast.zhang_wangge, report(session, cast, ref="l2", title="路面坑洼积水"), "register")
    registered = client.get("/grid/cases/?state=registered").text
    assert "路面坑洼积水" in registered and "垃圾桶满了没人清" not in registered
    here = client.get(f"/grid/cases/?cell={cast.cell.code}").text
    assert "路面坑洼积水" in here  # the reported one has no cell until 立案
    assert client.get("/grid/cases/?state=nonsense&cell=<script>&page=-4").status_code == 200


def test_a_mediation_case_is_not_there_for_residents(client, session, cast):
    private = cases.open_case(
        session,
        None,
        cases.Opening(
            source=cases.CaseSource.mediation,
            source_ref="m",
            title="调解未成",
            cell_id=cast.cell.id,
            staff_only=True,
        ),
    )
    session.flush()
    assert client.get(f"/grid/cases/{private.id}").status_code == 404
    assert "调解未成" not in client.get("/grid/cases/").text
    log_in(client, "zhang_wangge", PASSWORD)
    assert "调解未成" in client.get(f"/grid/cases/{private.id}").text


def test_times_on_a_case_are_shanghai_time(client, session, cast, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    case = report(session, cast)
    assert "2026年3月2日 01:30" in client.get(f"/grid/cases/{case.id}").text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_people_type_reaches_the_page_only_escaped(client, session, cast, payload):
    log_in(client, "wang_ayi", PASSWORD)
    title = f"路灯{payload}"[:80]
    response = reported_by_http(
        client, session, title=title, description=payload, address=payload[:200] or "5号楼"
    )
    assert response.status_code == 303, response.text
    for page in (client.get(response.headers["location"]).text, client.get("/grid/cases/").text):
        assert str(escape(title)) in page
        if "<" in payload:
            assert payload not in page


def test_the_committee_hands_an_agreed_consultation_to_the_grid(client, session, cast):
    consultation_id = agreed_consultation(session, cast)
    log_in(client, "zhou_jiaoshou", PASSWORD)
    page = client.get(f"/consultations/{consultation_id}").text
    assert "转办网格" in page
    response = post_form(
        client,
        f"/consultations/{consultation_id}/hand-off",
        {"category": str(class_id(session, "event", "0502")), "note": "请尽快落实"},
        page="/",
    )
    assert response.status_code == 303
    case_page = client.get(response.headers["location"]).text
    assert "银河路口摊点试点" in case_page and "在银河路口试点三个摊位。" in case_page
    again = post_form(client, f"/consultations/{consultation_id}/hand-off", {"category": ""}, page="/")
    assert again.status_code == 409 and case_count(session) == 1
    timeline = client.get(f"/consultations/{consultation_id}").text
    assert "已转办网格" in timeline and re.search(r'href="/grid/cases/\d+"', timeline)


def test_a_moderator_hands_a_thread_to_the_grid_and_the_thread_shows_it(client, session, cast):
    thread = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="楼道堆满杂物", body="消防通道被堵了。"
    )
    session.flush()
    log_in(client, "sun_banzhu", PASSWORD)
    response = post_form(
        client, f"/forums/threads/{thread.id}/hand-off", {"category": str(class_id(session))}, page="/"
    )
    assert response.status_code == 303
    case = session.scalar(select(Case))
    assert (case.title, case.description) == ("楼道堆满杂物", "消防通道被堵了。")
    assert cast.wang_ayi.id in cases.follower_ids(session, case.id)
    shown = client.get(f"/forums/threads/{thread.id}").text
    assert f'href="/grid/cases/{case.id}"' in shown


def test_an_admin_sets_a_time_limit_and_a_bad_one_changes_nothing(client, session, cast):
    minor = session.get(CaseClass, class_id(session))
    log_in(client, "admin", PASSWORD)
    assert "雨水井盖" in client.get("/admin/grid/taxonomy").text
    bad = post_form(client, f"/admin/grid/taxonomy/{minor.id}", {"limit_hours": "三天"}, page="/")
    assert bad.status_code == 422 and "填 1 到" in bad.text
    session.refresh(minor)
    assert minor.limit_hours is None
    assert (
        post_form(client, f"/admin/grid/taxonomy/{minor.id}", {"limit_hours": "24"}, page="/").status_code
        == 303
    )
    session.refresh(minor)
    assert minor.limit_hours == 24
    wrong = post_form(
        client,
        "/admin/grid/taxonomy",
        {"major": str(minor.parent_id), "code": "9999", "name": ""},
        page="/",
    )
    assert wrong.status_code == 422 and "四位数字" in wrong.text and "名称为 1 到" in wrong.text


def test_an_admin_keeps_departments_and_a_duplicate_name_is_refused(client, session, cast):
    log_in(client, "admin", PASSWORD)
    data = {"name": "区环卫所", "contact": "010-5678", "classes": [str(class_id(session))]}
    assert post_form(client, "/admin/grid/departments", data, page="/").status_code == 303
    page = client.get("/admin/grid/departments").text
    assert "区环卫所" in page and "010-5678" in page
    again = post_form(client, "/admin/grid/departments", data, page="/")
    assert again.status_code == 422 and "已有同名的处置单位。" in again.text
    other = post_form(client, "/admin/grid/departments", {"name": "街道城管科", "contact": ""}, page="/")
    assert other.status_code == 303
    [renamed] = [d for d in departments.list_departments(session) if d.name == "街道城管科"]
    clash = post_form(client, f"/admin/grid/departments/{renamed.id}", {"name": "区环卫所"}, page="/")
    assert clash.status_code == 422
    assert {d.name for d in departments.list_departments(session)} == {"区环卫所", "街道城管科"}


def test_reports_are_rate_limited_with_a_clear_429_that_saves_nothing(client, session, cast):
    site_settings.change(session, cast.admin, "rate.case_report_per_user", "2/3600")
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    statuses = [reported_by_http(client, session, ref=f"burst{n}").status_code for n in range(3)]
    assert statuses == [303, 303, 429] and case_count(session) == 2
