"""网格案件 in a real browser: a resident reports a problem from her phone with a photo, the demo's grid
leader (leader01) registers, dispatches and reports it handled, she answers that it is solved, and he
passes the check and closes it. Then every case page at 390 px and on a desktop."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot
from tests.browser.test_mediation import log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TITLE = "7号楼门前雨水井盖缺了一角"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(out, "JPEG")
    return out.getvalue()


def context(browser, viewport):
    phone = viewport["width"] < 500
    return new_context(browser, viewport=viewport, is_mobile=phone, has_touch=phone)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_report_from_a_phone_is_handled_checked_and_closed(server, browser, phone):
    base, password = server
    log_in(phone, base, "wang_ayi", password)
    phone.goto(base + "/grid/cases/")
    phone.get_by_role("link", name="随手拍").first.click()
    phone.wait_for_url(re.compile(r"/grid/cases/new$"))
    phone.locator("#f-category").select_option(label="0103 雨水井盖")
    phone.get_by_role("textbox", name=re.compile("^简单说说是什么问题")).fill(TITLE)
    phone.get_by_role("textbox", name=re.compile("^更多说明")).fill("晚上路过很容易踩空。")
    phone.locator("#f-address").fill("柳岸小区7号楼南门")
    phone.locator("#f-photos").set_input_files(
        files=[{"name": "井盖.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    shoot(phone, "cases-report-filled-phone")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/grid/cases/\d+$"))
    case_url = phone.url
    expect(phone.get_by_text("谢谢。您的上报已进入网格的待办队列")).to_be_visible()
    expect(phone.locator("img.thumb").first).to_be_visible()
    expect(phone.get_by_role("button", name=re.compile("已关注"))).to_be_visible()
    fits_the_phone(phone)
    shoot(phone, "cases-detail-reported-phone")

    staff = context(browser, DESKTOP)
    try:
        desk = staff.new_page()
        log_in(desk, base, "leader01", password)
        desk.goto(base + "/grid/cases/queue")
        desk.get_by_role("link", name=TITLE).click()
        desk.wait_for_url(case_url)
        desk.get_by_role("button", name="立案", exact=True).click()
        expect(desk.locator(".steps [aria-current=step]")).to_have_text("已立案")
        desk.locator("#f-dispatch-department").select_option(index=1)
        desk.get_by_role("button", name="派遣", exact=True).click()
        expect(desk.locator(".steps [aria-current=step]")).to_have_text("已派遣")
        desk.locator("#f-note-handle").fill("已更换新井盖并加固。")
        desk.get_by_role("button", name="处置反馈", exact=True).click()
        expect(desk.locator(".steps [aria-current=step]")).to_have_text("已处置，待核查")

        phone.reload()
        expect(phone.get_by_text("已更换新井盖并加固。")).to_be_visible()
        phone.get_by_role("radio", name="是的，解决了").check()
        phone.get_by_role("button", name="提交我的回答").click()
        expect(phone.get_by_text("谢谢，核查人员会看到您的回答。")).to_be_visible()
        shoot(phone, "cases-detail-answered-phone")

        desk.reload()
        expect(desk.get_by_text("参与者中有 1 人（共 1 人）说问题已解决。")).to_be_visible()
        desk.get_by_role("button", name="核查通过", exact=True).click()
        desk.get_by_role("button", name="结案", exact=True).click()
        expect(desk.locator(".steps [aria-current=step]")).to_have_text("已结案")
        shoot(desk, "cases-detail-closed-desktop")
    finally:
        staff.close()
    phone.reload()
    expect(phone.locator(".steps [aria-current=step]")).to_have_text("已结案")
    fits_the_phone(phone)


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_every_case_page_at_phone_and_desktop_width(server, browser, width):
    base, password = server
    viewport = PHONE if width == "phone" else DESKTOP
    people = {who: context(browser, viewport) for who in ("visitor", "wang_ayi", "leader01", "admin")}
    try:
        pages = {who: c.new_page() for who, c in people.items()}
        for who, page in pages.items():
            if who != "visitor":
                log_in(page, base, who, password)

        def visit(who: str, path: str, name: str) -> None:
            page = pages[who]
            page.goto(base + path)
            shoot(page, f"cases-{name}-{width}")
            if width == "phone":
                fits_the_phone(page)

        visit("visitor", "/grid/cases/", "list")
        visit("wang_ayi", "/grid/cases/new", "report")
        visit("wang_ayi", "/", "home")
        visit("wang_ayi", "/accounts/me/participation", "participation")
        visit("leader01", "/grid/cases/queue?view=open", "queue")
        visit("leader01", "/grid/cases/queue?view=overdue", "queue-overdue")
        queue = pages["leader01"]
        queue.goto(base + "/grid/cases/?state=registered")
        queue.locator(".case-row a").first.click()
        queue.wait_for_url(re.compile(r"/grid/cases/\d+$"))
        shoot(queue, f"cases-detail-registered-staff-{width}")
        if width == "phone":
            fits_the_phone(queue)
        visit("admin", "/admin/grid/taxonomy", "admin-taxonomy")
        visit("admin", "/admin/grid/departments", "admin-departments")
        closed = pages["visitor"]
        closed.goto(base + "/grid/cases/?state=closed")
        closed.locator(".case-row a").first.click()
        closed.wait_for_url(re.compile(r"/grid/cases/\d+$"))
        expect(closed.locator(".steps [aria-current=step]")).to_have_text("已结案")
        shoot(closed, f"cases-detail-closed-visitor-{width}")
    finally:
        for c in people.values():
            c.close()
