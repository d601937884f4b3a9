"""Search as residents use it: Chinese words and pinyin find discussions, consultations and shifts;
what moderators hide disappears; the follower is idempotent and catches rows that commit late."""

import shutil
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from core import clock
from core.errors import Invalid
from deliberation.forums import moderation, posts, threads
from deliberation.forums.models import Post
from search import follower, queries, rebuild
from search.feed import FeedRow
from search.index import Cursor, IndexFolderLost, SearchIndex, SearchUnavailable
from search.schema import CJK


def found(session, index, q, actor=None, **filters):
    results = queries.search(session, index, actor, q=q, **filters)
    return [(hit.kind, hit.live.title) for hit in results.page.items]


@pytest.fixture
def talk(session, cast):
    """Two threads on 王阿姨's cell board and a reply: parking, and waste sorting."""
    parking = threads.start_thread(
        session,
        cast.wang_ayi,
        board_slug=cast.cell.code,
        title="小区停车位太少",
        body="晚上回来根本找不到车位。",
    )
    sorting = threads.start_thread(
        session, cast.li_shifu, board_slug=cast.cell.code, title="垃圾分类投放点挪个地方",
        body="现在的投放点离早点摊太近，夏天有味道。",
    )  # fmt: skip
    reply = posts.post_reply(
        session, cast.qian_zhuren, thread_id=parking.id, body="市城管委说下个月划新的停车线。"
    )
    session.flush()
    return parking, sorting, reply


def test_chinese_words_find_the_discussions_about_them(session, index, follow, talk):
    follow()
    assert ("forum_thread", "小区停车位太少") in found(session, index, "停车")
    assert found(session, index, "垃圾分类") == [("forum_thread", "垃圾分类投放点挪个地方")]
    assert found(session, index, "根本找不到") == [("forum_thread", "小区停车位太少")]


def test_a_word_jieba_splits_otherwise_is_still_found(session, index, follow, talk):
    follow()  # jieba cuts 市城管委 as 市城 / 管委; the n-grams still hold 城管
    assert found(session, index, "城管") == [("forum_post", "小区停车位太少")]


def test_full_pinyin_and_initials_find_chinese_titles(session, index, follow, talk):
    follow()
    for typed in ("lajifenlei", "ljfl", "LaJi", "tingche"):
        titles = [title for _kind, title in found(session, index, typed)]
        assert titles, typed
    assert [t for _k, t in found(session, index, "ljfl")] == ["垃圾分类投放点挪个地方"]
    [hit] = queries.search(session, index, None, q="ljfl").page.items
    assert ("垃圾分类", True) in hit.title  # the characters the pinyin spelled are marked


def test_whole_title_matches_rank_before_mentions_in_a_reply(session, index, follow, talk):
    follow()
    assert found(session, index, "停车")[0] == ("forum_thread", "小区停车位太少")


def test_a_hidden_post_disappears_after_moderation(session, index, follow, talk, cast):
    _parking, _sorting, reply = talk
    follow()
    assert ("forum_post", "小区停车位太少") in found(session, index, "城管")
    moderation.hide_post(session, cast.sun_banzhu, reply.id, "人身攻击")
    session.flush()
    assert found(session, index, "城管") == []  # at once: results are checked against the database
    follow()
    with index.searcher() as searcher:  # and once followed, it is gone from the index too
        assert searcher.document(key=f"forum_post:{reply.id}") is None


def test_a_bulk_update_is_in_the_feed(session, index, follow, talk):
    _parking, _sorting, reply = talk
    follow()
    session.execute(update(Post).where(Post.id == reply.id).values(body="改成说占道经营的事"))
    follow()
    assert found(session, index, "城管") == []
    assert found(session, index, "占道经营") == [("forum_post", "小区停车位太少")]


def test_a_change_the_index_does_not_show_writes_no_feed_row(session, index, follow, talk, cast):
    parking, _sorting, _reply = talk
    follow()
    before = session.scalar(select(func.count()).select_from(FeedRow))
    posts.post_reply(session, cast.li_shifu, thread_id=parking.id, body="顶")  # bumps the thread's activity
    session.flush()
    kinds = session.scalars(select(FeedRow.kind).order_by(FeedRow.id.desc()).limit(1)).all()
    assert session.scalar(select(func.count()).select_from(FeedRow)) == before + 1 and kinds == ["forum_post"]


def test_applying_the_feed_twice_changes_nothing(session, sessions, index, follow, talk):
    follow()
    with index.searcher() as searcher:
        first = sorted(f["key"] for f in searcher.all_stored_fields())
    cursor = index.read_cursor()
    cursor.high, cursor.seen = 0, []
    index.write_cursor(cursor)
    assert follower.follow(sessions, index).applied > 0  # every row again
    with index.searcher() as searcher:
        assert sorted(f["key"] for f in searcher.all_stored_fields()) == first


def test_a_row_that_commits_after_a_higher_id_is_still_applied(session, sessions, index, follow, talk, cast):
    follow()
    high = index.read_cursor().high
    late = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="夜市噪音", body="太吵"
    )
    session.flush()
    # PostgreSQL gives ids at insert, not commit: the row for ``late`` has id high+1, yet a row with
    # high+5 became visible first and was applied. The trailing window must still pick up high+1.
    session.execute(update(FeedRow).where(FeedRow.id > high).values(id=FeedRow.id + 100))
    session.execute(
        insert(FeedRow).values(id=high + 500, kind="forum_thread", object_id=-1, created_at=clock.now())
    )
    session.flush()
    hidden_rows = (
        session.execute(select(FeedRow).where(FeedRow.id < high + 500, FeedRow.id > high)).scalars().all()
    )
    for row in hidden_rows:  # take the real rows out, apply the high one, then put them back lower
        session.delete(row)
    follow()
    assert index.read_cursor().high == high + 500 and found(session, index, "夜市") == []
    session.execute(
        insert(FeedRow).values(id=high + 1, kind="forum_thread", object_id=late.id, created_at=clock.now())
    )
    follow()
    assert found(session, index, "夜市") == [("forum_thread", "夜市噪音")]


def test_rows_older_than_the_window_below_the_cursor_are_not_read_again(
    session, sessions, index, follow, talk
):
    assert follow().rebuilt  # the first pass builds the index, noting the window rows it read
    assert follow().applied == 0  # so the next pass reads none of them again
    cursor = index.read_cursor()
    assert follower.follow(sessions, index, now=clock.now() + follower.WINDOW * 2).applied == 0
    assert index.read_cursor().seen == [] and cursor.seen  # the window moved past them


def test_one_process_follows_at_a_time(session, sessions, index, follow, talk):
    with index.lock(wait=False) as held:  # another serve or worker process of this host has the lock
        assert held
        assert follower.follow(sessions, index).held is False
    assert follow().held


def test_a_pass_whose_folder_is_deleted_under_it_cannot_mark_the_rebuilt_index_ready(
    session, sessions, index, follow, talk
):
    """rm -rf of the index folder mid-pass: the lock file goes too, so another process locks the new
    one and rebuilds; the old pass must not write its stale cursor over the half-built index."""
    follow()
    other = SearchIndex(index.folder)  # another serve process of this host
    with index.lock(wait=False) as held:
        assert held
        shutil.rmtree(index.folder)
        with other.lock(wait=False) as also:
            assert also  # the new folder's lock: the old one guards nothing
            with pytest.raises(IndexFolderLost):
                index.write_cursor(Cursor(high=1))
            assert other.read_cursor() is None  # nothing marks the folder ready: queries say rebuilding
            with pytest.raises(SearchUnavailable):
                found(session, other, "停车")
    assert follower.follow(sessions, other).rebuilt
    assert found(session, other, "停车")


def test_a_lock_whose_file_was_replaced_while_waiting_is_taken_again(index):
    with index.lock(wait=True) as held:
        assert held
        index.lock_path.unlink()  # deleted while held: the next taker must not share the dead file
        with SearchIndex(index.folder).lock(wait=False) as also:
            assert also
    with index.lock(wait=True) as held:
        assert held and index._held is not None
        index.check_still_locked()


def test_every_short_substring_of_the_text_finds_its_document(session, index, follow, talk, cast):
    """Recall against a substring ground truth: every 2, 3 and 4 character piece of Chinese in a
    title or body finds that document (jieba alone misses about half of them)."""
    follow()
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with index.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            texts[fields["kind"]].append((fields["key"], fields["title_text"] + "\n" + fields["body_text"]))
    missed = []
    for _kind, documents in texts.items():
        for key, text in documents:
            for run in CJK.findall(text):
                for length in (2, 3, 4):
                    for start in range(0, max(0, len(run) - length + 1), 3):
                        piece = run[start : start + length]
                        with index.searcher() as searcher:
                            keys = {
                                hit["key"] for hit in searcher.search(queries.build_query(piece), limit=None)
                            }
                        if key not in keys:
                            missed.append((piece, key))
    assert missed == []


def test_an_index_that_stopped_following_for_a_week_is_rebuilt(session, sessions, index, follow, talk):
    follow()
    later = clock.now() + follower.REBUILD_AFTER + timedelta(hours=1)
    assert follower.follow(sessions, index, now=later).rebuilt


def test_a_missing_index_says_search_is_being_rebuilt(session, tmp_path, talk):
    nowhere = SearchIndex(tmp_path / "never-built")
    with pytest.raises(SearchUnavailable) as raised:
        queries.search(session, nowhere, None, q="停车")
    assert "rebuilt" in raised.value.message.key
    assert queries.search(session, nowhere, None, q="").page.items == []  # the empty page still works


def test_a_broken_index_is_rebuilt_by_the_follower(session, sessions, index, follow, talk):
    follow()
    for segment in index.whoosh_dir.glob("*.seg"):
        segment.write_bytes(b"garbage")
    for toc in index.whoosh_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    index._index = None
    with pytest.raises(SearchUnavailable):
        found(session, index, "停车")
    assert follower.follow(sessions, index).rebuilt  # it cannot read the index: it builds it again
    assert found(session, index, "垃圾分类") == [("forum_thread", "垃圾分类投放点挪个地方")]


def test_the_check_reports_missing_and_stale_documents(session, sessions, index, follow, talk, cast):
    rebuild.rebuild(sessions, index)
    assert rebuild.check(sessions, index).ok
    threads.start_thread(session, cast.wang_ayi, board_slug=cast.cell.code, title="电梯加装", body="一楼反对")
    session.flush()
    report = rebuild.check(sessions, index)
    assert len(report.missing) == 1 and not report.ok


def test_filters_by_kind_cell_and_time(session, index, follow, talk, cast):
    follow()
    assert found(session, index, "停车", kind="volunteering") == []
    assert found(session, index, "停车", cell=cast.cell.code)
    assert found(session, index, "停车", cell="349901999999999") == []
    assert found(session, index, "停车", time="week")


def test_bad_filters_are_refused_per_field(session, index):
    with pytest.raises(Invalid) as raised:
        queries.search(session, index, None, q="停" * 101, kind="x", cell="12", time="decade")
    assert set(raised.value.errors) == {"q", "kind", "cell", "time"}


def test_a_snippet_marks_the_match_and_keeps_text_as_text(session, index, follow, cast):
    threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="<script>alert(1)</script>停车",
        body="前面很长的一段话。" * 10 + "<img src=x onerror=alert(1)>停车收费太贵",
    )  # fmt: skip
    follow()
    [hit] = queries.search(session, index, None, q="停车").page.items
    assert ("停车", True) in hit.snippet and ("<script>alert(1)</script>", False) in hit.title
    assert hit.snippet[0] == ("…", False)  # cut to the part around the match


def test_consultations_and_shifts_show_their_live_state(session, index, follow, cast):
    from deliberation.consultations import convening, lifecycle
    from tests.factories import make_shift
    from volunteers import signups

    draft = convening.convene(
        session, cast.zhou_jiaoshou, title="垃圾分类督导议题", question="？", scope=cast.cell.code
    )
    shift = make_shift(session, cast.liu_duizhang, cast.team, title="垃圾分类督导", capacity=3)
    follow()
    assert found(session, index, "督导", kind="consultation") == []  # a draft is nobody's result
    session.flush()
    lifecycle.move(session, cast.zhou_jiaoshou, draft.id, "open", "")
    signups.sign_up(session, cast.wang_ayi, shift_id=shift.id)
    follow()
    hits = {hit.kind: hit.live for hit in queries.search(session, index, None, q="督导").page.items}
    assert hits["consultation"].state == "Collecting views"  # the stage now, not when it was indexed
    assert hits["shift"].state_params == {"n": 2}  # places left now: a sign-up never touches the index


def test_feed_rows_are_pruned_after_a_week(session, index, talk):
    from search import feed

    rows = session.scalar(select(func.count()).select_from(FeedRow))
    assert rows and feed.prune(session) == 0  # nothing is a week old yet
    assert feed.prune(session, now=clock.now() + feed.KEEP + timedelta(minutes=1)) == rows
