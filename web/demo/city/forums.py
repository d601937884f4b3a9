"""The city's forum, in bulk: threads on every board (half of them on 停车, the busiest), one very long
thread, and replies by residents, as ``start_thread`` and ``post_reply`` leave them: numbered from 1
in each thread, the author's group at the time, rendered Markdown, the author following the thread,
and the thread's and board's counters and last activity equal to what the posts say."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from core import clock, markdown
from core.db import run_write
from deliberation.forums.models import Board, Follow, FollowTarget, Post, Stance, Thread
from web.demo.city import CityContext, bulk_insert, bulk_insert_ids, table
from web.demo.grid import ROADS

BUSIEST = "tingche"
LONGEST_SHARE = 0.05  # of all replies, in the first thread: a thread page with thousands of posts
# one reply nobody else writes, so a test and a bench can search for it
KNOWN = "龙舌兰巷口的修车铺晚上十点以后还在敲打，邻居们都睡不着。"
TOPICS = [
    "晚上占道经营的摊位越来越多",
    "停车位太少，车都停到了人行道上",
    "垃圾分类投放点离得太远",
    "路灯坏了一个多月没人修",
    "电动车在楼道里充电太危险",
    "雨后积水，老人出门不方便",
    "广场舞音响声音太大",
    "小区门口的共享单车堆成了山",
    "快递柜前的台阶太高，推车上不去",
    "公交站的候车亭顶棚漏雨",
    "早市的菜摊能不能挪进市场里",
    "施工围挡占了半条路",
]
SENTENCES = [
    "我每天早上七点经过这里，看得很清楚。",
    "上周已经打过热线，到现在还没有回音。",
    "希望网格员能来现场看一看。",
    "物业说这事归社区管，社区说归城管管。",
    "能不能先定一个时间表，大家一起监督？",
    "我家老人腿脚不好，这个问题对我们影响很大。",
    "其实商户也愿意配合，只要规则讲清楚。",
    "可以参考隔壁街道的做法，效果不错。",
    "晚上八点以后最严重，白天还好一些。",
    "我同意楼上的意见，但费用谁来出？",
    "建议先试点一个月，再看大家的反应。",
    "孩子上学要走这条路，安全是第一位的。",
    "我拍了照片，已经发到随手拍了。",
    "这事说了好几年了，希望这次能解决。",
    "居民代表可以和商户坐下来谈一谈。",
    "不要一刀切，要给小本生意留条活路。",
    "周末人多的时候能不能多派几个人手？",
    "我住三楼，窗户正对着，感受最深。",
    "听说明年要改造，那现在怎么办？",
    "谢谢大家的讨论，我学到了不少。",
]
STANCES = [Stance.support, Stance.oppose, Stance.addition, Stance.question, None]


def load(ctx: CityContext) -> dict[str, int]:
    return run_write(ctx.sessions, lambda session: _forum(session, ctx))


def _plan(ctx: CityContext) -> list[int]:
    """Posts per thread: the opening post each, a long first thread, the rest skewed to the first ones."""
    threads, replies = ctx.scale.threads, ctx.scale.posts - ctx.scale.threads
    counts = [1] * threads
    longest = round(replies * LONGEST_SHARE) if threads > 1 else replies
    counts[0] += longest
    weights = [1 / (n + 1) ** 0.6 for n in range(threads)]
    for n, more in Counter(ctx.rng.choices(range(threads), weights, k=replies - longest)).items():
        counts[n] += more
    return counts


def _body(ctx: CityContext, first: str = "") -> str:
    return first + "".join(ctx.rng.sample(SENTENCES, ctx.rng.randint(1, 2)))


def _forum(session: Session, ctx: CityContext) -> dict[str, int]:
    rng, now = ctx.rng, clock.now()
    boards = list(session.scalars(select(Board).order_by(Board.position, Board.id)))
    busiest = next(b for b in boards if b.slug == BUSIEST)
    counts = _plan(ctx)
    threads, posts = [], []  # rows; posts[i] are thread i's posts, opening first
    for n, count in enumerate(counts):
        board = busiest if n % 2 == 0 else rng.choice(boards)
        author = rng.choice(ctx.residents)
        started = now - timedelta(days=365 * rng.random(), minutes=1)
        span = min(now - started, timedelta(days=60)).total_seconds()
        times = sorted(started + timedelta(seconds=span * rng.random()) for _ in range(count - 1))
        title = f"{ROADS[n % len(ROADS)]}{rng.choice(TOPICS)}"
        threads.append(
            {
                "board_id": board.id,
                "title": title,
                "author_id": author,
                "created_at": started,
                "last_activity_at": times[-1] if times else started,
                "post_count": count,
                "is_pinned": False,
                "is_locked": False,
            }
        )
        posts.append([(author, started), *((rng.choice(ctx.residents), at) for at in times)])
    ids = bulk_insert_ids(session, Thread, threads)
    openings = bulk_insert_ids(
        session,
        Post,
        [
            _post(ctx, thread_id, 1, author, at, None, None, _body(ctx))
            for thread_id, ((author, at), *_) in zip(ids, posts, strict=True)
        ],
    )

    def replies() -> Iterator[dict[str, Any]]:
        for thread_id, opening, thread_posts in zip(ids, openings, posts, strict=True):
            for number, (author, at) in enumerate(thread_posts[1:], start=2):
                known = KNOWN if (thread_id, number) == (ids[0], 2) else ""
                reply_to = opening if rng.random() < 0.3 else None
                yield _post(
                    ctx, thread_id, number, author, at, rng.choice(STANCES), reply_to, _body(ctx, known)
                )

    written = bulk_insert(session, Post, replies())
    bulk_insert(
        session,
        Follow,
        (
            {
                "user_id": row["author_id"],
                "target": FollowTarget.thread,
                "target_id": thread_id,
                "created_at": row["created_at"],
            }
            for thread_id, row in zip(ids, threads, strict=True)
        ),
    )
    _board_counters(session, boards, threads)
    ctx.threads = ids
    return {"threads": len(ids), "posts": len(openings) + written}


def _post(
    ctx: CityContext,
    thread_id: int,
    number: int,
    author: int,
    at: datetime,
    stance: Stance | None,
    reply_to: int | None,
    body: str,
) -> dict[str, Any]:
    return {
        "thread_id": thread_id,
        "number": number,
        "author_id": author,
        "author_group": ctx.groups[author],
        "stance": stance,
        "reply_to_id": reply_to,
        "body": body,
        "body_html": markdown.render(body),
        "created_at": at,
        "hidden_reason": "",
        "reaction_count": 0,
    }


def _board_counters(session: Session, boards: list[Board], threads: list[dict[str, Any]]) -> None:
    """Each board's thread count and last activity, as ``start_thread`` and ``post_reply`` keep them."""
    added: Counter[int] = Counter(row["board_id"] for row in threads)
    latest: dict[int, datetime] = {}
    for row in threads:
        board = row["board_id"]
        latest[board] = max(latest.get(board, row["last_activity_at"]), row["last_activity_at"])
    rows = []
    for board in boards:
        if board.id in added:
            last = max(filter(None, (board.last_activity_at, latest[board.id])))
            rows.append({"b_id": board.id, "b_count": board.thread_count + added[board.id], "b_last": last})
    statement = (
        update(table(Board))
        .where(table(Board).c.id == bindparam("b_id"))
        .values(thread_count=bindparam("b_count"), last_activity_at=bindparam("b_last"))
    )
    session.connection().execute(statement, rows)
