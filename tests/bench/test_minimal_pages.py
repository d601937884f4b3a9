"""The page benches compare like with like: each minimal handler (bench/_minimal_app.py) renders the
project's page byte for byte, the CSRF token aside, on the data the bench serves (the demo city).

When a page changes, change its minimal template in bench/minimal_templates/ with it. Navigation items
and other per-process inputs come from the features' declarations on both sides, so a new feature's
navigation item needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from bench import pages as bench_pages
from bench._minimal_app import TOKEN, differences
from bench._minimal_app import create_app as minimal_app
from core.settings import Settings
from tests.conftest import log_in
from web.app import create_app
from web.demo import demo_password


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The demo city in a committed SQLite file, the project and the minimal app on it (no lifespan)."""
    env = bench_pages.environment(tmp_path_factory.mktemp("bench-pages"))
    bench_pages.demo(env)
    settings = Settings.from_env(env)
    project = create_app(settings)
    engine = create_engine(settings.database_url)
    try:
        yield SimpleNamespace(
            settings=settings,
            pages=bench_pages.demo_pages(env),
            project=project,
            minimal=minimal_app(engine, settings.secret_key.value),
        )
    finally:
        engine.dispose()
        project.state.sessions.engine.dispose()


def test_every_benched_page_has_the_same_bytes_for_a_visitor(served: SimpleNamespace) -> None:
    project, minimal = TestClient(served.project), TestClient(served.minimal)
    checked = []
    for page in served.pages:
        if not page.minimal or page.signed_in:
            continue
        ours, theirs = project.get(page.path), minimal.get(page.path)
        assert (ours.status_code, theirs.status_code) == (200, 200), page.path
        assert not (diff := differences(ours.text, theirs.text)), f"{page.path}:\n{diff}"
        checked.append(page.name)
    assert len(checked) >= 5, checked


def test_the_signed_in_pages_have_the_same_bytes(served: SimpleNamespace) -> None:
    project = TestClient(served.project, follow_redirects=False)
    log_in(project, bench_pages.RESIDENT, demo_password(served.settings))
    minimal = TestClient(served.minimal)
    minimal.cookies.update(project.cookies)  # the same browser: its login and CSRF cookies
    checked = []
    for page in served.pages:
        if not page.minimal or not page.signed_in:
            continue
        ours, theirs = project.get(page.path), minimal.get(page.path)
        assert (ours.status_code, theirs.status_code) == (200, 200), page.path
        assert not (diff := differences(ours.text, theirs.text)), f"{page.path}:\n{diff}"
        checked.append(page.name)
    assert checked == ["/accounts/me"]


def test_a_difference_is_caught(served: SimpleNamespace) -> None:
    """The comparison is not vacuous: the tokens are all it forgives."""
    page = TestClient(served.project).get("/grid/").text
    assert differences(page, page.replace("</main>", " </main>"))
    assert not differences(page, TOKEN.sub(r"\g<1>" + "0" * 64 + '"', page))


def test_the_forum_bench_pages_have_the_same_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """bench/forums.py's data, smaller: a debate over two pages (a post hidden, one withdrawn, replies
    to earlier posts) and a board over two pages (pinned and locked threads)."""
    from bench import forums as forum_bench

    env = bench_pages.environment(tmp_path, f"sqlite:///{tmp_path / 'forums.sqlite3'}")
    ground = forum_bench.prepare(env, posts=60, threads=40)
    settings = Settings.from_env(env)
    project, engine = create_app(settings), create_engine(settings.database_url)
    try:
        ours, theirs = TestClient(project), TestClient(minimal_app(engine, settings.secret_key.value))
        pages = {}
        for path in [
            f"/forums/threads/{ground.thread}",
            f"/forums/threads/{ground.thread}?page=2",
            f"/forums/boards/{ground.board}",
            f"/forums/boards/{ground.board}?page=2",
        ]:
            mine, minimal = ours.get(path), theirs.get(path)
            assert (mine.status_code, minimal.status_code) == (200, 200), path
            assert not (diff := differences(mine.text, minimal.text)), f"{path}:\n{diff}"
            pages[path] = mine.text
    finally:
        engine.dispose()
        project.state.sessions.engine.dispose()
    thread, _, board, _ = pages.values()
    assert "is-hidden" in thread and 'class="muted removed"' in thread and '<a href="#post-' in thread
    assert board.count('<span class="tag">置顶</span>') == 2 and '<a href="/forums/boards/' in board
