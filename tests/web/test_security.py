"""The holes an attacker found in the landed foundation (#17), each closed and tested over HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.models import User
from tests.conftest import csrf_token, log_in, post_form
from tests.factories import PASSWORD


def test_a_saved_login_cookie_is_worthless_after_logging_out(client, other_client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    saved = client.cookies.get("gz_login")
    assert post_form(client, "/accounts/logout", {}, page="/").status_code == 303
    other_client.cookies.set("gz_login", saved)  # the copy an attacker kept
    assert other_client.get("/accounts/me").status_code == 303  # sent to log in: the login has ended


def test_one_device_can_be_logged_out_from_the_list(client, other_client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    log_in(other_client, "wang_ayi", PASSWORD)
    page = client.get("/accounts/me").text
    assert "本设备" in page
    [other] = re.findall(r'action="/accounts/logins/(\d+)/end"', page)
    assert post_form(client, f"/accounts/logins/{other}/end", {}, page="/accounts/me").status_code == 303
    assert other_client.get("/accounts/me").status_code == 303
    assert client.get("/accounts/me").status_code == 200


def test_a_visitors_csrf_pair_planted_in_a_signed_in_browser_is_refused(client, other_client, cast):
    token = csrf_token(other_client, "/")  # the attacker's own visitor cookie and its token
    cookie = other_client.cookies.get("gz_csrf")
    log_in(client, "wang_ayi", PASSWORD)
    client.cookies.set("gz_csrf", cookie)  # planted, e.g. from a sibling host
    response = client.post("/accounts/logout-everywhere", data={"csrf_token": token})
    assert response.status_code == 403 and "表单已失效" in response.text
    fresh = csrf_token(client, "/accounts/me")  # a token issued to this login works
    assert client.post("/accounts/logout-everywhere", data={"csrf_token": fresh}).status_code == 303


def test_behind_https_the_cookies_are_host_prefixed(settings, sessions, hasher, cast):
    from starlette.testclient import TestClient

    from web.app import create_app

    app = create_app(settings.with_changes(secure_cookies=True), sessions=sessions, hasher=hasher)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        page = client.get("/accounts/login")
        assert "__Host-gz_csrf" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/accounts/login", data={"csrf_token": token, "username": "wang_ayi", "password": PASSWORD}
        )
        assert response.status_code == 303
        login_cookie = next(c for c in response.headers.get_list("set-cookie") if "gz_login" in c)
        assert (
            login_cookie.startswith("__Host-gz_login=")
            and "Secure" in login_cookie
            and "Domain" not in login_cookie
        )
        assert client.get("/accounts/me").status_code == 200


def test_a_multipart_body_is_refused_unread_where_no_files_are_taken(client, cast):
    token = csrf_token(client)
    big = b"x" * (2 * 1024 * 1024)  # over the form cap, under the upload cap
    response = client.post(
        "/accounts/login",
        data={"csrf_token": token, "username": "wang_ayi"},
        files={"password": ("p.txt", big, "text/plain")},
    )
    assert response.status_code == 415 and "此表单不接受文件" in response.text


def test_uploads_still_take_multipart_where_declared(client, cast, session):
    log_in(client, "admin", PASSWORD)
    response = post_form(
        client,
        f"/admin/grid/cells/{cast.cell.code}/files",
        {},
        page="/admin/grid",
        files={"file": ("duty.txt", "巡查记录".encode(), "text/plain")},
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("username", "display_name", "field", "message"),
    [
        ("аdmin_wang", "", "username", "不能混用不同的字母表"),  # Cyrillic а
        ("ｗａｎｇ_ａｙｉ", "", "username", "已被使用"),  # the same key as wang_ayi
        ("wang.ayi", "", "username", "与另一位用户的名称相似"),
        ("xiao_wang", "王 阿姨", "display_name", "与另一位用户的名称相似"),
        ("guanli", "平台管理员", "display_name", "保留给平台自身的角色"),
        ("sys_admin", "", "username", "保留给平台自身的角色"),
        ("ﷺﷺﷺ", "", "username", "算作多个字符"),
    ],
)
def test_names_that_pass_for_someone_else_are_refused(
    client, session, cast, username, display_name, field, message
):
    response = post_form(
        client,
        "/accounts/register",
        {
            "username": username,
            "display_name": display_name,
            "password": "a long fresh secret",
            "password_again": "a long fresh secret",
            "group": "resident",
        },
        page="/accounts/register",
    )
    assert response.status_code == 422 and message in response.text, response.text[:3000]
    assert f'aria-describedby="f-{field}-error"' in response.text or f'id="f-{field}-error"' in response.text
    assert session.scalar(select(User).where(User.username == username)) is None


def test_a_plain_chinese_latin_username_is_welcome(client, session, cast):
    response = post_form(
        client,
        "/accounts/register",
        {
            "username": "xiao张",
            "display_name": "小张",
            "password": "a long fresh secret",
            "password_again": "a long fresh secret",
            "group": "resident",
        },
        page="/accounts/register",
    )
    assert response.status_code == 303


def test_roster_shows_the_username_beside_the_display_name(client, session, cast):
    from grid import roster
    from grid.models import RosterRole

    roster.assign_post(
        session, cast.admin, cell_code=cast.cell.code, username="wang_ayi", role=RosterRole.liaison
    )
    session.flush()
    page = client.get(f"/grid/cells/{cast.cell.code}").text
    assert '王阿姨 <small class="username">@wang_ayi</small>' in page
    assert "zhang_wangge" in page and "@zhang_wangge" not in page  # no display name: the username alone


@pytest.mark.parametrize(("trusted", "shared"), [("testclient", False), ("127.0.0.1", True)])
def test_forwarded_addresses_count_only_from_a_trusted_proxy(
    settings, sessions, hasher, session, cast, trusted, shared
):
    """Behind a trusted proxy each client has its own limit; from anyone else the header is ignored."""
    from starlette.testclient import TestClient

    from core import site_settings
    from web.app import create_app

    site_settings.change(session, cast.admin, "rate.login_per_ip", "2/600")
    session.flush()
    app = create_app(settings.with_changes(forwarded_allow_ips=trusted), sessions=sessions, hasher=hasher)
    with TestClient(app, follow_redirects=False) as client:

        def login_from(address: str) -> int:
            token = csrf_token(client)
            return client.post(
                "/accounts/login",
                data={"csrf_token": token, "username": "wang_ayi", "password": PASSWORD},
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [login_from("203.0.113.7") for _ in range(3)] == [303, 303, 429]
        assert login_from("198.51.100.9") == (429 if shared else 303)


def test_a_login_cookie_planted_before_login_is_not_the_one_after(app, client, other_client, cast):
    """Session fixation: the attacker signs in as themselves and plants that cookie in the victim's
    browser (or plants a made-up one); the victim's login issues a new record, and the planted copy
    never becomes the victim's."""
    from starlette.testclient import TestClient

    def me_with(cookie: str) -> str:
        """The profile page a fresh browser holding only ``cookie`` gets (the attacker's replay)."""
        with TestClient(app, follow_redirects=False) as replay:
            replay.cookies.set("gz_login", cookie)
            page = replay.get("/accounts/me")
            return page.text if page.status_code == 200 else str(page.status_code)

    log_in(other_client, "li_shifu", PASSWORD)
    planted = other_client.cookies.get("gz_login")
    for value in (planted, "made-up.value.abc"):
        client.cookies.clear()
        client.cookies.set("gz_login", value, domain="testserver.local")  # as the site itself had set it
        log_in(client, "wang_ayi", PASSWORD)
        issued = client.cookies.get("gz_login")
        assert issued and issued != value
        assert "王阿姨" in me_with(issued) and "王阿姨" not in me_with(value)
        assert post_form(client, "/accounts/logout", {}, page="/").status_code == 303
        assert me_with(issued) == "303"  # logged out: the copy is worthless too
    assert "李师傅" in me_with(planted)  # the attacker's own login was never the victim's


def test_one_address_spraying_one_password_over_many_accounts_is_stopped(client, session, cast):
    """Brute force over HTTP across accounts: the per-address lockout stops it, whoever is tried next,
    and an account that does not exist is answered the same way."""
    from core import site_settings

    site_settings.change(session, cast.admin, "lockout.ip_failures", "5")
    session.flush()
    names = ["wang_ayi", "li_shifu", "chen_weiyuan", "zhou_jiaoshou", "sun_banzhu", "admin", "nobody_here"]
    statuses = [
        post_form(client, "/accounts/login", {"username": name, "password": "123456 password"}).status_code
        for name in names
    ]
    assert statuses == [422] * 4 + [429] * 3
    response = post_form(client, "/accounts/login", {"username": "liu_duizhang", "password": PASSWORD})
    assert response.status_code == 429 and "gz_login" not in response.cookies
