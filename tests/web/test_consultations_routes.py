"""群议委 consultations over HTTP: convening from a thread, moving on, meetings, the vote, the timeline."""

import re
from datetime import timedelta

from sqlalchemy import select

from core import clock
from deliberation.consultations.models import Consultation, State
from deliberation.forums import threads
from tests.conftest import log_in, post_form
from tests.factories import PASSWORD
from tests.web.test_authz_matrix import consultations_in_every_stage


def test_a_committee_member_raises_a_thread_and_it_opens_for_views(client, session, cast):
    thread = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="楼道杂物", body="谁来清？"
    )
    session.flush()
    log_in(client, "zhou_jiaoshou", PASSWORD)
    assert "转为协商议题" in client.get(f"/forums/threads/{thread.id}").text
    form = client.get(f"/consultations/new?thread={thread.id}").text
    assert 'value="楼道杂物"' in form and f'name="thread" value="{thread.id}"' in form
    response = post_form(
        client,
        "/consultations/",
        {
            "title": "楼道杂物清理",
            "question": "谁来清、何时清？",
            "scope": cast.cell.code,
            "thread": str(thread.id),
        },
        page="/consultations/new",
    )
    assert response.status_code == 303
    consultation = session.scalar(select(Consultation).where(Consultation.thread_id == thread.id))
    page = client.get(response.headers["location"]).text
    assert "草稿" in page and "开始征集意见" in page
    moved = post_form(
        client,
        f"/consultations/{consultation.id}/move",
        {"action": "open", "note": "请各方发表意见"},
        page="/",
    )
    assert moved.status_code == 303
    page = client.get(f"/consultations/{consultation.id}").text
    assert 'aria-current="step"' in page and "请各方发表意见" in page
    assert "群议委已把这个话题转为协商议题" in client.get(f"/forums/threads/{thread.id}").text


def test_a_bad_convening_form_keeps_its_values_and_saves_nothing(client, session, cast):
    log_in(client, "zhou_jiaoshou", PASSWORD)
    past = (clock.local(clock.now()) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        client,
        "/consultations/",
        {"title": "x", "question": "", "scope": "nowhere", "deadline": past},
        page="/consultations/new",
    )
    assert response.status_code == 422
    for message in (
        "标题 2 到 120 个字",
        "请说明要决定什么",
        "请从列表中选择网格或社区",
        "意见征集截止时间必须晚于现在",
    ):
        assert message in response.text
    assert session.scalar(select(Consultation.id)) is None


def test_a_step_the_table_does_not_allow_is_refused_and_changes_nothing(client, session, cast):
    stages = consultations_in_every_stage(session, cast)
    log_in(client, "zhou_jiaoshou", PASSWORD)
    response = post_form(client, f"/consultations/{stages['collecting']}/move", {"action": "agree"}, page="/")
    assert response.status_code == 409 and "无法进行这一步" in response.text
    assert session.get(Consultation, stages["collecting"]).state is State.collecting
    log_in(client, "wang_ayi", PASSWORD)
    refused = post_form(
        client, f"/consultations/{stages['collecting']}/move", {"action": "deliberate"}, page="/"
    )
    assert refused.status_code == 403


def test_minutes_are_published_with_a_file_and_the_meeting_has_a_calendar_entry(client, session, cast):
    stages = consultations_in_every_stage(session, cast)
    log_in(client, "zhou_jiaoshou", PASSWORD)
    response = post_form(
        client,
        f"/consultations/meetings/{stages['meeting']}/minutes",
        {"attendance": "摊主2人、居民5人", "minutes": "**同意**试点三个月"},
        page="/",
        files={"file": ("纪要.txt", "议事会纪要全文".encode(), "text/plain")},
    )
    assert response.status_code == 303
    page = client.get(f"/consultations/{stages['collecting']}").text
    assert "<strong>同意</strong>试点三个月" in page and "纪要.txt" in page
    ics = client.get(f"/consultations/meetings/{stages['meeting']}.ics")
    assert ics.headers["content-type"].startswith("text/calendar") and "SEQUENCE:1" in ics.text


def test_the_committee_votes_and_the_tally_and_ballots_are_public(client, other_client, session, cast):
    stages = consultations_in_every_stage(session, cast)
    deliberating = stages["deliberating"]
    log_in(client, "zhou_jiaoshou", PASSWORD)
    post_form(
        client, f"/consultations/{deliberating}/resolution", {"text": "试点三个摊位，为期三个月。"}, page="/"
    )
    assert (
        post_form(client, f"/consultations/{deliberating}/resolution/open", {}, page="/").status_code == 303
    )
    for who in (client, other_client):
        if who is other_client:
            log_in(other_client, "chen_weiyuan", PASSWORD)
        assert (
            post_form(
                who, f"/consultations/{deliberating}/resolution/votes", {"choice": "for"}, page="/"
            ).status_code
            == 303
        )
    assert (
        post_form(client, f"/consultations/{deliberating}/resolution/count", {}, page="/").status_code == 303
    )
    visitor = client.__class__(client.app, follow_redirects=False)
    page = visitor.get(f"/consultations/{deliberating}").text
    assert "已通过" in page and "赞成 2 · 反对 0 · 弃权 0" in page
    assert re.search(r"zhou_jiaoshou</span>：赞成", page) and re.search(r"chen_weiyuan</span>：赞成", page)
    agreed = post_form(client, f"/consultations/{deliberating}/move", {"action": "agree"}, page="/")
    assert agreed.status_code == 303 and session.get(Consultation, deliberating).state is State.agreed


def test_a_draft_is_the_conveners_until_it_opens(client, session, cast):
    stages = consultations_in_every_stage(session, cast)
    assert client.get(f"/consultations/{stages['draft']}").status_code == 404
    log_in(client, "wang_ayi", PASSWORD)
    assert client.get(f"/consultations/{stages['draft']}").status_code == 404
    assert "议题draft" not in client.get("/consultations/").text


def test_the_list_filters_by_stage_and_swaps_for_htmx(client, session, cast):
    consultations_in_every_stage(session, cast)
    whole = client.get("/consultations/?state=deliberating").text
    assert "议题deliberating" in whole and "议题collecting" not in whole
    fragment = client.get("/consultations/?state=collecting", headers={"HX-Request": "true"})
    assert (
        fragment.text.lstrip().startswith('<div id="consultation_list">')
        and "议题collecting" in fragment.text
    )


def test_a_move_note_is_escaped(client, session, cast):
    stages = consultations_in_every_stage(session, cast)
    log_in(client, "zhou_jiaoshou", PASSWORD)
    post_form(
        client,
        f"/consultations/{stages['collecting']}/move",
        {"action": "deliberate", "note": "<script>alert(1)</script>"},
        page="/",
    )
    page = client.get(f"/consultations/{stages['collecting']}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
