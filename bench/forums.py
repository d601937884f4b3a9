"""A thread of 200 posts and a board of 2,000 threads, per second, on SQLite and PostgreSQL (#19).

Both served the production way (`gongzhi serve --workers 2`) and loaded from another process (wrk, or
a bounded asyncio client without it) on 127.0.0.1, beside two baselines in the same run and under the
same uvicorn options and workers: a bare Starlette text response (the box's ceiling) and the minimal
handler of bench/_minimal_app.py (a plain `def` in the thread pool that reads the same rows with plain
SQL and renders the same bytes with a bare Jinja template: the floor of the work itself). The thread
is read at its first page (50 posts of 200, their authors, replies and photos), the board at its first
page (30 threads of 2,000 and their total). The target is half the minimal handler's rate.

The thread is written through the services (a debate: stances, replies to earlier posts, one post
hidden by a moderator, one withdrawn); the board's 2,000 threads are inserted in bulk, each with its
opening post. PostgreSQL gets a database of its own (`bench_forums`), dropped afterwards; it is
skipped with a line saying so when unreachable. Before loading, each page is fetched from both apps
and compared byte for byte (the CSRF token aside): the line says whether they matched. Figures are
printed, never asserted.

    .venv/bin/python bench/forums.py                 # 3 rounds of 3 s per page and side
    .venv/bin/python bench/forums.py --quick         # 1 round of 1 s (CI proves it works)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
import pages as page_bench  # noqa: E402 - the page bench's servers, rounds and table
from signups import pg_unreachable  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_forums"
WORKERS = 2
BODY = (
    "东门口那段路晚上六点以后几乎停满了车，**消防通道**也被占了。我的建议：\n\n"
    "- 晚上六点到早上七点，划十个临时车位给居民；\n- 白天恢复通行，由物业巡查。\n\n"
    "> 大家觉得这样可行吗？"
)


def prepare(env: dict[str, str], posts: int, threads: int) -> SimpleNamespace:
    """Migrate; a dozen people, the debate thread of ``posts`` posts and a board of ``threads`` threads."""
    from accounts.models import StakeholderGroup
    from accounts.passwords import Hasher
    from core import clock, markdown
    from core.db import Sessions, make_engine, run_write
    from core.settings import Settings
    from deliberation.forums.boards import open_theme_board
    from deliberation.forums.models import Post, Thread
    from deliberation.forums.posts import post_reply
    from deliberation.forums.threads import start_thread
    from grid.residents import register_resident
    from migrations import runner
    from web import wiring

    wiring.setup()
    settings = Settings.from_env(env)
    engine = make_engine(settings)
    runner.upgrade(engine)
    password_hash = Hasher.from_settings(settings).hash("bench forums password")
    groups = list(StakeholderGroup)
    stances = ["support", "oppose", "addition", "question", ""]

    def load(session):  # type: ignore[no-untyped-def]
        people = [
            register_resident(
                session,
                username=f"jumin{n:02d}",
                display_name=f"居民{n:02d}" if n % 3 else "",
                password_hash=password_hash,
                group=groups[n % len(groups)],
            )
            for n in range(12)
        ]
        debate = open_theme_board(session, "tingche-bench", "停车（压测）", "东门口的停车问题")
        board = open_theme_board(session, "shirong-bench", "市容环境（压测）", "两千个话题的版块")
        session.flush()
        thread = start_thread(
            session, people[0], board_slug=debate.slug, title="东门口晚上能不能划临时车位？", body=BODY
        )
        session.flush()
        replied: list[int] = []
        for n in range(1, posts):
            reply = post_reply(
                session,
                people[n % len(people)],
                thread_id=thread.id,
                body=f"第{n}条回复：{BODY[: 20 + n % 60]}",
                stance=stances[n % len(stances)],
                reply_to_id=replied[-min(len(replied), n % 5 + 1)] if replied and n % 3 == 0 else None,
            )
            session.flush()
            replied.append(reply.id)
        now = clock.now()
        session.execute(
            text("UPDATE forum_posts SET hidden_at = :now, hidden_reason = '人身攻击' WHERE id = :id"),
            {"now": now if not settings.is_sqlite else now.replace(tzinfo=None), "id": replied[7]},
        )
        session.execute(
            text("UPDATE forum_posts SET deleted_at = :now WHERE id = :id"),
            {"now": now if not settings.is_sqlite else now.replace(tzinfo=None), "id": replied[11]},
        )
        html = markdown.render(BODY)
        made = []
        for n in range(threads):
            at = now - timedelta(minutes=7 * n)
            made.append(
                Thread(
                    board_id=board.id,
                    title=f"第{n + 1}个话题：小区门口的垃圾桶",
                    author_id=people[n % len(people)].id,
                    created_at=at,
                    last_activity_at=at,
                    post_count=1 + n % 9,
                    is_pinned=n in (threads // 4, 3 * threads // 4),
                    is_locked=n % 97 == 0,
                )
            )
        session.add_all(made)
        session.flush()
        session.add_all(
            Post(
                thread_id=t.id,
                number=1,
                author_id=t.author_id,
                author_group=groups[i % len(groups)],
                body=BODY,
                body_html=html,
                created_at=t.created_at,
            )
            for i, t in enumerate(made)
        )
        board.thread_count, board.last_activity_at = threads, now
        session.flush()
        return SimpleNamespace(thread=thread.id, board=board.slug)

    try:
        return run_write(Sessions(engine), load)
    finally:
        engine.dispose()


def pages_of(ground: SimpleNamespace) -> list[page_bench.Page]:
    return [
        page_bench.Page("thread, 200 posts", f"/forums/threads/{ground.thread}"),
        page_bench.Page("board, 2,000 threads", f"/forums/boards/{ground.board}"),
    ]


def same_bytes(env: dict[str, str], pages: list[page_bench.Page]) -> dict[str, bool]:
    """Each page from both apps in process, compared with the CSRF token aside."""
    from starlette.testclient import TestClient

    from bench._minimal_app import app_from_env as minimal_app
    from bench._minimal_app import differences
    from core.settings import Settings
    from web.app import create_app

    settings = Settings.from_env(env)
    project = create_app(settings)
    minimal = minimal_app(env)
    try:
        ours, theirs = TestClient(project), TestClient(minimal)
        return {
            page.name: not differences(ours.get(page.path).text, theirs.get(page.path).text) for page in pages
        }
    finally:
        project.state.sessions.engine.dispose()
        minimal.state.engine.dispose()


@contextmanager
def pg_database(server: str) -> Iterator[str]:
    """The bench's own database on the PostgreSQL server (never ``test``), dropped afterwards."""
    admin = create_engine(
        f"{server}/postgres".replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
        try:
            yield f"{server}/{PG_DATABASE}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def sqlite_database(var: Path) -> Iterator[str]:
    yield f"sqlite:///{var / 'forums.sqlite3'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s per page and side (CI)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--connections", type=int, default=page_bench.CONNECTIONS)
    parser.add_argument("--pg-server", default=PG_SERVER, help=f"PostgreSQL server (default {PG_SERVER})")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = args.seconds or (1 if args.quick else 3)
    backends = args.backend or ["sqlite", "postgresql"]
    why_not = pg_unreachable(f"{args.pg_server}/postgres") if "postgresql" in backends else None
    print(
        f"A thread of 200 posts and a board of 2,000 threads, `serve --workers {WORKERS}`, "
        f"{page_bench.client_name()} with {args.connections} connections from another process, "
        f"{rounds} round(s) of {seconds:g} s per page and side, medians; 2 cores shared"
    )
    for backend in backends:
        if backend == "postgresql" and why_not is not None:
            print(f"\nPostgreSQL at {args.pg_server} unreachable ({why_not}): skipped")
            continue
        with (
            tempfile.TemporaryDirectory() as var,
            pg_database(args.pg_server) if backend == "postgresql" else sqlite_database(Path(var)) as url,
        ):
            env = page_bench.environment(Path(var), url)
            ground = prepare(env, posts=200, threads=2000)
            pages = pages_of(ground)
            matched = same_bytes(env, pages)
            print(
                f"\n{backend}: same bytes as the minimal handler: "
                + ", ".join(f"{n} {'yes' if ok else 'NO'}" for n, ok in matched.items())
            )
            with page_bench.servers(env, WORKERS) as ports:
                found = page_bench.measure(pages, ports, "", rounds, seconds, args.connections)
            page_bench.report(WORKERS, pages, found, title=f"{backend}, `serve --workers {WORKERS}`")


if __name__ == "__main__":
    main()
