"""Every page answers a plain htmx request (its fragment, or the page) without an error, and every form
that comes back 422 to htmx renders its block: blocks keep the macros their templates import."""

import pytest

from tests.conftest import log_in, post_form
from tests.factories import PASSWORD
from tests.web.test_authz_matrix import GETS, ROLES, world  # noqa: F401 - world is a fixture

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("role", ["visitor", "wang_ayi", "admin"])
def test_every_page_answers_a_plain_htmx_request(client, world, role):  # noqa: F811
    if role != "visitor":
        log_in(client, role, PASSWORD)
    statuses = {row.key: client.get(world.fill(row.path, role), headers=HTMX).status_code for row in GETS}
    assert statuses == {row.key: row.expect(role) for row in GETS}  # the same answers as whole pages


def test_forms_that_come_back_422_render_their_block_for_htmx(client, cast):
    login = post_form(client, "/accounts/login", {"username": "", "password": ""}, headers=HTMX)
    assert login.status_code == 422 and login.text.lstrip().startswith('<form id="login_form"')
    register = post_form(client, "/accounts/register", {"username": "x"}, headers=HTMX)
    assert (
        register.status_code == 422 and 'id="register_form"' in register.text and "<html" not in register.text
    )
    log_in(client, "admin", PASSWORD)
    roster = post_form(
        client,
        f"/admin/grid/cells/{cast.cell.code}/roster",
        {"username": "nobody", "role": "liaison"},
        headers=HTMX,
    )
    assert (
        roster.status_code == 422
        and "<!doctype" not in roster.text
        and "没有使用此用户名的账号" in roster.text
    )


def test_a_committee_score_that_comes_back_422_renders_its_block_for_htmx(client, cast):
    from core import clock
    from grid import assessment

    log_in(client, "chen_weiyuan", PASSWORD)
    month = assessment.month_of(clock.now())
    answer = post_form(
        client, f"/grid/assessments/{month}/scores", {"cell_code": cast.cell.code, "score": "x"}, headers=HTMX
    )
    assert answer.status_code == 422 and answer.text.lstrip().startswith('<form id="score_form"')
    assert "<html" not in answer.text and "请填写0到100之间的整数" in answer.text


assert ROLES  # the matrix's roles are the ones this file borrows from


def test_the_merge_blocks_come_back_as_fragments(client, session, cast):
    from tests.web import merge_world
    from tests.web.test_authz_matrix import consultations_in_every_stage

    stages = consultations_in_every_stage(session, cast)
    ids = merge_world.build(session, cast, stages)
    base = f"/consultations/{stages['collecting']}/merge"
    fresh = client.get(f"{base}/freshness", headers=HTMX)
    assert fresh.text.lstrip().startswith('<section class="card freshness" id="freshness"')
    log_in(client, "li_shifu", PASSWORD)
    card = client.get(f"{base}/vote", headers=HTMX)
    assert card.text.lstrip().startswith('<section id="vote_card"') and "<html" not in card.text
    hints = client.get(f"{base}/similar?text=摊位周边清扫", headers=HTMX)
    assert hints.text.lstrip().startswith('<div id="similar"') and "早点摊位周边每天清扫。" in hints.text
    refused = post_form(
        client, f"{base}/statements/{ids['merge_statement']}/vote", {"vote": "x"}, headers=HTMX
    )
    assert refused.status_code == 422 and refused.text.lstrip().startswith('<section id="vote_card"')
    empty = post_form(client, f"{base}/statements", {"text": ""}, headers=HTMX)
    assert empty.status_code == 422 and empty.text.lstrip().startswith('<section id="statement_form"')
    log_in(client, "chen_weiyuan", PASSWORD)
    queue = client.get(f"{base}/moderation", headers=HTMX)
    assert queue.text.lstrip().startswith('<section class="card" id="moderation_queue"')
    no_file = post_form(client, f"{base}/import", {}, headers=HTMX)
    assert no_file.status_code == 422 and no_file.text.lstrip().startswith(
        '<section class="card" id="import_form"'
    )


def test_the_search_results_block_is_what_typing_in_the_header_swaps_in(client, world):  # noqa: F811
    fragment = client.get("/search", params={"q": "楼道", "kind": "discussion"}, headers=HTMX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="results"')
    assert "<mark>楼道</mark>" in fragment.text and "<html" not in fragment.text
    refused = client.get("/search", params={"q": "楼道", "time": "forever"}, headers=HTMX)
    assert refused.status_code == 422 and refused.text.lstrip().startswith('<div id="results"')
