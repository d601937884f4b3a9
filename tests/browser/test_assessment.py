"""月度网格考核 in a real browser: a visitor opens the latest ranking (the demo's year), with its bar
chart, trend lines and departments; the committee's chair scores a cell from her phone, a wrong score
first; the comment she types shows escaped. Screenshots of both pages at 390 px and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot
from tests.browser.test_mediation import log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
XSS = '<img src=x onerror="document.title=1">检查很细'


def context(browser, viewport):
    phone = viewport["width"] < 500
    return new_context(browser, viewport=viewport, is_mobile=phone, has_touch=phone)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def watch_csp(page) -> list[str]:
    """Console messages about the Content-Security-Policy (an inline style the page should not have)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: (
            seen.append(f"{page.url}: {m.text[:60]} {m.location}") if "Content Security" in m.text else None
        ),
    )
    return seen


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_ranking_of_the_latest_month(server, browser, width):
    base, _ = server
    viewport = PHONE if width == "phone" else DESKTOP
    visitor = context(browser, viewport)
    try:
        page = visitor.new_page()
        violations = watch_csp(page)
        page.goto(base + "/grid/assessments/")
        page.wait_for_url(re.compile(r"/grid/assessments/\d{4}-\d{2}$"))
        expect(page.locator("svg.bar-chart rect.bar")).to_have_count(14)  # 清河街道's cells have a year
        expect(page.locator("svg.bar-chart title")).to_contain_text("各网格总分")
        expect(page.locator("table.ranking svg.spark").first).to_have_attribute(
            "aria-label", re.compile("逐月总分")
        )
        expect(page.get_by_role("heading", name="处置单位")).to_be_visible()
        shoot(page, f"assessment-ranking-{width}")
        if width == "phone":
            fits_the_phone(page)
        page.get_by_text("个网格暂无总分").click()  # the other streets' cells, set apart
        expect(page.locator("details.unranked table")).to_be_visible()
        page.get_by_text("各项指标怎么算").click()
        shoot(page, f"assessment-ranking-open-{width}")
        if width == "phone":
            fits_the_phone(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="导出Excel").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        assert violations == []
    finally:
        visitor.close()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_chair_scores_a_cell(server, browser, width):
    base, password = server
    viewport = PHONE if width == "phone" else DESKTOP
    chair = context(browser, viewport)
    try:
        page = chair.new_page()
        violations = watch_csp(page)
        log_in(page, base, "chen_weiyuan", password)
        page.goto(base + "/grid/assessments/")
        page.get_by_role("link", name="群议委评分").click()
        page.wait_for_url(re.compile(r"/scores$"))
        page.locator("#f-cell_code").select_option(index=2)
        page.locator("#f-score").fill("101")
        page.get_by_role("button", name="保存评分").click()
        expect(page.get_by_text("请填写0到100之间的整数。")).to_be_visible()
        assert violations == []  # (checked before the screenshots, which Playwright itself styles)
        shoot(page, f"assessment-score-invalid-{width}")
        page.locator("#f-score").fill("88")
        page.locator("#f-comment").fill(XSS)
        page.get_by_role("button", name="保存评分").click()
        expect(page.get_by_text("评分已保存。")).to_be_visible()
        expect(page.locator(".score-list").get_by_text(XSS)).to_be_visible()  # shown as text, not run
        assert page.title() != "1"
        shoot(page, f"assessment-scores-{width}")
        if width == "phone":
            fits_the_phone(page)
    finally:
        chair.close()
