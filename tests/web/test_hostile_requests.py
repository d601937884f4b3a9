"""Bodies and addresses no browser sends: each answers a clear 4xx in Chinese (JSON for Open311), never a
500, and writes nothing, neither a row nor a file."""

from __future__ import annotations

import json

import pytest

from tests.conftest import csrf_token, log_in
from tests.factories import PASSWORD
from tests.web.hostile import database_state, files_under
from web import encoding

FORM = "application/x-www-form-urlencoded"
MiB = 1024 * 1024
REGISTER = "username=neu_{n}&password=a+long+fresh+secret&password_again=a+long+fresh+secret&group=resident"


def register_body(token: str, extra: bytes = b"", n: int = 1) -> bytes:
    return f"csrf_token={token}&{REGISTER.format(n=n)}".encode() + extra


def chunked(*parts: bytes):  # type: ignore[no-untyped-def]
    """A body sent without Content-Length, as a proxy streaming it would."""
    yield from parts


# (case, body after the form's own fields, content type, status, what the page says)
FORM_CASES = [
    ("over the cap, declared", b"&x=" + b"a" * (2 * MiB), FORM, 413, "内容过大"),
    ("invalid UTF-8 escape", b"&display_name=%ff%fe", FORM, 400, "无效的字符编码"),
    ("raw byte", b"&display_name=\xff", FORM, 400, "无效的字符编码"),
    ("raw UTF-8, unescaped", "&display_name=王".encode(), FORM, 400, "无效的字符编码"),
    ("broken escape", b"&display_name=%zz", FORM, 400, "无效的字符编码"),
    ("escape cut short", b"&display_name=%e7%8e", FORM, 400, "无效的字符编码"),
    ("overlong slash", b"&display_name=%c0%af", FORM, 400, "无效的字符编码"),
    ("a lone surrogate", b"&display_name=%ed%a0%80", FORM, 400, "无效的字符编码"),
    ("too many fields", b"".join(b"&f%d=1" % n for n in range(300)), FORM, 400, "表单无法读取"),
    ("JSON", b'{"username": ', "application/json", 415, "只接受表单提交"),
    ("plain text", b"hello", "text/plain", 415, "只接受表单提交"),
    ("no content type", b"hello", None, 415, "只接受表单提交"),
    ("multipart to a form without files", b"--b\r\n", "multipart/form-data; boundary=b", 415, "不接受文件"),
]


@pytest.mark.parametrize(("case", "extra", "content_type", "status", "says"), FORM_CASES, ids=lambda c: c)
def test_a_hostile_form_body_is_refused_and_changes_nothing(
    client, session, settings, cast, case, extra, content_type, status, says
):
    token = csrf_token(client, "/accounts/register")
    before, files_before = database_state(session), files_under(settings.var_dir)
    body = register_body(token, extra) if content_type == FORM else extra
    headers = {"x-csrf-token": token} | ({"content-type": content_type} if content_type else {})
    response = client.post("/accounts/register", content=body, headers=headers)
    assert response.status_code == status and says in response.text, response.text[:2000]
    assert '<html lang="zh-CN"' in response.text
    assert database_state(session) == before and files_under(settings.var_dir) == files_before


def test_the_same_form_well_formed_does_register(client, session, cast):
    """The control for the cases above: their form, sent properly, writes a user."""
    from accounts.models import User

    token = csrf_token(client, "/accounts/register")
    body = register_body(token, b"&display_name=%E5%B0%8F%E5%91%A8%20")
    response = client.post("/accounts/register", content=body, headers={"content-type": FORM})
    assert response.status_code == 303
    assert session.query(User).filter_by(username="neu_1").one().display_name == "小周"


@pytest.mark.parametrize("with_length", [True, False], ids=["declared", "chunked"])
def test_a_body_over_the_cap_is_refused_with_or_without_its_length(client, session, cast, with_length):
    token = csrf_token(client, "/accounts/register")
    before = database_state(session)
    parts = (register_body(token), *(b"&x=" + b"a" * 100_000 for _ in range(12)))
    body = b"".join(parts) if with_length else chunked(*parts)
    response = client.post("/accounts/register", content=body, headers={"content-type": FORM})
    assert response.status_code == 413 and "超过了此页面允许的 1024 KB" in response.text
    assert database_state(session) == before


BROKEN_MULTIPART = [
    (
        "no boundary",
        b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
        "multipart/form-data",
    ),
    ("no headers", b"--b\r\n\r\n\r\nzzz--b--", "multipart/form-data; boundary=b"),
    (
        "a part without a name",
        b'--b\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\nabc\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
]


@pytest.mark.parametrize(("case", "body", "content_type"), BROKEN_MULTIPART, ids=lambda c: c)
def test_a_damaged_upload_is_refused_and_writes_nothing(
    client, session, settings, cast, case, body, content_type
):
    log_in(client, "admin", PASSWORD)
    token = csrf_token(client, "/admin/grid")
    before, files_before = database_state(session), files_under(settings.var_dir)
    response = client.post(
        f"/admin/grid/cells/{cast.cell.code}/files",
        content=body,
        headers={"content-type": content_type, "x-csrf-token": token},
    )
    assert 400 <= response.status_code < 500, response.text[:2000]
    assert '<html lang="zh-CN"' in response.text
    assert database_state(session) == before and files_under(settings.var_dir) == files_before


@pytest.mark.parametrize(
    ("value", "status"),
    [(b"\xff\xfe", 400), (b"\xe7\x8e", 400), (b"\xc0\xaf", 400), ("各方代表".encode(), 303)],
    ids=["ff fe", "cut short", "overlong", "well formed"],
)
def test_a_multipart_text_field_that_is_not_utf8_is_refused(client, session, settings, cast, value, status):
    """Starlette reads such a field as Latin-1; the garbled minutes would have been published."""
    from tests.web.test_authz_matrix import consultations_in_every_stage

    meeting = consultations_in_every_stage(session, cast)["meeting"]
    log_in(client, "zhou_jiaoshou", PASSWORD)
    token = csrf_token(client, "/")
    before, files_before = database_state(session), files_under(settings.var_dir)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="attendance"\r\n\r\n' + value + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="minutes"\r\n\r\n'
        + "同意试点".encode()
        + b"\r\n--b--\r\n"
    )
    response = client.post(
        f"/consultations/meetings/{meeting}/minutes",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == status, response.text[:2000]
    if status == 400:  # the control, well formed, publishes the minutes
        assert "无效的字符编码" in response.text
        assert database_state(session) == before and files_under(settings.var_dir) == files_before


def test_an_upload_over_its_cap_is_refused_and_writes_nothing(client, session, settings, cast):
    log_in(client, "admin", PASSWORD)
    token = csrf_token(client, "/admin/grid")
    before, files_before = database_state(session), files_under(settings.var_dir)
    response = client.post(
        f"/admin/grid/cells/{cast.cell.code}/files",
        data={"csrf_token": token},
        files={"file": ("big.txt", b"a" * (settings.max_upload_bytes + 1), "text/plain")},
    )
    assert response.status_code == 413 and "内容过大" in response.text
    assert database_state(session) == before and files_under(settings.var_dir) == files_before


OPEN311 = "/open311/v2/requests.json"
OPEN311_CASES = [
    ("invalid JSON", b'{"service_code": ', "application/json", 415),
    ("valid JSON", b'{"service_code": "component-0103"}', "application/json", 415),
    ("invalid UTF-8", b"api_key=%ff&service_code=%ff", FORM, 400),
    ("over the cap", b"api_key=" + b"a" * (2 * MiB), FORM, 413),
    ("damaged multipart", b"--b\r\n\r\n\r\nzzz--b--", "multipart/form-data; boundary=b", 400),
]


@pytest.mark.parametrize(("case", "body", "content_type", "status"), OPEN311_CASES, ids=lambda c: c)
def test_open311_answers_a_hostile_body_with_its_own_json_error(
    client, session, cast, case, body, content_type, status
):
    from tests.web import open311_world

    key = open311_world.build(session, cast)["open311_key"]
    body = body.replace(b"api_key=", f"api_key={key}&x=".encode(), 1)
    before = database_state(session)
    response = client.post(OPEN311, content=body, headers={"content-type": content_type})
    assert response.status_code == status, response.text[:500]
    [error] = json.loads(response.text)
    assert error["code"] == str(status) and "未" in error["description"]
    assert database_state(session) == before


@pytest.mark.parametrize(
    ("address", "page"),
    [
        ("/search?q=%ff%fe", True),
        ("/grid/cases/?cell=%c0%af", True),
        ("/forums/people/%ff", True),
        ("/grid/cells/%e7%8e", True),
        ("/search?q=%zz", True),
        (OPEN311 + "?service_code=%ff", False),
        ("/open311/v2/services/%ff.json", False),
    ],
)
def test_an_address_that_is_not_utf8_is_refused(client, cast, address, page):
    response = client.get(address)
    assert response.status_code == 400, response.text[:500]
    if page:
        assert "网址中含有无效的字符编码" in response.text and '<html lang="zh-CN"' in response.text
    else:
        assert json.loads(response.text)[0]["description"] == "网址中含有无效的字符编码（不是 UTF-8）。"


def test_an_escaped_chinese_address_is_fine(client, cast):
    assert client.get("/forums/people/wang_ayi?x=%E7%8E%8B").status_code == 200
    assert client.get("/search?q=%E6%A5%BC%E9%81%93").status_code in (200, 503)  # 503: no index built


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (b"q=%E7%8E%8B&kind=discussion", True),
        (b"q=a+b", True),
        (b"", True),
        (b"q=\xe7\x8e\x8b", False),  # raw bytes a server hands on as they came: not what a browser sends
        (b"q=%ff", False),
        (b"q=%", False),
        (b"q=%4", False),
        (b"q=%C0%80", False),  # overlong NUL
    ],
)
def test_what_counts_as_clean_text(raw, clean):
    assert encoding.is_clean(raw) is clean
    assert encoding.address_is_clean({"path": "/", "raw_path": b"/", "query_string": raw}) is clean


HEADERS = [
    "cookie",
    "accept-language",
    "x-csrf-token",
    "hx-current-url",
    "hx-request",
    "user-agent",
    "referer",
]


@pytest.mark.parametrize("header", HEADERS)
def test_invalid_bytes_in_a_header_never_break_a_page(client, session, cast, header):
    log_in(client, "wang_ayi", PASSWORD)
    garbage = b"\xff\xfe\xc0\xaf;=,\x80"
    assert client.get("/", headers={header: garbage}).status_code == 200
    before = database_state(session)
    response = client.post(
        "/accounts/me/home-cell", data={"home_cell": cast.cell.code}, headers={header: garbage}
    )
    assert response.status_code == 403 and "表单已失效" in response.text  # no token: refused, never a 500
    assert database_state(session) == before


@pytest.mark.parametrize("token", ["王阿姨", "ÿ" * 64, "\x00", "a" * 10_000])
def test_a_forged_token_of_any_shape_is_refused_not_an_error(client, session, cast, token):
    """A non-ASCII token was a 500: ``hmac.compare_digest`` refuses a str with such characters."""
    log_in(client, "wang_ayi", PASSWORD)
    before = database_state(session)
    response = client.post("/accounts/me/home-cell", data={"csrf_token": token, "home_cell": cast.cell.code})
    assert response.status_code == 403 and "表单已失效" in response.text
    assert database_state(session) == before
