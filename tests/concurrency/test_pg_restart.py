"""PostgreSQL restarted under load, on a throwaway cluster this test starts (tests/concurrency/pg_cluster.py).

`gongzhi serve --workers 2` with its job worker and search follower on the cluster; eight residents
read the thread and reply in a loop. The cluster is stopped (`pg_ctl stop -m fast`), left down, and
started again. Every request is answered, none with a 500: while the database is down the answer is
the 503 page saying so, and once it is back requests succeed again with no manual step (the pool's
pre-ping replaces the dead connections). Every reply answered with a redirect is stored. Figures are
printed (``-s``).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from core.db import Sessions
from deliberation.forums.models import Post
from tests.concurrency.pg_cluster import throwaway_cluster
from tests.concurrency.serving import Load, forum, logged_in, served
from tests.conftest import PG_URL, make_settings, migrated_engine

pytestmark = [
    pytest.mark.concurrency,
    # its cluster is its own whichever database the suite runs on: once, in the SQLite pass, is enough
    pytest.mark.skipif(bool(PG_URL), reason="runs in the SQLite pass; it starts its own PostgreSQL"),
]
PEOPLE = 8
DOWN_MESSAGE = "数据库暂时没有响应"


def test_requests_answer_503_while_postgresql_is_down_and_succeed_after_it_restarts(tmp_path):
    with throwaway_cluster() as cluster:
        engine = migrated_engine(make_settings(tmp_path, cluster.url))
        try:
            sessions = Sessions(engine)
            thread_id, names = forum(sessions, PEOPLE)
            with served(cluster.url, tmp_path, workers=2) as site:
                page = f"/forums/threads/{thread_id}"
                browsers = logged_in(site.port, names, page)

                def act(k: int, n: int):  # type: ignore[no-untyped-def]
                    if n % 2:
                        return "read", lambda: browsers[k].get(page)
                    body = f"第{k}位居民的第{n}条回复"
                    return body, lambda: browsers[k].post(f"{page}/posts", {"body": body})

                load = Load()
                load.start([lambda n, k=k: act(k, n) for k in range(PEOPLE)])
                load.wait_for(40)
                cluster.stop("fast")
                down_at = time.monotonic()
                load.wait_for(load.answered() + 60)  # answered while the database is down
                time.sleep(3)  # and down a while longer: every pooled connection has gone stale
                cluster.start()
                up_at = time.monotonic()
                load.wait_for(load.answered() + 80)
                outcomes = load.finish()
            engine.dispose()  # its connections died with the first server
            with sessions.read() as session:
                stored = set(session.scalars(select(Post.body).where(Post.thread_id == thread_id)))
        finally:
            engine.dispose()
    assert [o.error for o in outcomes if o.error is not None] == []  # every request was answered
    answers = [(o.label, o.answer) for o in outcomes if o.answer is not None]
    assert {a.status for _, a in answers} <= {200, 303, 503}  # never a 500
    outage = [a for _, a in answers if a.sent > down_at and a.received < up_at]
    assert outage and {a.status for a in outage} == {503}
    assert all(DOWN_MESSAGE in a.body for a in outage)
    after = [a for _, a in answers if a.sent > up_at]
    wrong_after = [(a.status, a.body[:200]) for a in after if a.status not in (200, 303)]
    assert after and wrong_after == []  # back with no manual step: no restart of serve, no stale pool
    replied = {label for label, a in answers if label != "read" and a.status == 303}
    assert replied <= stored
    first_ok = min(a.received for a in after)
    print(
        "\n[postgresql restart] "
        f"requests before the stop: {sum(1 for _, a in answers if a.received < down_at)}, "
        f"answered 503 while down: {len(outage)} (slowest {max(a.received - a.sent for a in outage):.2f} s), "
        f"succeeded after the start: {len(after)}, "
        f"first success {first_ok - up_at:.2f} s after pg_ctl start returned, "
        f"down for {up_at - down_at:.1f} s, replies answered 303 and stored: {len(replied)}"
    )
