"""A consultation as the committee runs it, in Chromium: its timeline and step indicator, the vote."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot
from tests.browser.test_forums import log_in

pytestmark = pytest.mark.browser


def test_the_handed_off_consultation_shows_its_timeline_to_everyone(server, page, phone):
    base, _ = server
    for viewer, tag in ((page, "desktop"), (phone, "phone")):
        viewer.goto(base + "/consultations/")
        viewer.get_by_role("link", name="银河路口早点摊位试点").click()
        viewer.wait_for_url(re.compile(r"/consultations/\d+$"))
        # the demo hands the agreed consultation to the grid, which has dispatched it since
        expect(viewer.locator(".step.current")).to_have_text(re.compile("转办网格"))
        expect(viewer.locator("#timeline")).to_contain_text("决议通过")
        expect(viewer.locator("#timeline")).to_contain_text("案件派遣")
        expect(viewer.locator("#resolution")).to_contain_text("赞成 3 · 反对 1 · 弃权 0")
        shoot(viewer, f"consultation-agreed-{tag}")
        viewer.goto(base + "/consultations/")
        shoot(viewer, f"consultations-{tag}")
        viewer.goto(base + "/consultations/committee")
        shoot(viewer, f"committee-{tag}")


def test_the_convener_schedules_a_meeting_on_a_phone(server, browser):
    base, password = server
    context = new_context(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone = context.new_page()
        log_in(phone, base, "zhou_jiaoshou", password)
        phone.goto(base + "/consultations/")
        phone.get_by_role("link", name="消防通道停车管理办法").click()
        phone.locator("summary", has_text="安排议事会").click()
        phone.get_by_label("开始时间").fill("2030-03-01T19:00")
        phone.get_by_label("结束时间").fill("2030-03-01T21:00")
        phone.get_by_label("地点").fill("柳岸社区党群服务中心")
        phone.get_by_role("button", name="安排", exact=True).click()
        expect(phone.locator("#meetings")).to_contain_text("柳岸社区党群服务中心")
        expect(phone.get_by_text("议事会已安排。")).to_be_visible()
        shoot(phone, "consultation-steering-phone")
    finally:
        context.close()
