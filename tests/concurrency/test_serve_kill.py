"""A serve worker killed with SIGKILL in the middle of a burst of forum replies.

`gongzhi serve --workers 2` on a committed database (SQLite file, or PostgreSQL when
GONGZHI_TEST_DATABASE_URL is set); twelve residents reply in a loop from threads of their own; once
the burst is going, one worker process is killed. Afterwards no reply is half-written (the thread's
counter, the posts' numbers 1..n, each post's search feed row and the thread's activity stamp agree)
and every reply answered with a redirect before the kill is in the database. Figures are printed.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import func, select

from core.db import Sessions
from deliberation.forums.models import Post, Thread
from search.feed import FeedRow
from tests.concurrency.serving import Load, forum, logged_in, served
from tests.conftest import PG_URL, fresh_engine, make_settings

pytestmark = pytest.mark.concurrency
PEOPLE = 12


def test_sigkill_of_a_serve_worker_mid_burst_leaves_no_half_reply_and_loses_no_answered_one(tmp_path):
    with fresh_engine(make_settings(tmp_path, PG_URL or None)) as engine:
        sessions = Sessions(engine)
        thread_id, names = forum(sessions, PEOPLE)
        url = engine.url.render_as_string(hide_password=False)
        with served(url, tmp_path, workers=2, GONGZHI_WORKER="0") as site:
            page = f"/forums/threads/{thread_id}"
            browsers = logged_in(site.port, names, page)
            load = Load()
            load.start(
                [
                    lambda n, b=b, k=k: (
                        f"第{k}位居民的第{n}条回复",
                        lambda: b.post(f"{page}/posts", {"body": f"第{k}位居民的第{n}条回复"}),
                    )
                    for k, b in enumerate(browsers)
                ]
            )
            load.wait_for(60)
            victim = site.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            load.wait_for(load.answered() + 60)  # the survivor (and any restarted worker) carry on
            outcomes = load.finish()
            log = site.log.read_text()
        figures = check_whole(sessions, thread_id, outcomes, killed_at)
        print(f"\n[{'postgresql' if PG_URL else 'sqlite'}] serve worker killed mid-burst: {figures}")
        assert "Traceback" not in log


def check_whole(sessions: Sessions, thread_id: int, outcomes, killed_at: float) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with sessions.read() as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        rows = session.execute(
            select(Post.id, Post.number, Post.body, Post.created_at).where(Post.thread_id == thread_id)
        ).all()
        fed = set(
            session.scalars(
                select(FeedRow.object_id).where(
                    FeedRow.kind == "forum_post", FeedRow.object_id.in_([r.id for r in rows])
                )
            )
        )
        posts_total = session.scalar(select(func.count()).select_from(Post))
    numbers = sorted(r.number for r in rows)
    assert numbers == list(range(1, len(rows) + 1))  # no number taken without its post, no gap
    assert thread.post_count == len(rows)  # the counter moved with every post, and only then
    assert posts_total == len(rows)
    # every reply carries its search feed row (the opening post was written here, without the feed)
    assert fed == {r.id for r in rows if r.number > 1}
    assert thread.last_activity_at == max(r.created_at for r in rows)
    bodies = {r.body for r in rows}
    answered = [o for o in outcomes if o.answer is not None]
    statuses = {o.answer.status for o in answered}
    assert statuses == {303}, [o.answer.body[:300] for o in answered if o.answer.status != 303][:3]
    confirmed = [o.label for o in answered]
    assert set(confirmed) <= bodies  # every reply told "posted" is there, before the kill or after
    assert len(bodies) == len(rows)  # and none twice
    cut = [o for o in outcomes if o.error is not None]
    before = [o for o in answered if o.answer.received < killed_at]
    return {
        "replies answered": len(answered),
        "answered before the kill": len(before),
        "connections cut by the kill": len(cut),
        "cut but committed": sum(1 for o in cut if o.label in bodies),
        "posts in the thread": len(rows) - 1,  # the opening post is not a reply
        "lost": len(set(confirmed) - bodies),
    }
