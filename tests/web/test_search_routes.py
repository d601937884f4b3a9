"""The search page over HTTP: results with live state, escaped snippets, clean answers to bad input,
the 503 of a missing index on this page only, and the fragment htmx swaps in as the user types."""

import pytest

from deliberation.forums import threads
from search import rebuild
from search.index import SearchIndex
from tests.conftest import log_in
from tests.factories import PASSWORD

HTMX = {"HX-Request": "true"}
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>x</a>",
]


@pytest.fixture
def indexed(session, sessions, index_dir, cast):
    """Two threads, one with a hostile title, and the index built over them."""
    threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="小区停车位太少", body="晚上找不到车位。"
    )
    for n, payload in enumerate(XSS):
        threads.start_thread(
            session, cast.li_shifu, board_slug=cast.cell.code, title=f"{payload}垃圾分类{n}",
            body=f"{payload} 垃圾分类的投放点 {payload}",
        )  # fmt: skip
    session.flush()
    rebuild.rebuild(sessions, SearchIndex(index_dir))


def test_a_resident_finds_a_discussion_and_opens_it(client, indexed):
    page = client.get("/search", params={"q": "停车"})
    assert page.status_code == 200 and "<mark>停车</mark>" in page.text
    assert 'href="/forums/threads/' in page.text and "讨论" in page.text


def test_hostile_titles_and_bodies_are_escaped_in_results(client, indexed):
    page = client.get("/search", params={"q": "垃圾分类"})
    assert page.status_code == 200
    for payload in XSS:
        if "<" in payload:
            assert payload not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<mark>垃圾分类</mark>" in page.text and "onerror=alert(1)>" not in page.text


def test_the_typing_request_gets_the_results_block_only(client, indexed):
    fragment = client.get("/search", params={"q": "停车"}, headers=HTMX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="results"')
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/search", params={"q": "停车"}, headers={**HTMX, "HX-Boosted": "true"})
    assert "<html" in boosted.text  # a boosted navigation wants the whole page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "停" * 101},
        {"q": "停车", "kind": "nope"},
        {"q": "停车", "cell": "<x>"},
        {"q": "停车", "time": "decade"},
    ],
)
def test_bad_parameters_answer_422_with_a_message(client, indexed, params):
    page = client.get("/search", params=params)
    assert page.status_code == 422 and 'class="field-error"' in page.text
    assert "<x>" not in page.text


@pytest.mark.parametrize("page", ["abc", "-3", "0", "99999999999999999999"])
def test_a_bad_page_number_is_the_first_page_or_the_last_one(client, indexed, page):
    assert client.get("/search", params={"q": "停车", "page": page}).status_code == 200


def test_without_an_index_search_says_so_and_other_pages_work(client, cast):
    page = client.get("/search", params={"q": "停车"})
    assert page.status_code == 503 and "搜索索引正在重建" in page.text and page.headers["Retry-After"]
    assert client.get("/search").status_code == 200  # the empty search page needs no index
    assert client.get("/forums/").status_code == 200 and client.get("/").status_code == 200


def test_the_header_has_the_search_box_on_every_page(client, cast):
    home = client.get("/")
    assert 'id="site_search"' in home.text and 'hx-push-url="true"' in home.text


def test_a_signed_in_resident_searches_too(client, indexed):
    log_in(client, "wang_ayi", PASSWORD)
    assert "小区<mark>停车</mark>位太少" in client.get("/search", params={"q": "tingche"}).text
