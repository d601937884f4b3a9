"""调解 in a real browser: a resident applies on her phone, the chair accepts and assigns a mediator,
the mediator logs a meeting and proposes an agreement, both parties confirm it, and someone outside the
case gets the not-found page for it. Then every mediation page at 390 px and on a desktop."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot

pytestmark = pytest.mark.browser
ACCOUNT = "楼上新搬来的邻居每天晚上在阳台上用电钻和锤子装修到十一点多，已经两个星期了，孩子写不了作业。"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def log_in(page, base, username, password):
    page.goto(base + "/accounts/login")
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, "JPEG")
    return out.getvalue()


def context(browser, viewport):
    phone = viewport["width"] < 500
    return new_context(browser, viewport=viewport, is_mobile=phone, has_touch=phone)


def test_from_application_to_agreement_and_a_stranger_sees_nothing(server, browser, phone):
    base, password = server
    log_in(phone, base, "wang_ayi", password)
    phone.goto(base + "/mediation/")
    phone.get_by_role("link", name="申请调解").first.click()
    phone.wait_for_url(re.compile(r"/mediation/apply$"))
    phone.get_by_role("radio", name="邻里纠纷").check()
    phone.get_by_role("textbox", name=re.compile("^对方在共治的用户名")).fill("li_shifu")
    phone.get_by_role("textbox", name=re.compile("^发生了什么事")).fill(ACCOUNT)
    phone.get_by_role("textbox", name=re.compile("^您希望达到什么结果")).fill("晚上八点以后不再装修。")
    phone.locator("#f-attachments").set_input_files(
        files=[{"name": "阳台.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    shoot(phone, "mediation-apply-filled-phone")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/mediation/\d+$"))
    case_url = phone.url
    expect(phone.get_by_text("申请已提交群议委主任")).to_be_visible()
    expect(phone.locator(".title-row .tag")).to_have_text("已申请，等待主任受理")
    expect(phone.locator("img.thumb")).to_be_visible()
    shoot(phone, "mediation-case-applied-phone")

    people = {name: context(browser, DESKTOP) for name in ("chair", "mediator", "li", "stranger")}
    try:
        chair = people["chair"].new_page()
        log_in(chair, base, "chen_weiyuan", password)
        case_path = case_url.removeprefix(base)
        chair.goto(base + "/mediation/cases")
        chair.locator(f'.case-row a[href="{case_path}"]').click()
        chair.wait_for_url(case_url)
        chair.get_by_role("combobox", name="调解员").select_option(label="吴老师（法律学者） @wu_laoshi")
        shoot(chair, "mediation-case-chair-desktop")
        chair.get_by_role("button", name="受理并指派调解员").click()
        expect(chair.locator(".title-row .tag")).to_have_text("已受理，已指派调解员")

        mediator = people["mediator"].new_page()
        log_in(mediator, base, "wu_laoshi", password)
        mediator.goto(base + "/mediation/mine")
        mediator.locator(f'.case-row a[href="{case_path}"]').click()
        mediator.get_by_text("记录调解会", exact=True).click()
        mediator.get_by_role("textbox", name=re.compile("^调解记录")).fill(
            "双方在社区议事室见面。李师傅说装修队只有晚上有空，愿意调整时间；王阿姨同意周末白天可以施工。"
        )
        mediator.get_by_role("button", name="保存调解会记录").click()
        expect(mediator.locator(".title-row .tag")).to_have_text("调解中")
        mediator.get_by_role("textbox", name=re.compile("^协议内容")).fill(
            "一、工作日晚上八点以后不再使用电钻和锤子；\n二、周末白天九点到十八点可以施工；\n三、装修在一个月内完成。"
        )
        mediator.get_by_role("button", name="提交各方确认").click()
        expect(mediator.get_by_text("协议已提交各方确认。")).to_be_visible()
        shoot(mediator, "mediation-case-mediator-desktop")

        phone.goto(case_url)
        expect(phone.locator(".agreement")).to_contain_text("周末白天九点到十八点可以施工")
        phone.get_by_role("button", name="我确认这份协议").click()
        expect(phone.get_by_text("您已确认协议。")).to_be_visible()

        li = people["li"].new_page()
        log_in(li, base, "li_shifu", password)
        li.goto(base + "/accounts/notifications")
        li.locator(".notification", has_text="您的调解案件有新进展").first.get_by_role(
            "link", name="查看"
        ).click()
        li.wait_for_url(case_url)
        li.get_by_role("button", name="我确认这份协议").click()
        expect(li.locator(".title-row .tag")).to_have_text("达成协议")
        expect(li.get_by_text("各方当事人都已确认这份协议。")).to_be_visible()
        shoot(li, "mediation-case-agreed-desktop")
        phone.goto(case_url)
        shoot(phone, "mediation-case-agreed-phone")

        stranger = people["stranger"].new_page()
        log_in(stranger, base, "xiao_zhang", password)
        response = stranger.goto(case_url)
        assert response.status == 404 and response.headers["cache-control"] != "public"
        expect(stranger.get_by_role("heading", name="页面不存在")).to_be_visible()
        expect(stranger.get_by_text("这里没有您可以查看的调解案件")).to_be_visible()
        assert ACCOUNT not in stranger.content()
        shoot(stranger, "mediation-not-found-desktop")
        image = phone.locator("img.thumb").get_attribute("src")
        assert stranger.goto(base + image).status == 404
    finally:
        for opened in people.values():
            opened.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_mediation_pages_for_the_eye(server, browser, viewport):
    base, password = server
    tag = "phone" if viewport["width"] < 500 else "desktop"
    opened = context(browser, viewport)
    try:
        page = opened.new_page()
        page.goto(base + "/mediation/")
        shoot(page, f"mediation-index-{tag}")
        log_in(page, base, "wang_ayi", password)
        page.goto(base + "/mediation/apply")
        shoot(page, f"mediation-apply-{tag}")
        page.get_by_role("button", name="提交申请").click()  # empty: every field says what it needs
        expect(page.locator(".error-summary")).to_be_visible()
        shoot(page, f"mediation-apply-errors-{tag}")
        page.goto(base + "/mediation/mine")
        shoot(page, f"mediation-mine-{tag}")
        page.locator(".case-row", has_text="停车纠纷").first.get_by_role("link").click()
        expect(page.get_by_text("可共享的摘要")).to_be_visible()
        shoot(page, f"mediation-case-referred-{tag}")

        log_in(page, base, "zhou_jiaoshou", password)
        page.goto(base + "/mediation/mine")
        page.locator(".case-row", has_text="商户摊贩纠纷").first.get_by_role("link").click()
        page.get_by_text("调解不成", exact=True).click()
        shoot(page, f"mediation-case-in-mediation-{tag}")

        log_in(page, base, "chen_weiyuan", password)
        page.goto(base + "/mediation/cases")
        shoot(page, f"mediation-cases-{tag}")
        page.locator(".case-row", has_text="已结案").first.get_by_role("link").click()
        shoot(page, f"mediation-case-closed-{tag}")
        page.goto(base + "/")
        shoot(page, f"home-with-mediation-{tag}")
    finally:
        opened.close()
