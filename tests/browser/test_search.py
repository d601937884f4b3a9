"""Search in a real browser: a resident types in the header's box on her phone and the results update
under it without a reload (the address follows), she opens one; pinyin and the kind filter on a
desktop; a thread posted a moment ago is found once the server's follower has applied the feed; and
the page works without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot

pytestmark = pytest.mark.browser


def log_in(page, base, username, password):
    page.goto(base + "/accounts/login")
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))


def test_a_resident_types_in_the_header_on_her_phone_and_opens_a_result(server, phone):
    base, _password = server
    phone.goto(base + "/forums/")
    box = phone.get_by_role("searchbox", name="搜索全站")
    box.click()
    box.press_sequentially("停车", delay=120)
    expect(phone.locator("#results .search-hit").first).to_be_visible()
    expect(phone).to_have_url(re.compile(r"/search\?q=%E5%81%9C%E8%BD%A6"))  # the address follows
    assert phone.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    assert phone.evaluate("document.activeElement.name") == "q"  # she can keep typing
    expect(phone.locator("#results mark").first).to_have_text("停车")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shoot(phone, "search-results-phone")
    box.press_sequentially("管理", delay=120)  # 停车管理: narrower as she types on
    expect(phone.locator("#results h1")).to_contain_text("停车管理")
    first = phone.locator("#results .search-hit .hit-title a").first
    title = first.inner_text()
    first.click()
    phone.wait_for_url(re.compile(r"/(consultations|forums/threads)/\d+"))
    expect(phone.locator("h1").first).to_contain_text(title[:6])


def test_pinyin_and_the_kind_filter_on_a_desktop(server, page):
    base, _password = server
    page.goto(base + "/")
    box = page.get_by_role("searchbox", name="搜索全站")
    box.press_sequentially("laji", delay=80)
    expect(page.locator("#results .search-hit").first).to_be_visible()
    expect(page.locator("#results .hit-title").first).to_contain_text("垃圾")
    page.locator(".search-kinds").get_by_role("link", name=re.compile("^议题")).click()
    expect(page.locator(".search-kinds a[aria-current=page]")).to_contain_text("议题")
    for tag in page.locator("#results .search-hit .tag.group-consultation").all():
        expect(tag).to_have_text("议题")
    assert page.locator("#results .search-hit").count() >= 1
    expect(page.locator("#results .search-hit .tag.state").first).to_be_visible()  # the stage, live
    shoot(page, "search-results-desktop")
    # typing on keeps the kind chosen: the filters belong to the box's form
    box.press("End")
    box.press_sequentially(" 时间", delay=80)
    expect(page.locator("#results h1")).to_contain_text("laji 时间")
    expect(page).to_have_url(re.compile(r"kind=consultation"))


def test_a_new_thread_is_found_once_the_server_follows_the_feed(server, page):
    base, password = server
    log_in(page, base, "wang_ayi", password)
    page.goto(base + "/forums/boards/tingche/new")
    page.locator("#f-title").fill("<b>电动车</b>充电桩装在哪里")
    page.locator("#f-body").fill("地下车库想装一排充电桩，大家觉得位置放哪合适？")
    page.get_by_role("button", name="发表话题").click()
    page.wait_for_url(re.compile(r"/forums/threads/\d+"))
    for _attempt in range(30):  # the follower runs every two seconds, sooner after a commit
        page.goto(base + "/search?q=充电桩")
        if page.locator("#results .search-hit").count():
            break
        page.wait_for_timeout(1000)
    hit = page.locator("#results .search-hit").first
    expect(hit).to_contain_text("<b>电动车</b>充电桩装在哪里")  # shown as text, never as markup
    assert page.locator("#results b").count() == 0


def test_the_search_page_works_without_javascript(server, browser):
    base, _password = server
    context = new_context(browser, java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(base + "/")
        page.get_by_role("searchbox", name="搜索全站").fill("消防通道")
        page.get_by_role("button", name="搜索", exact=True).click()
        page.wait_for_url(re.compile(r"/search\?q="))
        expect(page.locator("#results .search-hit").first).to_contain_text("消防通道")
        page.get_by_label("时间").select_option("year")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(re.compile(r"time=year"))
        expect(page.locator("#results .search-hit").first).to_be_visible()
    finally:
        context.close()
