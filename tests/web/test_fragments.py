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
