"""Site-wide behaviour: headers, errors, body limit, htmx fragments, language, health."""

import re

from sqlalchemy import select

from accounts.models import User
from tests.conftest import csrf_token, post_form


def test_security_headers_and_a_csp_without_inline_script_or_style(client, cast):
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "HX-Request" in response.headers["vary"]
    assert not re.search(r"<script>|<style|style=", response.text)  # nothing inline for the CSP to block


def test_htmx_is_served_from_our_own_static_folder_with_the_exact_config(client, cast):
    html = client.get("/").text
    assert re.search(r'src="/static/vendor/htmx-2\.0\.\d+\.min\.js\?v=\w+"', html)
    assert '"historyRestoreAsHxRequest":false' in html and '{"code":"422","swap":true}' in html
    assert 'hx-boost="true"' in html and "X-CSRF-Token" in html
    static = client.get(re.search(r'src="(/static/vendor/htmx[^"]+)"', html).group(1))
    assert static.status_code == 200 and "immutable" in static.headers["cache-control"]


def test_home_page_shows_every_area_and_the_grid_count(client, cast):
    html = client.get("/").text
    for area in ("共话家园", "协商议事", "四意合一", "矛盾调解", "志愿服务", "网格案件", "网格六定"):
        assert area in html
    assert "全市划分为 1 个单元网格" in html


def test_not_found_page_is_in_chinese(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in response.text
    assert client.get("/grid/cells/349901000000000").status_code == 404


def test_a_declared_body_over_the_limit_gets_413_before_it_is_read(client, app, cast):
    limit = app.state.settings.max_body_bytes
    token = csrf_token(client)
    response = client.post(
        "/accounts/register",
        content=b"x" * (limit + 1),
        headers={"content-type": "application/x-www-form-urlencoded", "X-CSRF-Token": token},
    )
    assert response.status_code == 413 and "内容过大" in response.text and "1024 KB" in response.text


def test_a_streamed_body_over_the_limit_gets_413(client, app, session, cast):
    limit = app.state.settings.max_body_bytes
    token = csrf_token(client)

    def chunks():
        body = (
            f"csrf_token={token}&username=big&password=river+stones+42&password_again=river+stones+42&"
            f"group=resident&display_name=".encode()
        )
        yield body
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536

    response = client.post(
        "/accounts/register", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert session.scalar(select(User).where(User.username == "big")) is None


def test_fragment_only_for_plain_htmx_requests(client, cast):
    whole = client.get("/grid/")
    fragment = client.get("/grid/", headers={"HX-Request": "true"})
    boosted = client.get("/grid/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = client.get("/grid/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in whole.text and "<html" in boosted.text and "<html" in restore.text
    assert fragment.text.lstrip().startswith('<div id="cell_list">') and "<html" not in fragment.text
    assert all("HX-Request" in r.headers["vary"] for r in (whole, fragment, boosted, restore))


def test_language_switch_to_english_and_back(client, cast):
    response = post_form(client, "/i18n/language", {"locale": "en", "next": "/grid/"}, page="/")
    assert response.status_code == 303 and response.headers["location"] == "/grid/"
    html = client.get("/grid/").text
    assert '<html lang="en">' in html and "Grid cells" in html
    post_form(client, "/i18n/language", {"locale": "zh_CN", "next": "/"}, page="/")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_method_not_allowed_page(client):
    assert client.put("/accounts/login").status_code == 405


def test_grid_pages_show_cells_and_roster(client, cast):
    html = client.get("/grid/?q=柳岸").text
    assert cast.cell.code in html
    detail = client.get(f"/grid/cells/{cast.cell.code}").text
    assert "网格长" in detail and "zhang_wangge" in detail and "东至人民路" in detail


def test_ids_past_the_integer_range_are_a_plain_404_on_every_route(client, cast, caplog):
    from tests.conftest import log_in
    from tests.factories import PASSWORD

    log_in(client, "admin", PASSWORD)
    token = csrf_token(client, "/")
    for big in ("2147483648", "9223372036854775808", "99999999999999999999999"):
        for path in (f"/files/{big}", f"/admin/users/{big}"):
            assert client.get(path).status_code == 404, path
        for path in (f"/accounts/notifications/{big}/read", f"/admin/jobs/{big}/retry"):
            assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert client.get("/files/2147483647").status_code == 404  # the largest id: looked up, not there
    assert "Traceback" not in caplog.text
