"""The monthly grid assessment over HTTP: the ranking with its chart and trends, the Excel export, and
the committee's score form (422 per field, nothing saved; text people type only ever escaped)."""

from __future__ import annotations

import io
import re

import pytest
from markupsafe import escape
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from core import clock
from grid import assessment, scores
from grid.models import CommitteeScore
from tests.conftest import log_in, post_form
from tests.core.test_markdown import PAYLOADS
from tests.factories import PASSWORD
from tests.grid.conftest import report, walk

HTMX = {"HX-Request": "true"}
THIS_MONTH = assessment.month_of(clock.now())
LAST_MONTH = assessment.shift(THIS_MONTH, -1)


@pytest.fixture
def assessed(session, cast):
    """Last month assessed with the cast's cell scored by both committee members (this month's cases
    are not in it: the ranking reads what is stored)."""
    walk(session, cast.zhang_wangge, report(session, cast), "register", "dispatch", "handle")
    assessment.assess_month(session, LAST_MONTH)
    for member, value in ((cast.chen_weiyuan, "80"), (cast.zhou_jiaoshou, "90")):
        scores.score_cell(
            session, member, month=LAST_MONTH, cell_code=cast.cell.code, score=value, comment="街面整洁"
        )
    session.flush()
    return LAST_MONTH


def score_count(session) -> int:
    return session.scalar(select(func.count()).select_from(CommitteeScore))


def test_the_index_leads_to_the_latest_month(client, assessed):
    response = client.get("/grid/assessments/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith(
        f"/grid/assessments/{assessed}"
    )


def test_the_ranking_shows_every_cell_with_text_for_the_pictures(client, cast, assessed):
    page = client.get(f"/grid/assessments/{assessed}").text
    assert cast.cell.name in page and "结案率" in page and "按期结案率" in page and "反馈率" in page
    assert '<svg class="bar-chart"' not in page  # nothing was due last month: no total, no bar
    assert "cell without a total" in page or "个网格暂无总分" in page
    assert "85.0" in page  # the committee's average still shows
    assert " style=" not in page  # the CSP allows no inline style: SVG is styled by classes


def test_a_ranked_cell_gets_a_bar_and_its_total(client, session, cast, monkeypatch):
    from datetime import timedelta

    before = clock.now() - timedelta(days=40)
    monkeypatch.setattr(clock, "now", lambda: before)
    case = walk(
        session, cast.zhang_wangge, report(session, cast), "register", "dispatch", "handle", "pass", "close"
    )
    month = assessment.month_of(case.due_at)
    monkeypatch.undo()
    assessment.assess_month(session, month)
    scores.score_cell(
        session, cast.chen_weiyuan, month=month, cell_code=cast.cell.code, score="80", comment=""
    )
    session.flush()
    page = client.get(f"/grid/assessments/{month}").text
    total = 0.7 * 100 + 0.3 * 80
    assert '<svg class="bar-chart"' in page and f"{total:.1f}" in page
    assert re.search(r'<title id="chart-title">[^<]+</title>', page)
    assert f"1. {cast.cell.name} {total}" in page  # the chart's description names the leader
    assert f"{month} {total}" in page  # the trend line says its values in words
    assert 'class="spark"' in page and " style=" not in page


def test_a_month_not_yet_assessed_says_so_and_a_bad_month_is_404(client, assessed):
    assert "computed after the month ends" in client.get(f"/grid/assessments/{THIS_MONTH}").text or (
        "月末" in client.get(f"/grid/assessments/{THIS_MONTH}").text
    )
    assert client.get("/grid/assessments/2026-13").status_code == 404
    assert client.get(f"/grid/assessments/{THIS_MONTH}/ranking.xlsx").status_code == 404


def test_the_export_is_an_excel_workbook_of_the_ranking(client, cast, assessed):
    response = client.get(f"/grid/assessments/{assessed}/ranking.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    cells, departments = book.worksheets
    rows = list(cells.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "网格编码", "网格")
    assert rows[1][1:3] == (cast.cell.code, cast.cell.name) and rows[1][16] == 85.0
    assert next(departments.iter_rows(values_only=True))[0] == "处置单位"


def test_a_committee_member_scores_a_cell(client, session, cast):
    log_in(client, "zhou_jiaoshou", PASSWORD)
    page = client.get(f"/grid/assessments/{THIS_MONTH}/scores").text
    assert cast.cell.name in page and 'name="score"' in page
    response = post_form(
        client,
        f"/grid/assessments/{THIS_MONTH}/scores",
        {"cell_code": cast.cell.code, "score": "88", "comment": "垃圾清运及时"},
        page="/",
    )
    assert response.status_code == 303
    assert "垃圾清运及时" in client.get(response.headers["location"]).text
    assert session.scalar(select(CommitteeScore.score)) == 88


def test_bad_input_is_422_with_a_message_per_field_and_nothing_saved(client, session, cast):
    log_in(client, "chen_weiyuan", PASSWORD)
    response = post_form(
        client,
        f"/grid/assessments/{THIS_MONTH}/scores",
        {"cell_code": "999999999999999", "score": "120", "comment": "好" * 1001},
        page="/",
    )
    assert response.status_code == 422
    assert response.text.count('class="field-error"') == 3
    assert "请填写0到100之间的整数" in response.text and "请从列表中选择网格" in response.text
    assert "好" * 1001 in response.text  # what was typed comes back to be corrected
    assert score_count(session) == 0


def test_a_month_outside_the_window_is_404(client, cast):
    log_in(client, "chen_weiyuan", PASSWORD)
    assert client.get("/grid/assessments/2019-01/scores").status_code == 404
    response = post_form(
        client, "/grid/assessments/2019-01/scores", {"cell_code": cast.cell.code, "score": "80"}, page="/"
    )
    assert response.status_code == 404


def test_only_committee_members_score(client, session, cast):
    for username in ("wang_ayi", "zhang_wangge", "admin"):
        log_in(client, username, PASSWORD)
        assert client.get(f"/grid/assessments/{THIS_MONTH}/scores").status_code == 403
        response = post_form(
            client,
            f"/grid/assessments/{THIS_MONTH}/scores",
            {"cell_code": cast.cell.code, "score": "80"},
            page="/",
        )
        assert response.status_code == 403
    assert score_count(session) == 0


def test_the_score_form_comes_back_alone_to_htmx(client, cast):
    log_in(client, "chen_weiyuan", PASSWORD)
    response = client.get(f"/grid/assessments/{THIS_MONTH}/scores", headers=HTMX)
    assert response.text.lstrip().startswith('<form id="score_form"') and "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_comment_reaches_the_page_only_escaped(client, cast, payload):
    log_in(client, "zhou_jiaoshou", PASSWORD)
    response = post_form(
        client,
        f"/grid/assessments/{THIS_MONTH}/scores",
        {"cell_code": cast.cell.code, "score": "70", "comment": payload[:1000]},
        page="/",
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/grid/assessments/{THIS_MONTH}/scores").text
    assert str(escape(payload[:1000].strip())) in page
    if "<" in payload:
        assert payload not in page
