"""The bell updates by itself; the in-process worker runs the schedules; admins see the job queue."""

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


def test_the_bell_counts_up_without_a_reload_and_empties_when_read(server, browser):
    base, password = server
    resident = new_context(browser, viewport={"width": 1280, "height": 900})
    admin = new_context(browser, viewport={"width": 1280, "height": 900})
    try:
        page, admin_page = resident.new_page(), admin.new_page()
        log_in(page, base, "xiao_zhang", password)
        bell = page.locator("#bell")
        # the demo has told them things already (replies, a year of cases they follow, shown as 99+):
        # read those first, so the count starts from nothing
        if bell.locator(".bell-count").count():
            page.goto(base + "/accounts/notifications")
            page.get_by_role("button", name="全部标为已读").click()
            expect(page.locator("#bell .bell-count")).to_have_count(0)
        before = 0

        log_in(admin_page, base, "admin", password)
        admin_page.goto(base + "/admin/users?q=xiao_zhang")
        admin_page.get_by_role("link", name="xiao_zhang").click()
        admin_page.locator("li.role-row", has_text="版主").get_by_role("button", name="授予").click()
        admin_page.get_by_text("已保存。").wait_for()

        # htmx polls the bell every 15 s; the page is never reloaded
        expect(bell.locator(".bell-count")).to_have_text(str(before + 1), timeout=25_000)
        shoot(page, "bell-desktop")
        bell.get_by_role("link").click()
        page.wait_for_url(re.compile(r"/accounts/notifications$"))
        expect(page.get_by_text("您已被任命为：版主。")).to_be_visible()
        shoot(page, "notifications-desktop")
        page.get_by_role("button", name="全部标为已读").click()
        expect(page.locator("#bell .bell-count")).to_have_count(0)
    finally:
        resident.close()
        admin.close()


def test_admin_jobs_page_shows_what_the_in_process_worker_did(server, page):
    base, password = server
    log_in(page, base, "admin", password)
    page.goto(base + "/admin/jobs?status=done")
    # serve's own worker thread has enqueued today's housekeeping periods and run them
    expect(page.locator("#job_list")).to_contain_text("jobs.prune", timeout=20_000)
    page.goto(base + "/admin/jobs")
    shoot(page, "admin-jobs-desktop")
    page.goto(base + "/admin/")
    shoot(page, "admin-desktop")
