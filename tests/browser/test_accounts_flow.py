"""The first thing a newcomer does: register, log in, see their profile and their grid cell."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser


def test_register_log_out_log_in_and_see_the_profile(server, page):
    base, _ = server
    errors = []
    # a 422 or a wrong password is logged by the browser as a failed resource; anything else is a fault
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "status of 4" not in message.text
            else None
        ),
    )
    page.goto(base + "/")
    shoot(page, "home-desktop")
    page.get_by_role("link", name="注册").first.click()
    page.wait_for_url(re.compile(r"/accounts/register$"))

    # a weak password first: the form comes back (422, swapped by htmx) with the message in Chinese
    page.get_by_role("textbox", name="用户名", exact=True).fill("zhou_xiaomei")
    page.get_by_role("textbox", name="显示名称（可选）", exact=True).fill("周小梅")
    page.get_by_role("textbox", name="密码", exact=True).fill("12345678")
    page.get_by_role("textbox", name="再次输入密码", exact=True).fill("12345678")
    page.get_by_role("button", name="注册").click()
    page.get_by_text("这个密码太容易被猜到").wait_for()
    assert page.get_by_role("textbox", name="用户名", exact=True).input_value() == "zhou_xiaomei"  # kept
    shoot(page, "register-invalid-desktop")

    page.get_by_role("textbox", name="密码", exact=True).fill("blue river morning")
    page.get_by_role("textbox", name="再次输入密码", exact=True).fill("blue river morning")
    page.get_by_text("经营摊点、店铺或物业企业").click()
    page.get_by_label("居住网格（可选）").select_option(label="清河街道 · 柳岸社区 · 柳岸社区第1网格")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/accounts/me$"))
    page.get_by_text("欢迎！您的账号已创建。").wait_for()
    assert page.get_by_role("heading", name="周小梅").is_visible()
    assert page.get_by_text("管理服务对象（摊贩、商户、物业企业）").is_visible()
    assert page.get_by_text("网格长", exact=True).first.is_visible()  # the home cell's roster
    shoot(page, "profile-desktop")

    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_url(base + "/")
    page.get_by_role("link", name="登录").first.click()
    page.get_by_role("textbox", name="用户名", exact=True).fill("zhou_xiaomei")
    page.get_by_role("textbox", name="密码", exact=True).fill("wrong password here")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("用户名或密码不正确。").wait_for()
    page.get_by_role("textbox", name="密码", exact=True).fill("blue river morning")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))
    assert page.get_by_role("heading", name="周小梅").is_visible()
    assert errors == []  # no CSP violation, no script error


def test_pages_on_a_phone(server, phone):
    base, password = server
    phone.goto(base + "/")
    shoot(phone, "home-phone")
    phone.goto(base + "/accounts/register")
    shoot(phone, "register-phone")
    phone.goto(base + "/grid/")
    shoot(phone, "grid-phone")
    # nothing wider than the screen: no sideways scrolling on a phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(base + "/grid/cells/349901001001001")
    shoot(phone, "cell-phone")
    phone.goto(base + "/accounts/login")
    phone.get_by_role("textbox", name="用户名", exact=True).fill("wang_ayi")
    phone.get_by_role("textbox", name="密码", exact=True).fill(password)
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.wait_for_url(re.compile(r"/accounts/me$"))
    shoot(phone, "profile-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_admin_pages_and_search_as_you_type(server, page):
    base, password = server
    page.goto(base + "/accounts/login")
    page.get_by_role("textbox", name="用户名", exact=True).fill("admin")
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))
    page.goto(base + "/admin/users?q=wang")
    shoot(page, "admin-users-desktop")
    page.get_by_role("link", name="wang_ayi").click()
    page.get_by_role("heading", name=re.compile("王阿姨")).wait_for()
    shoot(page, "admin-user-desktop")
    page.goto(base + "/grid/")
    page.get_by_label("按名称、街道、社区或编码查找网格").fill("桂花")
    expect(page.locator("#cell_list li")).to_have_count(4)
    assert "q=%E6%A1%82%E8%8A%B1" in page.url  # htmx pushed the search into the address bar
