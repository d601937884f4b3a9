"""Starting threads, replying with a stance, numbering, participation, editing, deleting."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from accounts import notifications, roles
from accounts.models import Notification, StakeholderGroup
from core import clock, files
from core.errors import Invalid, PermissionDenied
from core.files import StoredFile
from deliberation.forums import boards, following, moderation, posts, threads
from deliberation.forums.models import Board, FollowTarget, Post, Stance


def photo(name="p.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    out.seek(0)
    return files.Upload(out, name)


def test_every_grid_cell_gets_its_board(session, cast):
    board = boards.board_by_slug(session, cast.cell.code)
    assert (board.kind.value, board.title, board.cell_code) == ("cell", cast.cell.name, cast.cell.code)
    assert boards.open_cell_boards(session) == 0  # made already, with the cell


def test_a_thread_opens_with_post_one_and_its_author_follows(session, settings, cast):
    thread = threads.start_thread(
        session,
        cast.wang_ayi,
        board_slug=cast.cell.code,
        title="楼道杂物",
        body="**谁来清？**",
        photos=[photo(), photo("b.png")],
        upload_dir=settings.upload_dir,
    )
    session.flush()
    [opening] = session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
    assert (opening.number, opening.body_html) == (1, "<p><strong>谁来清？</strong></p>")
    assert following.is_following(session, cast.wang_ayi, FollowTarget.thread, thread.id)
    assert session.scalar(select(Board.thread_count).where(Board.id == thread.board_id)) == 1
    assert len(threads.photos_of(session, [opening.id])[str(opening.id)]) == 2


def test_a_bad_thread_names_every_field_and_writes_nothing(session, settings, cast):
    with pytest.raises(Invalid) as refused:
        threads.start_thread(
            session,
            cast.wang_ayi,
            board_slug=cast.cell.code,
            title="x",
            body="   ",
            photos=[photo(), files.Upload(io.BytesIO(b"%PDF-1.4 not a photo"), "a.pdf")],
            upload_dir=settings.upload_dir,
        )
    assert set(refused.value.errors) == {"title", "body", "photos"}
    assert session.scalar(select(func.count()).select_from(Post)) == 0
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0
    with pytest.raises(Invalid) as too_many:
        threads.start_thread(
            session,
            cast.wang_ayi,
            board_slug=cast.cell.code,
            title="五张照片",
            body="看",
            photos=[photo()] * 5,
        )
    assert "photos" in too_many.value.errors


def test_replies_take_the_next_number_and_a_stance(session, cast, thread):
    first = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="赞成", stance="support")
    second = posts.post_reply(session, cast.zhao_kezhang, thread_id=thread.id, body="补充", stance="addition")
    assert (first.number, second.number, thread.post_count) == (2, 3, 3)
    sides = posts.arguments(session, None, thread.id)
    assert [p.number for p in sides[Stance.support]] == [2] and [
        p.number for p in sides[Stance.addition]
    ] == [3]
    with pytest.raises(Invalid) as refused:
        posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="", stance="maybe")
    assert set(refused.value.errors) == {"body", "stance"}


def test_a_reply_to_a_post_of_another_thread_is_refused(session, cast, thread):
    other = threads.start_thread(
        session, cast.li_shifu, board_slug=cast.cell.code, title="另一个话题", body="嗯"
    )
    session.flush()
    [elsewhere] = session.scalars(select(Post.id).where(Post.thread_id == other.id)).all()
    with pytest.raises(Invalid):
        posts.post_reply(session, cast.zhao_kezhang, thread_id=thread.id, body="回", reply_to_id=elsewhere)


def test_participation_counts_the_group_each_had_when_posting(session, cast, thread):
    posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="我是摊主")
    posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="再说一句")
    posts.post_reply(session, cast.zhao_kezhang, thread_id=thread.id, body="城管意见")
    roles.set_group(session, cast.admin, cast.li_shifu.id, StakeholderGroup.government)  # later, elsewhere
    session.flush()
    counts = threads.participants(session, thread.id)
    assert counts == {
        StakeholderGroup.government: 1,
        StakeholderGroup.community: 0,
        StakeholderGroup.served: 1,
        StakeholderGroup.resident: 1,
    }


def test_followers_are_told_once_per_thread_until_they_read_it(session, cast, thread):
    def told(user):  # type: ignore[no-untyped-def]
        return session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind.startswith("forum_"))
            .order_by(Notification.id)
        ).all()

    following.follow(session, cast.zhou_jiaoshou, FollowTarget.board, thread.board_id)
    for n in range(3):
        posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body=f"第{n}条")
    session.flush()
    assert [n.kind for n in told(cast.wang_ayi)] == ["forum_reply"]  # the author follows: one, not three
    assert [n.kind for n in told(cast.zhou_jiaoshou)] == ["forum_reply"]  # a board follower too
    notifications.mark_read(session, cast.wang_ayi)
    first = session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.number == 1))
    posts.post_reply(session, cast.zhao_kezhang, thread_id=thread.id, body="回王阿姨", reply_to_id=first)
    session.flush()
    kinds = [n.kind for n in told(cast.wang_ayi)]
    assert kinds == ["forum_reply", "forum_reply_to_you"]  # told again once she had read the first
    assert [n.kind for n in told(cast.li_shifu)] == []  # repliers follow nothing by replying


def test_only_the_author_edits_within_the_window_and_history_keeps_the_old_text(
    session, cast, thread, monkeypatch
):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="原来的话")
    posts.edit_post(session, cast.li_shifu, reply.id, "改过的话")
    session.flush()
    _, versions = posts.history(session, None, reply.id)
    assert [v.body_html for v in versions] == ["<p>改过的话</p>", "<p>原来的话</p>"] and versions[0].current
    with pytest.raises(PermissionDenied):
        posts.edit_post(session, cast.wang_ayi, reply.id, "别人的")
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(PermissionDenied):
        posts.edit_post(session, cast.li_shifu, reply.id, "太晚了")


def test_a_deleted_post_keeps_its_place_and_shows_its_text_to_nobody(session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="说错了")
    posts.delete_post(session, cast.li_shifu, reply.id)
    session.flush()
    for viewer in (None, cast.li_shifu, cast.sun_banzhu):
        [_, shown] = posts.page_of_posts(session, viewer, thread.id, 1)
        assert (shown.number, shown.deleted, shown.body_html) == (2, True, None)
    with pytest.raises(PermissionDenied):
        posts.delete_post(session, cast.wang_ayi, reply.id)


def test_a_hidden_posts_text_is_for_its_author_and_the_moderators_only(session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="不友善的话")
    moderation.hide_post(session, cast.sun_banzhu, reply.id, "人身攻击")
    session.flush()
    texts = {
        who: posts.page_of_posts(session, user, thread.id, 1)[1].body_html
        for who, user in (
            ("visitor", None),
            ("other", cast.wang_ayi),
            ("author", cast.li_shifu),
            ("mod", cast.sun_banzhu),
        )
    }
    assert texts == {
        "visitor": None,
        "other": None,
        "author": "<p>不友善的话</p>",
        "mod": "<p>不友善的话</p>",
    }
    assert posts.page_of_posts(session, None, thread.id, 1)[1].hidden_reason == "人身攻击"
    assert posts.quote_text(session, cast.wang_ayi, reply.id) == ""


def test_a_locked_thread_refuses_replies_but_not_moderators(session, cast, thread):
    moderation.lock_thread(session, cast.sun_banzhu, thread.id, True)
    with pytest.raises(PermissionDenied) as refused:
        posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="还能说吗")
    assert "locked" in refused.value.message.key
    assert (
        posts.post_reply(session, cast.sun_banzhu, thread_id=thread.id, body="已锁定，请移步新话题").number
        == 2
    )


def test_pages_hold_fifty_posts_and_a_post_knows_its_page(session, cast, thread):
    for n in range(60):
        posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body=f"{n}")
    session.flush()
    assert [len(posts.page_of_posts(session, None, thread.id, page)) for page in (1, 2)] == [50, 11]
    last = session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.number == 61))
    assert posts.locate(session, last)[1:] == (2, 61)
    assert [p.number for p in posts.posts_after(session, None, thread.id, 59)] == [60, 61]
