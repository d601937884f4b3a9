"""有道理, reports and the queue, hiding, restoring, locking, pinning, moving: who may, what is kept."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import Notification
from core import clock, files
from core.audit import AuditEntry
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from deliberation.forums import boards, moderation, posts, reactions, threads
from deliberation.forums.models import Board, Reaction, Thread


def test_a_reaction_toggles_once_per_person_and_the_database_holds_it(session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="有理有据")
    assert reactions.toggle_reaction(session, cast.wang_ayi, reply.id) == (True, 1)
    assert reactions.toggle_reaction(session, cast.zhou_jiaoshou, reply.id) == (True, 2)
    assert reactions.toggle_reaction(session, cast.wang_ayi, reply.id) == (False, 1)
    with pytest.raises(PermissionDenied):
        reactions.toggle_reaction(session, cast.li_shifu, reply.id)  # one's own post
    reactions.toggle_reaction(session, cast.wang_ayi, reply.id)
    with pytest.raises(IntegrityError), session.begin_nested():  # the key, not only the service
        session.add(Reaction(post_id=reply.id, user_id=cast.wang_ayi.id, created_at=clock.now()))


def test_a_hidden_post_cannot_be_marked(session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="…")
    moderation.hide_post(session, cast.sun_banzhu, reply.id, "广告")
    with pytest.raises(Conflict):
        reactions.toggle_reaction(session, cast.wang_ayi, reply.id)


def test_reports_queue_up_once_per_person_and_hiding_resolves_them(session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="难听的话")
    moderation.report_post(session, cast.wang_ayi, reply.id, "骂人")
    moderation.report_post(session, cast.zhou_jiaoshou, reply.id, "人身攻击")
    with pytest.raises(Invalid):
        moderation.report_post(session, cast.wang_ayi, reply.id, "再举报一次")
    with pytest.raises(Invalid) as empty:
        moderation.report_post(session, cast.zhao_kezhang, reply.id, "   ")
    assert "reason" in empty.value.errors
    session.flush()
    [item] = moderation.report_queue(session, cast.sun_banzhu)
    assert (item.post_id, item.reports, item.excerpt) == (reply.id, 2, "难听的话")
    with pytest.raises(PermissionDenied):
        moderation.report_queue(session, cast.wang_ayi)
    moderation.hide_post(session, cast.sun_banzhu, reply.id, "人身攻击")
    session.flush()
    assert moderation.report_queue(session, cast.sun_banzhu) == []
    moderation.report_post(
        session, cast.wang_ayi, reply.id, "隐藏后又见"
    )  # a closed report does not block a new one


def test_hiding_needs_a_reason_a_moderator_an_audit_row_and_tells_the_author(session, cast, thread):
    reply = posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="…")
    with pytest.raises(PermissionDenied):
        moderation.hide_post(session, cast.wang_ayi, reply.id, "我不喜欢")
    with pytest.raises(Invalid):
        moderation.hide_post(session, cast.sun_banzhu, reply.id, "")
    moderation.hide_post(session, cast.sun_banzhu, reply.id, "人身攻击")
    moderation.restore_post(session, cast.sun_banzhu, reply.id)
    session.flush()
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_kind == "forum_post")).all()
    assert actions == ["forum_post.hide", "forum_post.restore"]
    told = session.scalars(
        select(Notification.params).where(
            Notification.user_id == cast.li_shifu.id, Notification.kind == "forum_moderated"
        )
    ).all()
    assert [p["action"] for p in told] == [moderation.HIDDEN, moderation.RESTORED]


def test_a_hidden_posts_photos_are_not_served_to_others(session, settings, cast):
    from tests.deliberation.forums.test_threads_and_posts import photo

    thread = threads.start_thread(
        session,
        cast.li_shifu,
        board_slug=cast.cell.code,
        title="看图",
        body="这里",
        photos=[photo()],
        upload_dir=settings.upload_dir,
    )
    session.flush()
    opening = posts.page_of_posts(session, None, thread.id, 1)[0]
    [stored] = threads.photos_of(session, [opening.id])[str(opening.id)]
    assert files.access_file(session, None, stored.id).id == stored.id
    moderation.hide_post(session, cast.sun_banzhu, opening.id, "隐私")
    session.flush()
    with pytest.raises(NotFound):
        files.access_file(session, cast.wang_ayi, stored.id)
    assert files.access_file(session, cast.li_shifu, stored.id).id == stored.id


def test_moving_a_thread_moves_its_count_and_pinning_orders_the_board(session, cast, thread):
    boards.add_theme_board(session, cast.admin, slug="tingche", title="停车")
    later = threads.start_thread(
        session, cast.li_shifu, board_slug=cast.cell.code, title="后来的话题", body="…"
    )
    moderation.pin_thread(session, cast.sun_banzhu, thread.id, True)
    session.flush()
    board = session.get(Thread, thread.id).board_id
    assert [t.id for t in threads.threads_of_board(session, board, page=1)] == [thread.id, later.id]
    moderation.move_thread(session, cast.sun_banzhu, later.id, "tingche")
    session.flush()
    counts = dict(session.execute(select(Board.slug, Board.thread_count)).all())
    assert (counts[cast.cell.code], counts["tingche"]) == (1, 1)
    with pytest.raises(Invalid):
        moderation.move_thread(session, cast.sun_banzhu, later.id, "no-such-board")


def test_only_admins_add_theme_boards_with_a_good_address(session, cast):
    with pytest.raises(PermissionDenied):
        boards.add_theme_board(session, cast.sun_banzhu, slug="lvhua", title="绿化")
    with pytest.raises(Invalid) as refused:
        boards.add_theme_board(session, cast.admin, slug="Bad Slug", title="")
    assert set(refused.value.errors) == {"slug", "title"}
    boards.add_theme_board(session, cast.admin, slug="lvhua", title="绿化")
    with pytest.raises(Invalid):
        boards.add_theme_board(session, cast.admin, slug="lvhua", title="又一个")
