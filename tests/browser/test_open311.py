"""Open311 API keys in a real browser: the demo's admin issues a key for a city app, sees it once, a city
app files a report with it, and the admin revokes it; the page at 390 px and on a desktop."""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context, shoot
from tests.browser.test_mediation import log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def file_report(base: str, key: str) -> int:
    """What a city app does with its key: one form-encoded POST. Returns the HTTP status."""
    fields = {
        "api_key": key,
        "service_code": "component-0103",
        "address_string": "柳岸小区9号楼",
        "description": "井盖缺了一角",
    }
    request = urllib.request.Request(
        f"{base}/open311/v2/requests.json", urllib.parse.urlencode(fields).encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            json.loads(answer.read())
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(("viewport", "suffix"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_an_admin_issues_a_key_a_city_app_uses_it_and_the_admin_revokes_it(server, browser, viewport, suffix):
    base, password = server
    phone = viewport["width"] < 500
    context = new_context(browser, viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    try:
        log_in(page, base, "admin", password)
        page.goto(base + "/admin/open311")
        expect(page.get_by_role("heading", name="Open311 API 密钥", level=1)).to_be_visible()
        page.get_by_role("textbox", name=re.compile("^哪个应用")).fill(f"城管通 App（{suffix}）")
        page.get_by_role("button", name="签发密钥").click()
        key = page.locator("code.key").inner_text()
        assert key.startswith("gz311_")
        expect(page.get_by_text("密钥只显示这一次")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"open311-keys-new-{suffix}")
        assert file_report(base, key) == 201
        page.goto(base + "/admin/open311")
        assert key not in page.content()  # shown once only
        row = page.locator("tr", has_text=f"城管通 App（{suffix}）")
        row.get_by_role("button", name="停用").click()
        expect(page.get_by_text("密钥已停用。")).to_be_visible()
        expect(
            page.locator("tr", has_text=f"城管通 App（{suffix}）").get_by_text(re.compile("已于"))
        ).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"open311-keys-{suffix}")
        assert file_report(base, key) == 403
    finally:
        context.close()
