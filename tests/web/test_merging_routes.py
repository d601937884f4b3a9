"""四意合一 over HTTP: writing and voting on a phone, the 422s, the report, the Pol.is import, the
merged opinion into the resolution draft, the home page's invitation, escaping."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from core import clock
from deliberation.consultations import lifecycle
from deliberation.consultations.models import Resolution
from deliberation.merging import refresh
from deliberation.merging.models import Merge, Participant, Statement, Vote
from tests.conftest import log_in, post_form
from tests.core.test_markdown import PAYLOADS
from tests.deliberation.merging.conftest import four_voices
from tests.deliberation.merging.polis_data import POLIS
from tests.factories import PASSWORD
from tests.web.test_authz_matrix import consultations_in_every_stage


@pytest.fixture
def stages(session, cast):
    return consultations_in_every_stage(session, cast)


def merge(stages, name="collecting"):
    return f"/consultations/{stages[name]}/merge"


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_resident_writes_votes_and_changes_her_vote(client, session, cast, stages):
    log_in(client, "wang_ayi", PASSWORD)
    written = post_form(client, f"{merge(stages)}/statements", {"text": "摊位旁边放两个垃圾桶。"}, page="/")
    assert written.status_code == 303 and written.headers["location"] == f"{merge(stages)}/vote"
    assert "观点已发表" in client.get(written.headers["location"]).text
    log_in(client, "li_shifu", PASSWORD)
    page = client.get(f"{merge(stages)}/vote").text
    assert "摊位旁边放两个垃圾桶。" in page and "已表态 0 / 1 条" in page
    statement = session.scalar(select(Statement.id))
    voted = post_form(client, f"{merge(stages)}/statements/{statement}/vote", {"vote": "disagree"}, page="/")
    assert voted.status_code == 303
    assert "你已对全部观点表态" in client.get(f"{merge(stages)}/vote").text
    again = client.get(f"{merge(stages)}/vote?statement={statement}").text
    assert "你目前的投票：不同意" in again
    post_form(client, f"{merge(stages)}/statements/{statement}/vote", {"vote": "agree"}, page="/")
    his = select(Vote.value).join(Participant).where(Participant.user_id == cast.li_shifu.id)
    assert session.scalars(his).all() == [1]


def test_bad_input_answers_422_with_a_message_per_field_and_changes_nothing(client, session, cast, stages):
    log_in(client, "wang_ayi", PASSWORD)
    empty = post_form(client, f"{merge(stages)}/statements", {"text": "   "}, page="/")
    assert empty.status_code == 422 and "请先写下你的观点。" in empty.text
    long = post_form(client, f"{merge(stages)}/statements", {"text": "长" * 281}, page="/")
    assert long.status_code == 422 and "最多 280 个字。" in long.text
    assert count(session, Statement) == 0
    post_form(client, f"{merge(stages)}/statements", {"text": "摊位旁边放垃圾桶。"}, page="/")
    statement = session.scalar(select(Statement.id))
    votes_before = count(session, Vote)
    bad = post_form(client, f"{merge(stages)}/statements/{statement}/vote", {"vote": "也许"}, page="/")
    assert bad.status_code == 422 and "请选择同意、不同意或跳过。" in bad.text
    assert count(session, Vote) == votes_before
    log_in(client, "chen_weiyuan", PASSWORD)
    opinion = post_form(client, f"{merge(stages)}/opinion", {"opinion": ""}, page="/")
    assert opinion.status_code == 422 and "请先撰写共识意见。" in opinion.text
    assert session.get(Merge, stages["collecting"]).opinion == ""
    wrong = post_form(
        client,
        f"{merge(stages)}/import",
        {},
        page="/",
        files={"votes": ("votes.csv", b"timestamp,comment-id,voter-id,vote\n1,7,a,2\n", "text/csv")},
    )
    assert wrong.status_code == 422 and "votes.csv 第 2 行：投票应为 1、-1 或 0，而不是“2”。" in wrong.text
    assert count(session, Participant) == 1  # 王阿姨's own, nothing imported


def test_votes_close_when_the_deliberation_starts(client, session, cast, stages):
    four = four_voices(session, cast, type("C", (), {"id": stages["collecting"]})())
    lifecycle.move(session, cast.zhou_jiaoshou, stages["collecting"], "deliberate", "")
    session.flush()
    log_in(client, "li_shifu", PASSWORD)
    late = post_form(client, f"{merge(stages)}/statements/{four[0].id}/vote", {"vote": "disagree"}, page="/")
    assert late.status_code == 409 and "停止接收" in late.text
    assert "投票已截止" in client.get(f"{merge(stages)}/vote?statement={four[0].id}").text


def test_the_report_shows_freshness_groups_meeting_points_and_svg(client, session, sessions, cast, stages):
    consultation = type("C", (), {"id": stages["collecting"]})()
    four_voices(session, cast, consultation)
    assert "尚无分析" in client.get(merge(stages)).text  # a page view never computes it
    refresh.refresh_analysis(sessions, stages["collecting"])
    page = client.get(merge(stages)).text
    assert "本分析计入 16 票" in page and "尚缺" not in page
    assert page.count('class="statement-bars"') >= 4 and 'role="img"' in page and "aria-label=" in page
    assert "style=" not in page[page.index("<main") :]
    assert "交融度" in page and "交融点" in page
    csv = client.get(f"{merge(stages)}.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\n") == 5


def test_a_missing_group_is_named(client, session, sessions, cast, stages):
    log_in(client, "wang_ayi", PASSWORD)
    post_form(client, f"{merge(stages)}/statements", {"text": "摊位旁边放垃圾桶。"}, page="/")
    refresh.refresh_analysis(sessions, stages["collecting"])
    page = client.get(merge(stages)).text
    assert "尚缺：政府、街道社区、管理服务对象" in page


def test_the_committee_imports_a_polis_conversation(client, session, sessions, cast, stages):
    folder = POLIS / "london.youth.policing"
    log_in(client, "chen_weiyuan", PASSWORD)
    files = {
        "votes": ("votes.csv", (folder / "votes.csv").read_bytes(), "text/csv"),
        "comments": ("comments.csv", (folder / "comments.csv").read_bytes(), "text/csv"),
    }
    done = post_form(client, f"{merge(stages)}/import", {}, page="/", files=files)
    assert done.status_code == 303, done.text
    imported = count(session, Vote)
    assert imported > 500 and session.scalar(select(func.count()).where(Participant.user_id.is_(None))) > 10
    again = post_form(client, f"{merge(stages)}/import", {}, page="/", files=files)
    assert again.status_code == 303 and count(session, Vote) == imported  # the same files change nothing
    refresh.refresh_analysis(sessions, stages["collecting"])
    page = client.get(merge(stages)).text
    assert "意见地图" in page and "<circle" in page and "未声明群体" in page


def test_the_merged_opinion_becomes_the_resolution_draft(client, session, cast, stages):
    log_in(client, "chen_weiyuan", PASSWORD)
    saved = post_form(
        client, f"{merge(stages, 'deliberating')}/opinion", {"opinion": "四方都同意：每天清扫。"}, page="/"
    )
    assert saved.status_code == 303
    assert "用作决议草稿" in client.get(merge(stages, "deliberating")).text
    used = post_form(client, f"{merge(stages, 'deliberating')}/opinion/use", {}, page="/")
    assert used.status_code == 303 and used.headers["location"].endswith("#resolution")
    assert session.get(Resolution, stages["deliberating"]).text == "四方都同意：每天清扫。"


def test_the_home_page_invites_a_resident_to_vote(client, session, cast, stages):
    four_voices(session, cast, type("C", (), {"id": stages["collecting"]})(), texts=("摊位每天清扫。",))
    log_in(client, "liu_duizhang", PASSWORD)
    home = client.get("/").text
    assert "议题collecting" in home and "1 条观点等你表态" in home
    log_in(client, "wang_ayi", PASSWORD)  # she wrote it, and so agreed with it
    assert "目前没有等你表态的观点" in client.get("/").text


def test_times_show_in_shanghai(client, session, sessions, cast, stages, monkeypatch):
    from datetime import UTC, datetime

    four_voices(session, cast, type("C", (), {"id": stages["collecting"]})())
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    refresh.refresh_analysis(sessions, stages["collecting"])
    assert "2026年3月2日 01:30" in client.get(merge(stages)).text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_statements_reach_every_page_only_escaped(client, session, sessions, cast, stages, payload):
    log_in(client, "wang_ayi", PASSWORD)
    written = post_form(client, f"{merge(stages)}/statements", {"text": payload[:280]}, page="/")
    assert written.status_code == 303
    refresh.refresh_analysis(sessions, stages["collecting"])
    log_in(client, "chen_weiyuan", PASSWORD)
    text = " ".join(payload[:280].split())
    for path in ("/vote", "", "/moderation"):
        page = client.get(merge(stages) + path).text
        shown = page[page.index("<main") :]
        assert str(escape(text)) in shown, path
        if "<" in text:
            assert text not in shown, path


def test_the_freshness_line_is_polled_and_answers_204_until_a_newer_analysis(
    client, session, sessions, cast, stages
):
    four_voices(session, cast, type("C", (), {"id": stages["collecting"]})())
    refresh.refresh_analysis(sessions, stages["collecting"])
    page = client.get(merge(stages)).text
    freshness = page[page.index('id="freshness"') :]  # the header's search box polls nothing
    polled = freshness.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert polled.startswith(f"{merge(stages)}/freshness?since=") and 'hx-trigger="every 20s"' in page
    htmx = {"HX-Request": "true"}
    assert client.get(polled, headers=htmx).status_code == 204
    merged = session.get(Merge, stages["collecting"])
    merged.report_at = merged.report_at.replace(year=merged.report_at.year + 1)  # a later refresh
    session.flush()
    newer = client.get(polled, headers=htmx)
    assert newer.status_code == 200 and newer.text.lstrip().startswith('<section class="card freshness"')
    assert "有新的分析" in newer.text
    assert "<html" in client.get(polled).text  # without htmx: the whole report
