"""Every page × every role: who gets the page, who is sent to log in, who is refused.

Stakeholder groups are a second axis; where they matter (granting government) the admin tests cover
them. Team leaders arrive with the volunteers issue and join this matrix then.
"""

import pytest

from tests.conftest import log_in, post_form
from tests.factories import PASSWORD

ROLES = [
    "visitor",
    "wang_ayi",
    "li_shifu",
    "chen_weiyuan",
    "zhou_jiaoshou",
    "zhang_wangge",
    "sun_banzhu",
    "admin",
]
PUBLIC = ["/", "/grid/", "/grid/cells/{cell}", "/accounts/login", "/accounts/register", "/healthz"]
PERSONAL = [
    "/accounts/me",
    "/accounts/password",
    "/accounts/notifications",
    "/accounts/notifications/settings",
]
ADMIN = [
    "/admin/",
    "/admin/users",
    "/admin/users/{wang}",
    "/admin/grid",
    "/admin/grid/cells/{cell}",
    "/admin/jobs",
    "/admin/audit",
    "/admin/settings",
]
ADMIN_POSTS = [
    ("/admin/users/{wang}/roles", {"role": "admin", "action": "grant"}),
    ("/admin/users/{wang}/chair", {}),
    ("/admin/users/{wang}/group", {"group": "government"}),
    ("/admin/users/{wang}/active", {"active": "0"}),
    ("/admin/grid/cells/{cell}/roster", {"username": "wang_ayi", "role": "liaison"}),
    ("/admin/settings", {"lockout.account_failures": "3"}),
]


def expected(path: str, role: str) -> int:
    if path in PUBLIC:
        return 200
    if role == "visitor":
        return 303  # sent to log in
    if path in PERSONAL or role == "admin":
        return 200
    return 403


def fill(path: str, cast) -> str:
    return path.format(cell=cast.cell.code, wang=cast.wang_ayi.id)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(client, cast, role):
    if role != "visitor":
        log_in(client, role, PASSWORD)
    got = {path: client.get(fill(path, cast)).status_code for path in PUBLIC + PERSONAL + ADMIN}
    assert got == {path: expected(path, role) for path in PUBLIC + PERSONAL + ADMIN}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_no_one_but_an_admin_can_post_admin_actions(client, session, cast, role):
    if role != "visitor":
        log_in(client, role, PASSWORD)
    for path, data in ADMIN_POSTS:
        response = post_form(client, fill(path, cast), data, page="/")
        assert response.status_code == 403, path
    session.expire_all()
    assert cast.wang_ayi.group.value == "resident" and not cast.wang_ayi.roles
