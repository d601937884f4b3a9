"""共话家园 in a real browser: a resident replies with a stance on a phone, another reader sees the reply
arrive without a reload, 有道理 toggles in place, the arguments view, and no script typed in runs."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot

pytestmark = pytest.mark.browser
STALL_THREAD = "人民路早点摊能不能划定固定摊位？"


def log_in(page, base, username, password):
    page.goto(base + "/accounts/login")
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))


def open_thread(page, base, title):
    page.goto(base + "/forums/")
    page.get_by_role("link", name=re.compile("摊点")).click()
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"/forums/threads/\d+"))


def test_a_resident_replies_with_a_stance_and_another_reader_sees_it_arrive(server, browser, phone):
    base, password = server
    reader_context = new_context(browser, viewport={"width": 1280, "height": 900})
    try:
        reader = reader_context.new_page()
        open_thread(reader, base, STALL_THREAD)
        shoot(reader, "forum-thread-desktop")
        reader.get_by_role("link", name="正反论点对照").click()
        expect(reader.locator("#side-support")).to_be_visible()
        shoot(reader, "forum-arguments-desktop")
        reader.get_by_role("link", name="按时间顺序").click()
        reader.wait_for_url(re.compile(r"/forums/threads/\d+$"))

        log_in(phone, base, "xiao_zhang", password)
        open_thread(phone, base, STALL_THREAD)
        phone.get_by_role("link", name="正反论点对照").click()
        shoot(phone, "forum-arguments-phone")
        phone.get_by_role("link", name="按时间顺序").click()
        phone.get_by_role("radio", name=re.compile("^补充")).check()
        phone.get_by_role("textbox", name=re.compile("^回复")).fill("建议试点摊位旁边放两个分类垃圾桶。")
        phone.get_by_role("button", name="发表回复").click()
        mine = phone.locator(".forum-post", has_text="建议试点摊位旁边放两个分类垃圾桶。")
        expect(mine).to_be_visible()
        expect(mine.locator(".tag.stance")).to_have_text("补充")
        shoot(phone, "forum-thread-phone")

        # the reader's page polls every 5 s; the reply arrives without a reload
        expect(reader.get_by_text("建议试点摊位旁边放两个分类垃圾桶。")).to_be_visible(timeout=15_000)
        assert reader.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        reader_context.close()


def test_makes_sense_toggles_in_place(server, page):
    base, password = server
    log_in(page, base, "wang_ayi", password)
    open_thread(page, base, STALL_THREAD)
    button = page.locator("#post-3 .reaction-button")
    before = int(button.locator(".count").inner_text())
    url = page.url
    button.click()
    expect(page.locator("#post-3 .reaction-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#post-3 .reaction-button .count")).to_have_text(str(before + 1))
    assert page.url == url
    page.locator("#post-3 .reaction-button").click()
    expect(page.locator("#post-3 .reaction-button .count")).to_have_text(str(before))


def test_no_script_typed_into_a_post_runs(server, page):
    base, password = server
    log_in(page, base, "liu_daye", password)
    open_thread(page, base, STALL_THREAD)
    payload = (
        "<img src=x onerror=window.__xss=1> <script>window.__xss=2</script> "
        "[点我](javascript:window.__xss=3) <div hx-get=/admin/ hx-trigger=load>x</div>"
    )
    page.get_by_role("textbox", name=re.compile("^回复")).fill(payload)
    page.get_by_role("button", name="发表回复").click()
    expect(page.get_by_text("点我", exact=False).last).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    links = page.locator(".post-body a").evaluate_all("(els) => els.map((a) => a.getAttribute('href'))")
    assert not any(href and href.lower().startswith("javascript") for href in links)


@pytest.mark.parametrize("width", [1280, 390])
def test_forum_pages_for_the_eye(server, browser, width):
    base, password = server
    context = new_context(
        browser, locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 500
    )
    tag = "phone" if width < 500 else "desktop"
    try:
        page = context.new_page()
        log_in(page, base, "sun_banzhu", password)
        for path, name in (
            ("/forums/", "forums"),
            ("/forums/boards/tingche", "forum-board"),
            ("/forums/moderation", "forum-queue"),
        ):
            page.goto(base + path)
            shoot(page, f"{name}-{tag}")
        page.goto(base + "/forums/boards/tingche")
        page.get_by_role("link", name="发起话题").click()
        shoot(page, f"forum-new-thread-{tag}")
        page.goto(base + "/forums/people/li_shifu")
        shoot(page, f"forum-person-{tag}")
        page.goto(base + "/")
        shoot(page, f"home-with-forums-{tag}")
    finally:
        context.close()
