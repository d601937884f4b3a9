"""Register, log in, profile, password, log out: HTTP round trips through the real app."""

from sqlalchemy import func, select

from accounts.models import StakeholderGroup, User
from tests.conftest import csrf_token, log_in, post_form
from tests.factories import PASSWORD


def register(client, **changes):
    data = {
        "username": "xiao_zhang",
        "display_name": "小张",
        "password": "river stones 42",
        "password_again": "river stones 42",
        "group": "resident",
        "home_cell": "",
    } | changes
    return post_form(client, "/accounts/register", data, page="/accounts/register")


def count_users(session):
    return session.scalar(select(func.count()).select_from(User))


def test_register_logs_in_and_shows_the_profile_with_the_home_cell_roster(client, session, cast):
    response = register(client, home_cell=cast.cell.code)
    assert response.status_code == 303 and response.headers["location"] == "/accounts/me"
    assert "gz_login" in response.cookies
    page = client.get("/accounts/me")
    assert page.status_code == 200
    assert "小张" in page.text and "柳岸社区第1网格" in page.text
    assert "网格长" in page.text and "zhang_wangge" in page.text  # the 网格六定 roster of the home cell
    assert "欢迎！您的账号已创建。" in page.text  # the one-time message
    assert page.headers["cache-control"] == "no-store" and 'hx-history="false"' in page.text
    assert "欢迎" not in client.get("/accounts/me").text  # shown once


def test_bad_registration_comes_back_422_with_chinese_messages_and_saves_nothing(client, session, cast):
    before = count_users(session)
    response = register(client, username="wang_ayi", password="123", password_again="123")
    assert response.status_code == 422
    assert "此用户名已被使用" in response.text and "密码至少需要 8 个字符" in response.text
    assert 'value="wang_ayi"' in response.text  # typed values are kept ...
    assert "123" not in response.text.split("<main")[1].split("</main>")[0].replace(
        "349901", ""
    )  # ... passwords never
    assert count_users(session) == before


def test_nobody_becomes_government_by_editing_the_form(client, session, cast):
    response = register(client, group="government")
    assert response.status_code == 422 and "由管理员认定" in response.text
    assert session.scalar(select(User).where(User.username == "xiao_zhang")) is None


def test_register_without_csrf_token_is_refused_and_saves_nothing(client, session, cast):
    client.get("/accounts/register")
    response = client.post(
        "/accounts/register",
        data={
            "username": "xiao_zhang",
            "password": "river stones 42",
            "password_again": "river stones 42",
            "group": "resident",
        },
    )
    assert response.status_code == 403 and "表单已失效" in response.text
    assert session.scalar(select(User).where(User.username == "xiao_zhang")) is None


def test_a_token_from_another_browser_does_not_work(client, other_client, cast):
    token = csrf_token(other_client)
    client.get("/accounts/login")
    response = client.post(
        "/accounts/login", data={"csrf_token": token, "username": "wang_ayi", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_htmx_sends_the_token_as_a_header(client, cast):
    token = csrf_token(client)
    response = client.post(
        "/accounts/login",
        data={"username": "wang_ayi", "password": PASSWORD},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 303


def test_login_and_logout(client, cast):
    assert client.get("/accounts/me").status_code == 303  # visitors are sent to log in
    response = log_in(client, "wang_ayi", PASSWORD)
    assert response.headers["location"] == "/accounts/me"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "王阿姨" in client.get("/accounts/me").text
    response = post_form(client, "/accounts/logout", {}, page="/accounts/me")
    assert response.status_code == 303
    assert client.get("/accounts/me").status_code == 303


def test_login_goes_back_to_a_local_next_only(client, cast):
    response = post_form(
        client, "/accounts/login", {"username": "wang_ayi", "password": PASSWORD, "next": "/grid/"}
    )
    assert response.headers["location"] == "/grid/"
    response = post_form(
        client, "/accounts/login", {"username": "wang_ayi", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/accounts/me"


def test_login_rotates_the_cookie(client, cast):
    first = log_in(client, "wang_ayi", PASSWORD).cookies["gz_login"]
    second = log_in(client, "wang_ayi", PASSWORD).cookies["gz_login"]
    assert first != second


def test_wrong_password_and_unknown_user_read_the_same(client, cast):
    wrong = post_form(client, "/accounts/login", {"username": "wang_ayi", "password": "nope nope nope"})
    unknown = post_form(client, "/accounts/login", {"username": "nobody", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "用户名或密码不正确" in wrong.text and "用户名或密码不正确" in unknown.text


def test_lockout_says_until_when_and_refuses_the_right_password(client, cast):
    for _ in range(5):
        post_form(client, "/accounts/login", {"username": "wang_ayi", "password": "nope nope nope"})
    response = post_form(client, "/accounts/login", {"username": "wang_ayi", "password": PASSWORD})
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert "密码错误次数过多，请在" in response.text
    assert "gz_login" not in response.cookies


def test_login_rate_limit_per_ip(client, session, cast):
    from core import site_settings

    site_settings.change(session, cast.admin, "rate.login_per_ip", "3/600")
    session.flush()
    statuses = [
        post_form(client, "/accounts/login", {"username": "wang_ayi", "password": PASSWORD}).status_code
        for _ in range(4)
    ]
    assert statuses == [303, 303, 303, 429]


def test_changing_the_password_ends_other_logins_but_not_this_one(client, other_client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    log_in(other_client, "wang_ayi", PASSWORD)
    response = post_form(
        client,
        "/accounts/password",
        {"current": PASSWORD, "new": "a fresh passphrase", "new_again": "a fresh passphrase"},
        page="/accounts/password",
    )
    assert response.status_code == 303
    assert client.get("/accounts/me").status_code == 200
    assert other_client.get("/accounts/me").status_code == 303  # the other browser is logged out


def test_a_wrong_current_password_is_a_422(client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client,
        "/accounts/password",
        {"current": "not it at all", "new": "a fresh passphrase", "new_again": "a fresh passphrase"},
        page="/accounts/password",
    )
    assert response.status_code == 422 and "当前密码不正确" in response.text


def test_log_out_everywhere(client, other_client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    log_in(other_client, "wang_ayi", PASSWORD)
    assert post_form(client, "/accounts/logout-everywhere", {}, page="/accounts/me").status_code == 303
    assert client.get("/accounts/me").status_code == 200
    assert other_client.get("/accounts/me").status_code == 303


def test_moving_home_cell_and_a_bad_code(client, session, cast):
    log_in(client, "li_shifu", PASSWORD)
    response = post_form(client, "/accounts/me/home-cell", {"home_cell": cast.cell.code}, page="/accounts/me")
    assert response.status_code == 303
    assert cast.cell.name in client.get("/accounts/me").text
    response = post_form(
        client, "/accounts/me/home-cell", {"home_cell": "349901999999999"}, page="/accounts/me"
    )
    assert response.status_code == 422 and "请从列表中选择网格" in response.text


def test_registered_group_is_what_was_chosen(client, session, cast):
    register(client, group="served")
    assert session.scalar(select(User.group).where(User.username == "xiao_zhang")) is StakeholderGroup.served
