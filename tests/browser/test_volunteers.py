"""Volunteers in a real browser: a leader posts a shift, a resident finds it and signs up with one tap,
sees it in her shifts, and the leader checks her in on a phone. Then every volunteers page at phone
and desktop width, for people to look at (tests/browser/screenshots/)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from core import clock
from tests.browser.conftest import new_context, shoot

pytestmark = pytest.mark.browser
PHONE = 390


def log_in(page, base, username, password):
    page.goto(base + "/accounts/login")
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))


def soon() -> tuple[datetime, datetime]:
    """A start half an hour from now (check-in is open from two hours before) and an hour's length,
    in Asia/Shanghai, kept on one day."""
    start = clock.local(clock.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    end = min(start + timedelta(hours=1), start.replace(hour=23, minute=59))
    return start, end


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, page.url


def test_a_resident_signs_up_and_her_leader_checks_her_in_on_a_phone(server, browser):
    base, password = server
    desktop = new_context(browser, viewport={"width": 1280, "height": 900})
    resident = new_context(browser, viewport={"width": 1280, "height": 900})
    phone = new_context(
        browser,
        locale="zh-CN",
        viewport={"width": PHONE, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    errors: list[str] = []
    try:
        leader = desktop.new_page()
        log_in(leader, base, "liu_duizhang", password)
        leader.goto(base + "/volunteers/teams")
        leader.get_by_role("link", name="柳岸社区志愿服务队").click()
        leader.wait_for_url(re.compile(r"/volunteers/teams/\d+$"))
        leader.get_by_role("link", name="管理服务队").click()
        leader.wait_for_url(re.compile(r"/manage$"))
        leader.get_by_role("link", name="发布班次").first.click()
        leader.wait_for_url(re.compile(r"/shifts/new$"))
        start, end = soon()
        leader.locator("#f-title").fill("社区广场秩序维护")
        leader.locator("#f-place").fill("柳岸社区党群服务中心门口")
        leader.locator("#f-day").fill(start.date().isoformat())
        leader.locator("#f-start").fill(f"{start:%H:%M}")
        leader.locator("#f-end").fill(f"{end:%H:%M}")
        leader.locator("#f-capacity").fill("2")
        shoot(leader, "volunteers-shift-form-desktop")
        leader.get_by_role("button", name="发布", exact=True).click()
        leader.get_by_text("班次已发布。").wait_for()
        shift_url = leader.url

        page = resident.new_page()
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" and "status of 4" not in m.text else None,
        )
        log_in(page, base, "wang_ayi", password)
        page.get_by_role("link", name="志愿服务", exact=True).first.click()
        page.wait_for_url(re.compile(r"/volunteers/$"))
        page.get_by_label("服务队", exact=True).select_option(label="柳岸社区志愿服务队")
        expect(page).to_have_url(re.compile(r"team=\d+"))  # htmx swapped the list and pushed the filter
        page.get_by_role("link", name=re.compile("社区广场秩序维护")).click()
        page.wait_for_url(re.compile(r"/volunteers/shifts/\d+$"))
        page.get_by_role("button", name="报名", exact=True).click()
        page.get_by_text("报名成功，谢谢您！").wait_for()
        expect(page.locator("#signup_panel")).to_contain_text("已报名")
        shoot(page, "volunteers-shift-signed-up-desktop")
        page.goto(base + "/volunteers/")
        page.get_by_role("link", name="我的志愿服务").click()
        page.wait_for_url(re.compile(r"/volunteers/me$"))
        expect(page.locator(".my-shifts").first).to_contain_text("社区广场秩序维护")
        shoot(page, "volunteers-mine-desktop")

        mobile = phone.new_page()
        log_in(mobile, base, "liu_duizhang", password)
        mobile.goto(shift_url)
        mobile.get_by_role("link", name="签到与名单").click()
        mobile.wait_for_url(re.compile(r"/check-in$"))
        card = mobile.locator(".checkin-card", has_text="王阿姨")
        expect(card).to_contain_text("已报名")
        fits_the_phone(mobile)
        shoot(mobile, "volunteers-checkin-before-phone")
        card.get_by_role("button", name="签到").click()
        expect(card).to_contain_text("已到")  # the roster block was swapped in place
        expect(mobile.locator("#roster")).to_contain_text("已到 1")
        card.get_by_role("button", name="签退").click()
        expect(card).to_contain_text("签退")
        shoot(mobile, "volunteers-checkin-phone")
        fits_the_phone(mobile)
        assert errors == []
    finally:
        for context in (desktop, resident, phone):
            context.close()


def team_url(page, base) -> str:
    page.goto(base + "/volunteers/teams")
    page.get_by_role("link", name="柳岸社区志愿服务队").click()
    page.wait_for_url(re.compile(r"/volunteers/teams/\d+$"))
    return page.url


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_every_volunteers_page_at_phone_and_desktop_width(server, browser, width):
    base, password = server
    size = {"width": PHONE, "height": 844} if width == "phone" else {"width": 1280, "height": 900}
    extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if width == "phone" else {}
    contexts = {
        who: new_context(browser, viewport=size, **extra)
        for who in ("visitor", "wang_ayi", "liu_duizhang", "admin")
    }
    try:
        pages = {who: context.new_page() for who, context in contexts.items()}
        for who, page in pages.items():
            if who != "visitor":
                log_in(page, base, who, password)

        def visit(who: str, url: str, name: str) -> None:
            page = pages[who]
            page.goto(url if url.startswith("http") else base + url)
            shoot(page, f"volunteers-{name}-{width}")
            if width == "phone":
                fits_the_phone(page)

        visit("visitor", "/volunteers/", "shifts")
        visit("wang_ayi", "/", "home")
        visit("visitor", "/volunteers/teams", "teams")
        team = team_url(pages["visitor"], base)
        visit("visitor", team, "team")
        full = pages["visitor"]
        full.goto(base + "/volunteers/")
        full.get_by_role("link", name=re.compile("社区义诊引导")).first.click()
        full.wait_for_url(re.compile(r"/volunteers/shifts/\d+$"))
        shoot(full, f"volunteers-shift-full-{width}")
        visit("wang_ayi", "/volunteers/me", "mine")
        wang = pages["wang_ayi"]
        wang.locator("#certificates").get_by_role("link", name="柳岸社区志愿服务队").click()
        wang.wait_for_url(re.compile(r"/volunteers/certificates/\d+$"))
        expect(wang.locator(".certificate")).to_contain_text("志愿服务记录证明")
        shoot(wang, f"volunteers-certificate-{width}")
        visit("wang_ayi", team + "/certificate", "certificate-form")
        visit("liu_duizhang", team + "/manage", "manage")
        visit("liu_duizhang", team + "/hours", "team-hours")
        visit("liu_duizhang", team + "/shifts/new", "shift-form")
        visit("liu_duizhang", team + "/edit", "team-form")
        visit("admin", "/admin/volunteers", "admin-teams")
    finally:
        for context in contexts.values():
            context.close()
