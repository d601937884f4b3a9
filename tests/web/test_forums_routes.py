"""共话家园 over HTTP: reading, starting, replying, the two views, reactions, the live poll, moderation."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import site_settings
from deliberation.forums import posts, threads
from deliberation.forums.models import Post, Thread
from tests.conftest import log_in, post_form
from tests.core.test_markdown import PAYLOADS, dangers
from tests.factories import PASSWORD

HTMX = {"HX-Request": "true"}


@pytest.fixture
def thread(session, cast):
    started = threads.start_thread(
        session, cast.li_shifu, board_slug=cast.cell.code, title="人民路早点摊", body="能不能划定固定摊位？"
    )
    session.flush()
    return started


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "blue").save(out, "JPEG")
    return out.getvalue()


def test_visitors_read_boards_and_threads_and_are_asked_to_log_in_to_reply(client, cast, thread):
    assert cast.cell.name in client.get("/forums/").text
    board = client.get(f"/forums/boards/{cast.cell.code}").text
    assert "人民路早点摊" in board and "li_shifu" in board
    page = client.get(f"/forums/threads/{thread.id}").text
    assert "能不能划定固定摊位？" in page and "登录后即可回复" in page
    assert client.get(f"/forums/boards/{cast.cell.code}/new").status_code == 303


def test_a_resident_starts_a_thread_with_photos_and_lands_on_it(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client,
        f"/forums/boards/{cast.cell.code}/threads",
        {"title": "楼道杂物", "body": "**三楼**堆满了纸箱"},
        page="/forums/",
        files=[("photos", ("a.jpg", jpeg(), "image/jpeg")), ("photos", ("b.jpg", jpeg(), "image/jpeg"))],
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "<strong>三楼</strong>堆满了纸箱" in page and page.count('class="thumb"') == 2
    assert "话题已发表" in page


def test_a_bad_thread_comes_back_with_a_message_per_field_and_nothing_saved(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client,
        f"/forums/boards/{cast.cell.code}/threads",
        {"title": "x", "body": ""},
        page="/forums/",
        files=[("photos", ("fake.jpg", b"%PDF-1.4 not a photo", "image/jpeg"))],
    )
    assert response.status_code == 422
    for message in ("标题 2 到 120 个字", "请先写点内容", "文件内容与文件名所示的类型不符"):
        assert message in response.text
    assert session.scalar(select(func.count()).select_from(Thread)) == 0


def test_replies_with_a_stance_show_side_by_side_and_a_quote_is_prefilled(client, session, cast, thread):
    log_in(client, "wang_ayi", PASSWORD)
    for stance, text in (("support", "方便老人"), ("oppose", "油烟太大"), ("question", "谁来管？")):
        response = post_form(
            client, f"/forums/threads/{thread.id}/posts", {"body": text, "stance": stance}, page="/forums/"
        )
        assert response.status_code == 303
    sides = client.get(f"/forums/threads/{thread.id}?view=arguments").text
    support, oppose = sides.index('id="side-support"'), sides.index('id="side-oppose"')
    assert support < sides.index("方便老人") < oppose < sides.index("油烟太大")
    first = session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.number == 1))
    quoting = client.get(f"/forums/threads/{thread.id}?reply_to={first}&quote=1").text
    assert "&gt; **李师傅** (#1):" in quoting or "&gt; **li_shifu** (#1):" in quoting


def test_a_reaction_is_toggled_by_htmx_and_works_without_it(client, session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="有理")
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    fragment = post_form(client, f"/forums/posts/{reply.id}/reaction", {}, page="/forums/", headers=HTMX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<form")
    assert 'aria-pressed="true"' in fragment.text and '<span class="count">1</span>' in fragment.text
    plain = post_form(client, f"/forums/posts/{reply.id}/reaction", {}, page="/forums/")
    assert plain.status_code == 303 and plain.headers["location"] == f"/forums/posts/{reply.id}"
    assert session.get(Post, reply.id).reaction_count == 0


def test_the_live_poll_answers_204_until_a_post_arrives(client, session, cast, thread):
    poll = re.search(
        r'hx-get="([^"]+/new\?after=\d+)"', client.get(f"/forums/threads/{thread.id}").text
    ).group(1)
    assert client.get(poll.replace("&amp;", "&"), headers=HTMX).status_code == 204
    posts.post_reply(session, cast.zhao_kezhang, thread_id=thread.id, body="城管可以配合")
    session.flush()
    fresh = client.get(poll, headers=HTMX)
    assert fresh.status_code == 200 and "城管可以配合" in fresh.text and "<html" not in fresh.text
    assert 'id="new_posts"' in fresh.text and "after=2" in fresh.text  # the next poll starts after it


def test_editing_keeps_history_and_a_moderator_hides_with_a_public_reason(
    client, other_client, session, cast, thread
):
    log_in(client, "li_shifu", PASSWORD)
    first = session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    assert (
        post_form(
            client, f"/forums/posts/{first}/edit", {"body": "改成：三个摊位"}, page="/forums/"
        ).status_code
        == 303
    )
    history = client.get(f"/forums/posts/{first}/history").text
    assert "改成：三个摊位" in history and "能不能划定固定摊位？" in history
    log_in(other_client, "sun_banzhu", PASSWORD)
    assert (
        post_form(
            other_client, f"/forums/posts/{first}/hide", {"reason": "重复发帖"}, page="/forums/"
        ).status_code
        == 303
    )
    as_visitor = client.__class__(client.app, follow_redirects=False).get(f"/forums/threads/{thread.id}").text
    assert "重复发帖" in as_visitor and "三个摊位" not in as_visitor
    assert "三个摊位" in client.get(f"/forums/threads/{thread.id}").text  # the author still sees it
    empty = post_form(other_client, f"/forums/posts/{first}/restore", {}, page="/forums/")
    assert empty.status_code == 303


def test_a_report_reaches_the_moderators_queue(client, other_client, session, cast, thread):
    log_in(client, "wang_ayi", PASSWORD)
    first = session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    assert (
        post_form(client, f"/forums/posts/{first}/report", {"reason": "广告"}, page="/forums/").status_code
        == 303
    )
    again = post_form(client, f"/forums/posts/{first}/report", {"reason": "再来"}, page="/forums/")
    assert again.status_code == 422 and "你已经举报过" in again.text
    assert client.get("/forums/moderation").status_code == 403
    log_in(other_client, "sun_banzhu", PASSWORD)
    queue = other_client.get("/forums/moderation").text
    assert "人民路早点摊" in queue and "广告" in queue


def test_a_locked_thread_refuses_a_reply_with_a_clear_message(client, session, cast, thread):
    from deliberation.forums import moderation

    moderation.lock_thread(session, cast.sun_banzhu, thread.id, True)
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(client, f"/forums/threads/{thread.id}/posts", {"body": "还能说吗"}, page="/forums/")
    assert response.status_code == 403 and "已锁定" in response.text


def test_replies_are_rate_limited_with_a_clear_429(client, session, cast, thread):
    site_settings.change(session, cast.admin, "rate.forum_post_per_user", "2/600")
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    statuses = [
        post_form(
            client, f"/forums/threads/{thread.id}/posts", {"body": f"第{n}条"}, page="/forums/"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [303, 303, 429]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_people_type_reaches_the_page_only_escaped_or_sanitized(client, session, cast, payload):
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client,
        f"/forums/boards/{cast.cell.code}/threads",
        {"title": payload[:120], "body": payload},
        page="/forums/",
    )
    assert response.status_code in (303, 422)
    if response.status_code == 303:
        page = client.get(response.headers["location"]).text
        main = page[page.index('<main id="main"') : page.index("</main>")]
        body = main[main.index('class="post-body">') :]
        assert dangers(body[: body.index("</div>")]) == []  # the body: sanitized markup only
        if "<" in payload:
            assert payload[:120] not in page  # the title: escaped wherever it is shown
